// p-bench-exec.cc — fork + exec of a small program (p-true, which exits at
// once) + waitpid; cycles per whole round. Minus the fork row, roughly the
// cost of loading and starting a small program and its exit.
#include "bench.hh"

void process_main() {
    constexpr int trials = 7;
    constexpr uint64_t iters = 40;
    uint64_t per[trials];
    const char* argv[] = {"true", nullptr};
    for (int t = -1; t < trials; ++t) {         // trial -1 warms up
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            pid_t child = sys_fork();
            if (child == 0) {
                int r = sys_execv("true", argv);
                panic("execv(true) failed: %d", r);
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
    bench_report("fork-exec-exit-waitpid", per, trials, iters);
    sys_exit(0);
}
