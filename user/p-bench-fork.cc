// p-bench-fork.cc — fork + exit + waitpid of a small process: the child
// exits at once, the parent reaps it; cycles per whole round.
#include "bench.hh"

void process_main() {
    constexpr int trials = 7;
    constexpr uint64_t iters = 40;
    uint64_t per[trials];
    for (int t = -1; t < trials; ++t) {         // trial -1 warms up
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            pid_t child = sys_fork();
            if (child == 0) {
                sys_exit(0);
            }
            if (child < 0) {
                panic("fork failed: %d", child);
            }
            int status = -1;
            pid_t r = sys_waitpid(child, &status);
            if (r != child || status != 0) {
                panic("waitpid(%d) = %d, status %d", child, r, status);
            }
        }
        if (t >= 0) {
            per[t] = (bench_rdtsc() - start) / iters;
        }
    }
    bench_report("fork-exit-waitpid", per, trials, iters);
    sys_exit(0);
}
