// p-act-deepstack.cc — a program whose stack is nearly full (its only
// stack page used down to within a few words of the bottom) still runs
// unharmed under activations: the runtime must not build its fast-path
// frame below the stack page (nothing is mapped there), and falls back to
// the exact path instead.
//! cmdline: hz=2000
#include "u-lib.hh"
#include "abi/activation.h"

void process_main() {
    act_header* h = act_segment_header();
    // Run with RSP 32 bytes above the bottom of the stack page.
    uintptr_t low_rsp = USER_STACK_PAGE + 32;
    volatile uint64_t* delivered = &h->threads[0].delivered;
    uint64_t target = *delivered + 200;
    asm volatile("movq %%rsp, %%r12\n\t"
                 "movq %0, %%rsp\n\t"
                 "1: cmpq %2, (%1)\n\t"
                 "jb 1b\n\t"
                 "movq %%r12, %%rsp"
                 : : "r"(low_rsp), "r"(delivered), "r"(target) : "r12", "memory", "cc");
    auto& tc = h->threads[0];
    assert_ge(tc.resumed_exact, uint64_t(190));
    printf("act-deepstack: %lu delivered, %lu exact, %lu fast\n",
           (unsigned long) tc.delivered, (unsigned long) tc.resumed_exact,
           (unsigned long) tc.resumed_fast);
    printf("act-deepstack succeeded!\n");
}
