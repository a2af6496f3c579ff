// p-act-chained.cc — while a handler runs (`disabled` set), ticks do not
// nest: the kernel only sets `pending`, however many ticks pass. Exactly
// one activation is delivered afterwards, immediately on the resume:
// before the interrupted main code runs another instruction. Checked for
// both restore paths (the fast path takes the pending activation with a
// system call inside its restore sequence; sys_act_resume delivers it
// instead of returning).
//! lab: act 10
//! cmdline: hz=2000
#include "u-lib.hh"
#include "u-activation.hh"

enum { IDLE = 0, SPIN_FAST, SPIN_EXACT, EXPECT_NEXT, DONE };

extern "C" {
volatile int state;
volatile int depth;
volatile int nested;                    // an upcall arrived inside a handler
volatile uint64_t progress;             // main code's loop counter
volatile uint64_t progress_at_resume;
volatile uint64_t delivered_in_spin, delivered_next;
volatile uint32_t pending_after_spin;
volatile int next_was_immediate;

__attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    if (depth != 0) {
        nested = 1;
    }
    depth = 1;
    auto* tc = act_tc0();
    int s = state;
    if (s == SPIN_FAST || s == SPIN_EXACT) {
        uint64_t d0 = tc->delivered;
        // Spin across several ticks: wait for pending, then for more time.
        while (tc->pending == 0) {
            asm volatile("pause" : : : "memory");
        }
        for (unsigned long i = 0; i < 2000000UL && tc->pending; ++i) {
            asm volatile("pause" : : : "memory");
        }
        delivered_in_spin = tc->delivered - d0;
        pending_after_spin = tc->pending;
        progress_at_resume = progress;
        delivered_next = tc->delivered;
        state = EXPECT_NEXT;
        depth = 0;
        int r = s == SPIN_FAST ? act_resume(slot) : sys_act_resume(slot);
        panic("resume failed: %d", r);
    } else if (s == EXPECT_NEXT) {
        next_was_immediate = progress == progress_at_resume;
        delivered_next = tc->delivered - delivered_next;
        state = DONE;
    }
    depth = 0;
    int r = act_resume(slot);
    panic("resume failed: %d", r);
}
}

namespace {
void run(int how) {
    state = how;
    while (state != DONE) {
        progress = progress + 1;
    }
    assert_eq(nested, 0);
    assert_eq(delivered_in_spin, 0u);   // no upcall while disabled
    assert_eq(pending_after_spin, 1u);  // ... just one pending activation
    assert_eq(next_was_immediate, 1);   // delivered before main code resumed
    assert_eq(delivered_next, 1u);      // exactly one, not one per tick
    state = IDLE;
}
}

void process_main() {
    auto* tc = act_tc0();
    uint64_t f0 = tc->resumed_fast;
    run(SPIN_FAST);
    assert_gt(tc->resumed_fast, f0);
    uint64_t e0 = tc->resumed_exact;
    run(SPIN_EXACT);
    assert_gt(tc->resumed_exact, e0);
    run(SPIN_FAST);
    run(SPIN_EXACT);
    console_printf("act-chained succeeded!\n");
}
