// p-act-threads.cc — preemptive user-level threads (user/u-thread.hh).
//
//  1. Two CPU-bound threads that never yield both make progress: each
//     counts until BOTH counters pass a threshold, which needs the timer
//     activation handler to switch between them. Each thread also keeps a
//     private pattern in %xmm15 and a private MXCSR rounding mode and
//     checks them in its loop: the FPU/SSE state is per thread.
//  2. A mutex: four threads increment a shared counter with a deliberately
//     slow read-modify-write under the lock; the total must be exact.
//  3. A condition variable: a bounded buffer between a producer and a
//     consumer; every item arrives once, in order.
//! lab: act 20
//! cmdline: hz=2000
//! timeout: 60
#include "u-lib.hh"
#include "u-thread.hh"

namespace {

constexpr uint64_t THRESHOLD = 200000;
volatile uint64_t counters[2];
volatile int fpu_errors;

void* spinner(void* arg) {
    int me = int(uintptr_t(arg));
    uint64_t pattern = 0x1111111111111111UL * uint64_t(me + 3);
    uint32_t mxcsr = 0x1F80 | (uint32_t(me + 1) << 13);    // RC = 01 or 10
    asm volatile("ldmxcsr %0" : : "m"(mxcsr));
    asm volatile("movq %0, %%xmm15" : : "r"(pattern) : "xmm15");
    while (counters[0] < THRESHOLD || counters[1] < THRESHOLD) {
        counters[me] = counters[me] + 1;
        uint64_t v;
        uint32_t m;
        asm volatile("movq %%xmm15, %0" : "=r"(v));
        asm volatile("stmxcsr %0" : "=m"(m));
        if (v != pattern || m != mxcsr) {
            fpu_errors = fpu_errors + 1;
        }
    }
    return arg;
}

uthread_mutex mutex;
uint64_t shared_count;                  // protected by mutex

void* incrementer(void*) {
    for (int i = 0; i < 3000; ++i) {
        uthread_mutex_lock(&mutex);
        uint64_t v = shared_count;
        for (int k = 0; k < 20; ++k) {
            asm volatile("" : : : "memory");
        }
        shared_count = v + 1;
        uthread_mutex_unlock(&mutex);
    }
    return nullptr;
}

constexpr int NITEMS = 5000;
constexpr int BUFSZ = 4;
uthread_mutex bmutex;
uthread_cond not_full, not_empty;
int buffer[BUFSZ];
int bhead, bcount;

void* producer(void*) {
    for (int i = 0; i < NITEMS; ++i) {
        uthread_mutex_lock(&bmutex);
        while (bcount == BUFSZ) {
            uthread_cond_wait(&not_full, &bmutex);
        }
        buffer[(bhead + bcount) % BUFSZ] = i;
        ++bcount;
        uthread_cond_signal(&not_empty);
        uthread_mutex_unlock(&bmutex);
    }
    return nullptr;
}

void* consumer(void*) {
    for (int i = 0; i < NITEMS; ++i) {
        uthread_mutex_lock(&bmutex);
        while (bcount == 0) {
            uthread_cond_wait(&not_empty, &bmutex);
        }
        int v = buffer[bhead];
        bhead = (bhead + 1) % BUFSZ;
        --bcount;
        uthread_cond_signal(&not_full);
        uthread_mutex_unlock(&bmutex);
        if (v != i) {
            return reinterpret_cast<void*>(uintptr_t(1));
        }
    }
    return nullptr;
}

}  // namespace

void process_main() {
    // 1. Preemption, no yields.
    uthread* t[4];
    assert_eq(uthread_create(&t[0], spinner, reinterpret_cast<void*>(0)), 0);
    assert_eq(uthread_create(&t[1], spinner, reinterpret_cast<void*>(1)), 0);
    void* r;
    assert_eq(uthread_join(t[0], &r), 0);
    assert_eq(uintptr_t(r), 0u);
    assert_eq(uthread_join(t[1], &r), 0);
    assert_eq(uintptr_t(r), 1u);
    assert_ge(counters[0], THRESHOLD);
    assert_ge(counters[1], THRESHOLD);
    assert_eq(fpu_errors, 0);
    // Neither spinner can finish until the other has passed THRESHOLD, and
    // neither yields, so at least one preemption happened; how many more
    // depends on how fast the emulator runs (2 were seen on a loaded host).
    uint64_t preemptions = uthread_preemptions();
    assert_ge(preemptions, 1u);

    // 2. Mutex.
    for (auto& th : t) {
        assert_eq(uthread_create(&th, incrementer, nullptr), 0);
    }
    for (auto& th : t) {
        assert_eq(uthread_join(th, nullptr), 0);
    }
    assert_eq(shared_count, 4u * 3000u);

    // 3. Condition variables.
    assert_eq(uthread_create(&t[0], producer, nullptr), 0);
    assert_eq(uthread_create(&t[1], consumer, nullptr), 0);
    assert_eq(uthread_join(t[0], nullptr), 0);
    assert_eq(uthread_join(t[1], &r), 0);
    assert_eq(r, nullptr);

    console_printf("act-threads: counters %lu %lu, %lu preemptions\n",
                   (unsigned long) counters[0], (unsigned long) counters[1],
                   (unsigned long) uthread_preemptions());
    console_printf("act-threads succeeded!\n");
}
