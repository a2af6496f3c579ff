// p-bench-compute.cc — a fixed compute loop, timed; run once at the default
// timer rate and once at hz=10000. The slowdown divided by the extra
// activations delivered is the user-time cost of one timer activation
// (delivery, runtime handler, resume, and cache/TLB disturbance).
#include "bench.hh"
#include "abi/activation.h"

namespace {
// A dependent chain the compiler cannot fold: ~1 cycle per step.
[[gnu::noinline]] uint64_t work(uint64_t n, uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t i = 0; i < n; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        asm volatile("" : "+r"(x));
    }
    return x;
}
}

void process_main() {
    constexpr int trials = 7;
    constexpr uint64_t steps = 20000000;
    act_header* h = act_segment_header();
    uint64_t per[trials], acts[trials];
    uint64_t sink = work(steps / 10, 1);
    for (int t = 0; t < trials; ++t) {
        uint64_t d0 = h->threads[0].delivered;
        uint64_t start = bench_rdtsc();
        sink += work(steps, sink);
        per[t] = bench_rdtsc() - start;
        acts[t] = h->threads[0].delivered - d0;
    }
    bench_report("compute-loop", per, trials, 1);
    printf("bench: compute-activations median_count %lu sink %lu\n",
           (unsigned long) bench_median(acts, trials), (unsigned long) (sink & 0xFF));
    sys_exit(0);
}
