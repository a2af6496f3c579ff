// p-act-exhaust.cc — a process that marks every slot busy keeps running:
// ticks find no free slot, the kernel counts them in `dropped`, sets
// `pending` and resumes the process unchanged (it never waits for user
// space); system calls keep working. When the bitmap is restored,
// activations resume (the pending one first).
//! cmdline: hz=2000
#include "u-lib.hh"
#include "u-activation.hh"

extern "C" {
volatile uint64_t handled;

__attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    handled = handled + 1;
    int r = act_resume(slot);
    panic("resume failed: %d", r);
}
}

void process_main() {
    auto* h = act_header_ptr();
    auto* tc = act_tc0();

    // Some ordinary activations first.
    uint64_t d0 = tc->delivered;
    while (tc->delivered < d0 + 20) {
        pause();
    }

    // Quiescent: only the header's bit is set. Take every slot.
    uint64_t saved[ACT_NFRAMES / 64];
    for (int i = 0; i < ACT_NFRAMES / 64; ++i) {
        saved[i] = __atomic_load_n(&h->busy[i], __ATOMIC_RELAXED);
    }
    assert_eq(saved[0], 1u);
    for (int i = 0; i < ACT_NFRAMES / 64; ++i) {
        __atomic_store_n(&h->busy[i], ~uint64_t(0), __ATOMIC_SEQ_CST);
    }
    uint64_t handled0 = handled;
    uint64_t delivered0 = tc->delivered;
    uint64_t dropped0 = tc->dropped;

    // Keep running: compute, make system calls, sleep.
    unsigned long spins = 0;
    while (tc->dropped < dropped0 + 50) {
        if ((++spins & 0xFFFF) == 0) {
            assert_gt(sys_getpid(), 0);
        }
    }
    assert_eq(sys_msleep(10), 0);
    assert_gt(sys_getpid(), 0);
    assert_eq(handled, handled0);
    assert_eq(tc->delivered, delivered0);
    assert_eq(tc->pending, 1u);
    for (int i = 0; i < ACT_NFRAMES / 64; ++i) {
        assert_eq(h->busy[i], ~uint64_t(0));
    }
    uint64_t dropped = tc->dropped - dropped0;

    // Give the slots back; the pending activation arrives at the latest on
    // the return from the next system call that enters the kernel proper
    // (sys_yield, as the runtime uses; not sys_getpid or sys_gettid, whose
    // fast path delivers nothing: docs/activations.md).
    for (int i = 0; i < ACT_NFRAMES / 64; ++i) {
        __atomic_store_n(&h->busy[i], saved[i], __ATOMIC_SEQ_CST);
    }
    sys_yield();
    assert_gt(handled, handled0);
    uint64_t d1 = tc->delivered;
    while (tc->delivered < d1 + 20) {
        pause();
    }
    assert_eq(h->busy[0], 1u);
    console_printf("act-exhaust: %lu ticks dropped while exhausted, activations resumed\n",
                   (unsigned long) dropped);
    console_printf("act-exhaust succeeded!\n");
}
