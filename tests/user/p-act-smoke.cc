// p-act-smoke.cc — an ordinary program runs on activations without
// noticing: while it computes, timer ticks are delivered to its runtime,
// which resumes it; every delivered activation is resumed, no slot stays
// busy, and the computation's result is exact.
//! lab: act 15
//! cmdline: hz=1000
#include "u-lib.hh"
#include "abi/activation.h"

void process_main() {
    act_header* h = act_segment_header();
    assert_eq(h->magic, uint64_t(ACT_MAGIC));
    assert_eq(h->busy[0] & 1, uint64_t(1));
    usage u;
    assert_eq(sys_getusage(&u), 0);
    unsigned long until = u.time + 300;     // about 300 ms at hz=1000
    uint64_t sum = 0, iterations = 0;
    while (h->threads[0].delivered < 50) {
        for (uint64_t i = 0; i < 10000; ++i) {
            sum += i ^ iterations;
        }
        ++iterations;
        sys_getusage(&u);
        assert(u.time < until + 5000, "no activations arrived");
    }
    // Recompute without interruption-sensitive state: same result.
    uint64_t check = 0;
    for (uint64_t it = 0; it < iterations; ++it) {
        for (uint64_t i = 0; i < 10000; ++i) {
            check += i ^ it;
        }
    }
    assert_eq(sum, check);
    auto& tc = h->threads[0];
    // Quiescent here: every delivered activation was resumed.
    assert_eq(tc.delivered, tc.resumed_exact + tc.resumed_fast);
    assert_eq(tc.disabled, 0u);
    assert_eq(h->busy[0], uint64_t(1));
    for (int w = 1; w < ACT_NFRAMES / 64; ++w) {
        assert_eq(h->busy[w], uint64_t(0));
    }
    printf("act-smoke: %lu delivered, %lu exact, %lu fast, %lu dropped\n",
           (unsigned long) tc.delivered, (unsigned long) tc.resumed_exact,
           (unsigned long) tc.resumed_fast, (unsigned long) tc.dropped);
    printf("act-smoke succeeded!\n");
}
