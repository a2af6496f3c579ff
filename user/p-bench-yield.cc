// p-bench-yield.cc — context switch: parent and child on one CPU (boot with
// -smp 1) alternate with sys_yield. Each parent iteration is two switches
// (to the child and back), so per switch = trial cycles / (2 * iters).
#include "bench.hh"

void process_main() {
    constexpr int trials = 9;
    constexpr uint64_t iters = 2000;
    // The child yields for as long as the parent measures, plus margin;
    // it exits when a shared flag... there is no shared memory after fork,
    // so it simply yields a fixed number of times, more than the parent.
    constexpr uint64_t child_yields = (trials + 1) * iters + 500;
    pid_t child = sys_fork();
    if (child < 0) {
        panic("fork failed: %d", child);
    }
    if (child == 0) {
        for (uint64_t i = 0; i < child_yields; ++i) {
            sys_yield();
        }
        sys_exit(0);
    }
    for (uint64_t i = 0; i < iters / 4; ++i) {    // warm up: the child runs
        sys_yield();
    }
    uint64_t per[trials];
    for (int t = 0; t < trials; ++t) {
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            sys_yield();
        }
        per[t] = (bench_rdtsc() - start) / (2 * iters);
    }
    int status = -1;
    sys_waitpid(child, &status);
    bench_report("yield-switch", per, trials, iters);
    sys_exit(0);
}
