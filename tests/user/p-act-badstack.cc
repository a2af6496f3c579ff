// p-act-badstack.cc — code running with a stack pointer that is no stack
// at all (0, or non-canonical) still takes activations: the runtime's
// fast path refuses such an RSP (it would have to write below it) and
// falls back to sys_act_resume, which restores RSP exactly. The code then
// puts its real RSP back and carries on.
//
// The spin runs in inline assembly that touches no memory through RSP:
// it saves RSP in a global, loads the bad value, polls the header's
// `delivered` counter (absolute address) until it has grown, checks RSP
// still holds the bad value, and reloads the real RSP.
//! cmdline: hz=2000
#include "u-lib.hh"
#include "u-activation.hh"

extern "C" {
uint64_t real_rsp;
}

namespace {
// Returns the RSP value seen after the activations (must equal `bad`).
uint64_t spin_with_rsp(uint64_t bad, uint64_t ticks) {
    uint64_t seen;
    uint64_t target = act_tc0()->delivered + ticks;
    asm volatile(
        "movq %%rsp, real_rsp(%%rip)\n\t"
        "movq %[bad], %%rsp\n"
        "1:\n\t"
        "cmpq %c[delivered], %[target]\n\t"
        "ja 1b\n\t"
        "movq %%rsp, %[seen]\n\t"
        "movq real_rsp(%%rip), %%rsp"
        : [seen] "=&r"(seen)
        : [bad] "r"(bad), [target] "r"(target),
          [delivered] "i"(ACT_TC0 + ACT_TC_DELIVERED)
        : "cc", "memory");
    return seen;
}
}

void process_main() {
    auto* tc = act_tc0();
    const uint64_t bad_rsps[] = {
        0, 0x8000000000000000UL, 0x0000800000000008UL, 0xFFFF800000000000UL,
        8, 0x1000,                      // canonical, but below any stack
        0x00007FFFFFFFFFF7UL,           // unaligned
    };
    for (uint64_t bad : bad_rsps) {
        uint64_t e0 = tc->resumed_exact;
        uint64_t seen = spin_with_rsp(bad, 10);
        if (seen != bad) {
            panic("RSP %#lx came back as %#lx", (unsigned long) bad, (unsigned long) seen);
        }
        // The activations during the spin went through the exact path (a
        // tick just before the spin may still count towards its target).
        assert_ge(tc->resumed_exact - e0, 8u);
    }
    // And an ordinary RSP takes the fast path again.
    uint64_t f0 = tc->resumed_fast;
    uint64_t d0 = tc->delivered;
    while (tc->delivered < d0 + 10) {
        pause();
    }
    assert_gt(tc->resumed_fast, f0);
    console_printf("act-badstack succeeded!\n");
}
