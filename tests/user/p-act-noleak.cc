// p-act-noleak.cc — restores free their slots: after thousands of
// activations, at quiescence (in the main code, where no handler is
// running) only bit 0 of the busy bitmap is set, and every delivered
// activation was counted by this program's handler and restored by
// exactly one path (delivered == resumed_fast + resumed_exact).
//
// The handler counts itself and alternates between the fast path and the
// exact path. The main code mixes pure computation with system calls (a
// pending activation is delivered on a system call's return).
// Counters are read as a consistent snapshot: the handler count before
// and after reading the kernel's counters must be equal (every activation
// bumps `delivered` before its handler runs and finishes its restore
// before the main code runs again). It takes 2 s of ticks at best and
// reports every 1,000; the time limit is generous because a busy host
// loses ticks.
//! cmdline: hz=2000
//! timeout: 60
#include "u-lib.hh"
#include "u-activation.hh"

extern "C" {
volatile uint64_t handled;

__attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    uint64_t n = handled + 1;
    handled = n;
    int r = (n & 1) ? act_resume(slot) : sys_act_resume(slot);
    panic("resume failed: %d", r);
}
}

namespace {
struct snapshot {
    uint64_t handled, delivered, fast, exact;
};

snapshot take() {
    auto* tc = act_tc0();
    for (;;) {
        snapshot s;
        s.handled = handled;
        asm volatile("" : : : "memory");
        s.delivered = tc->delivered;
        s.fast = tc->resumed_fast;
        s.exact = tc->resumed_exact;
        asm volatile("" : : : "memory");
        if (handled == s.handled) {
            return s;
        }
    }
}

void check_quiescent(const snapshot& base) {
    auto* h = act_header_ptr();
    // The bitmap: bit 0 (the header) and nothing else.
    uint64_t busy[ACT_NFRAMES / 64];
    for (int i = 0; i < ACT_NFRAMES / 64; ++i) {
        busy[i] = __atomic_load_n(&h->busy[i], __ATOMIC_RELAXED);
    }
    assert_eq(busy[0], 1u);
    for (int i = 1; i < ACT_NFRAMES / 64; ++i) {
        assert_eq(busy[i], 0u);
    }
    snapshot s = take();
    assert_eq(s.delivered - base.delivered, s.handled - base.handled);
    assert_eq((s.fast - base.fast) + (s.exact - base.exact), s.delivered - base.delivered);
    assert_eq(act_tc0()->disabled, 0u);
}
}  // namespace

void process_main() {
    auto* tc = act_tc0();
    snapshot base = take();
    // Activations before process_main (if any) were ours too: counters
    // start at zero at exec.
    assert_eq(base.delivered, base.handled);
    assert_eq(base.fast + base.exact, base.delivered);

    uint64_t target = base.delivered + 4000;
    unsigned long spins = 0;
    uint64_t next_report = base.delivered + 1000;
    while (tc->delivered < target) {
        if ((++spins & 0xFFF) == 0) {
            (void) sys_getpid();
        }
        if (tc->delivered >= next_report) {
            // Progress, so that a run cut off by the harness's time limit
            // on a busy host shows whether activations were still arriving.
            console_printf("act-noleak: %lu activations\n",
                           (unsigned long) (tc->delivered - base.delivered));
            next_report += 1000;
        }
        if ((spins & 0xFFFFF) == 0) {
            check_quiescent(base);
        }
    }
    check_quiescent(base);
    snapshot s = take();
    assert_gt(s.fast - base.fast, 1000u);
    assert_gt(s.exact - base.exact, 1000u);
    console_printf("act-noleak: %lu activations, %lu fast, %lu exact, bitmap clean\n",
                   (unsigned long) (s.delivered - base.delivered),
                   (unsigned long) (s.fast - base.fast),
                   (unsigned long) (s.exact - base.exact));
    console_printf("act-noleak succeeded!\n");
}
