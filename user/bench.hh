// bench.hh — helpers shared by the benchmark programs (user/p-bench-*.cc).
//
// Each benchmark runs a few trials of many repetitions and prints one line
//     bench: NAME median_cycles N trials T iters I
// where N is the median over T trials of (TSC cycles of the trial / I).
// scripts/bench.py parses these lines and converts cycles to ns with the
// TSC rate the kernel logs at boot ("timer: ... TSC N MHz"); a user
// program has no way to learn that rate by itself.
#pragma once
#include "u-lib.hh"

inline uint64_t bench_rdtsc() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t(hi) << 32) | lo;
}

template <typename T>
inline void bench_sort(T* v, int n) {
    for (int i = 1; i < n; ++i) {
        T x = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] > x; --j) {
            v[j] = v[j - 1];
        }
        v[j] = x;
    }
}

// Median of the n values in v (v is sorted in place).
inline uint64_t bench_median(uint64_t* v, int n) {
    bench_sort(v, n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline void bench_report(const char* name, uint64_t* per_iter, int trials, uint64_t iters) {
    uint64_t med = bench_median(per_iter, trials);
    printf("bench: %s median_cycles %lu trials %d iters %lu min %lu max %lu\n", name,
           (unsigned long) med, trials, (unsigned long) iters,
           (unsigned long) per_iter[0], (unsigned long) per_iter[trials - 1]);
}

// Runs `round()` `iters` times in each of Trials trials, after one warm-up
// trial that is not counted, and reports cycles per round as NAME.
template <int Trials, typename F>
inline void bench_rounds(const char* name, uint64_t iters, F round) {
    uint64_t per[Trials];
    for (int t = -1; t < Trials; ++t) {         // trial -1 warms up
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            round();
        }
        if (t >= 0) {
            per[t] = (bench_rdtsc() - start) / iters;
        }
    }
    bench_report(name, per, Trials, iters);
}

// The parent's half of a fork round: `child` is what sys_fork returned;
// panics unless the fork worked and the child exited with status 0.
inline void bench_reap(pid_t child) {
    if (child < 0) {
        panic("fork failed: %d", child);
    }
    int status = -1;
    pid_t r = sys_waitpid(child, &status);
    if (r != child || status != 0) {
        panic("waitpid(%d) = %d, status %d", child, r, status);
    }
}
