// p-bench-syscall.cc — null system call round trip: sys_getpid in a loop.
// Not a test (it lives in user/, not tests/user/): `make bench` runs it.
#include "bench.hh"

void process_main() {
    constexpr int trials = 9;
    constexpr uint64_t iters = 20000;
    uint64_t per[trials];
    pid_t me = sys_getpid();
    for (uint64_t i = 0; i < 1000; ++i) {       // warm up
        sys_getpid();
    }
    for (int t = 0; t < trials; ++t) {
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            pid_t p = sys_getpid();
            if (p != me) {
                panic("getpid changed: %d != %d", p, me);
            }
        }
        per[t] = (bench_rdtsc() - start) / iters;
    }
    bench_report("syscall-getpid", per, trials, iters);
    sys_exit(0);
}
