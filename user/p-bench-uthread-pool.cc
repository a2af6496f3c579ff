// p-bench-uthread-pool.cc — the user-thread library on a pool of two kernel
// threads (u-thread.hh, uthread_pool_start; docs/activations.md), booted
// on two CPUs (scripts/bench.py, SMP_PROGRAMS):
//   uthread-wake-other   a user thread blocked in uthread_cond_wait is
//                        signalled by a thread running on the other kernel
//                        thread of the pool, which then keeps its own
//                        kernel thread busy (spinning on an answer); so the
//                        woken thread must be taken by the idle kernel
//                        thread on the other CPU. Per wake-up: TSC from
//                        just before the signal to the woken thread's
//                        return from uthread_cond_wait (the TSC is one
//                        clock on every CPU of the machine).
// Each round the signaller first makes sure the waiter is queued on the
// condition variable (it announces itself under the mutex, and cond_wait
// releases the mutex only once it is queued), then lets the waiter's
// kernel thread settle into its idle loop (a fixed, untimed pause), and
// only then signals. It counts the wake-ups that did move the thread to
// the other kernel thread (`bench-info: ... moved M of N`): a timer tick on
// the signaller's kernel thread while the woken thread waits for the other
// (whose virtual CPU the host may not be running) lets the signaller's
// own kernel thread take it, as the library should.
#include "bench.hh"
#include "u-thread.hh"

namespace {
constexpr int trials = 9;
constexpr uint64_t iters = 100;         // wake-ups per trial
constexpr uint64_t settle = 20000;      // TSC ticks between queued and signal

uthread_mutex m;
uthread_cond cv;
volatile int waiting;                   // the waiter is (about to be) queued
volatile int wake;                      // under m: the waiter may go
volatile uint64_t t_signal, t_woken;
volatile uint64_t answered;             // rounds the waiter finished
int signaller_kt;
uint64_t moved;                         // wake-ups that ran on the other one

void* waiter(void*) {
    for (uint64_t r = 1; r <= (trials + 1) * iters; ++r) {
        uthread_mutex_lock(&m);
        waiting = 1;
        while (!wake) {
            uthread_cond_wait(&cv, &m);
        }
        t_woken = bench_rdtsc();
        wake = 0;
        moved += uthread_kthread() != signaller_kt;
        uthread_mutex_unlock(&m);
        __atomic_store_n(&answered, r, __ATOMIC_RELEASE);
    }
    return nullptr;
}
}

void process_main() {
    int r = uthread_pool_start(2);
    if (r != 0 || uthread_pool_size() != 2) {
        panic("uthread_pool_start(2): %d", r);
    }
    uthread* w;
    if ((r = uthread_create(&w, waiter, nullptr)) != 0) {
        panic("uthread_create: %d", r);
    }
    uint64_t per[trials];
    uint64_t round = 0;
    for (int t = -1; t < trials; ++t) {     // trial -1 warms up
        uint64_t sum = 0;
        for (uint64_t i = 0; i < iters; ++i) {
            ++round;
            while (!waiting) {
                pause();
            }
            uthread_mutex_lock(&m);         // free only once the waiter is queued
            signaller_kt = uthread_kthread();
            waiting = 0;
            for (uint64_t s = bench_rdtsc(); bench_rdtsc() - s < settle;) {
                pause();
            }
            wake = 1;
            t_signal = bench_rdtsc();
            uthread_cond_signal(&cv);
            uthread_mutex_unlock(&m);
            while (__atomic_load_n(&answered, __ATOMIC_ACQUIRE) != round) {
                pause();                    // keep this kernel thread busy
            }
            sum += t_woken - t_signal;
        }
        if (t >= 0) {
            per[t] = sum / iters;
        }
    }
    uthread_join(w, nullptr);
    printf("bench-info: uthread-wake-other on %d CPUs, moved %lu of %lu\n", sys_ncpu(),
           (unsigned long) moved, (unsigned long) round);
    bench_report("uthread-wake-other", per, trials, iters);
    sys_exit(0);
}
