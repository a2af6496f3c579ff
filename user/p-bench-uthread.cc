// p-bench-uthread.cc — the user-level thread library (u-thread.hh):
//   uthread-switch       main thread and one other alternate with
//                        uthread_yield; per switch (2 per main iteration)
//   thread-create-join   uthread_create of a thread that returns at once,
//                        then uthread_join; per round
// Everything happens in user space except what the library asks of the
// kernel (stack pages, activation ticks at the default timer rate, which
// may add a preemption to a trial now and then).
#include "bench.hh"
#include "u-thread.hh"

namespace {
constexpr int trials = 9;
constexpr uint64_t switch_iters = 2000;

volatile bool stop_yielding = false;

void* yielder(void*) {
    while (!stop_yielding) {
        uthread_yield();
    }
    return nullptr;
}

void* nothing(void* arg) {
    return arg;
}
}

void process_main() {
    uint64_t per[trials];
    uthread* other;
    int r = uthread_create(&other, yielder, nullptr);
    if (r != 0) {
        panic("uthread_create: %d", r);
    }
    for (uint64_t i = 0; i < switch_iters / 4; ++i) {   // warm up: the other runs
        uthread_yield();
    }
    for (int t = 0; t < trials; ++t) {
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < switch_iters; ++i) {
            uthread_yield();
        }
        per[t] = (bench_rdtsc() - start) / (2 * switch_iters);
    }
    stop_yielding = true;
    uthread_join(other, nullptr);
    bench_report("uthread-switch", per, trials, switch_iters);

    constexpr uint64_t create_iters = 200;
    for (int t = -1; t < trials; ++t) {         // trial -1 warms up
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < create_iters; ++i) {
            uthread* th;
            void* result = nullptr;
            if ((r = uthread_create(&th, nothing, &per)) != 0) {
                panic("uthread_create: %d", r);
            }
            if ((r = uthread_join(th, &result)) != 0 || result != &per) {
                panic("uthread_join: %d", r);
            }
        }
        if (t >= 0) {
            per[t] = (bench_rdtsc() - start) / create_iters;
        }
    }
    bench_report("thread-create-join", per, trials, create_iters);
    sys_exit(0);
}
