// p-act-fork.cc — fork copies the activation segment with everything else.
//
//  1. A handler calls sys_fork. The child goes on in its copy of the
//     handler, on its copy of the slot's stack, resumes the interrupted
//     main code and finishes it; it exits 42. Before, the child got an
//     empty segment and died at once on the missing slot page (142).
//  2. Main code forks with `disabled` set (a critical section): the child
//     is still disabled, so no handler runs in it until it enables.
//! lab: act 10
//! cmdline: hz=2000
#include "u-lib.hh"
#include "u-activation.hh"

enum { IDLE = 0, FORK_IN_HANDLER, DONE };

extern "C" {
volatile int state;
volatile int in_child;
volatile pid_t child_pid = -1;
volatile uint64_t handled;

__attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    handled = handled + 1;
    if (state == FORK_IN_HANDLER) {
        state = DONE;
        pid_t p = sys_fork();
        if (p == 0) {
            in_child = 1;
        } else {
            child_pid = p;
        }
    }
    int r = act_resume(slot);
    panic("resume failed: %d", r);
}
}

void process_main() {
    // 1. Fork inside a handler; both sides come back here.
    state = FORK_IN_HANDLER;
    uint64_t progress = 0;
    while (state != DONE) {
        progress = progress + 1;
        asm volatile("" : "+r"(progress));
    }
    if (in_child) {
        // Main code resumed in the child, and later ticks are handled too.
        uint64_t h = handled;
        while (handled < h + 3) {
            asm volatile("pause" : : : "memory");
        }
        sys_exit(42);
    }
    assert_gt(child_pid, 0);
    int status = -1;
    assert_eq(sys_waitpid(child_pid, &status), child_pid);
    assert_eq(status, 42);

    // 2. Fork inside a critical section.
    act_disable();
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        uint64_t h = handled;
        int still_disabled = act_tc0()->disabled == 1;
        // Ticks pass: they only mark an activation pending.
        for (unsigned long i = 0; i < 4000000UL; ++i) {
            asm volatile("pause" : : : "memory");
        }
        int none_while_disabled = handled == h;
        act_enable();
        sys_exit(still_disabled && none_while_disabled ? 0 : 1);
    }
    act_enable();
    status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);
    console_printf("act-fork succeeded!\n");
    sys_exit(0);
}
