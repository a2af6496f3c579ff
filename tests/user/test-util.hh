// test-util.hh — small helpers shared by user tests.
#pragma once
#include "u-lib.hh"

// Timer ticks since boot (`usage::time`). Ticks advance only when CPU 0
// takes a timer interrupt.
inline unsigned long ticks() {
    usage u;
    assert_eq(sys_getusage(&u), 0);
    return u.time;
}

// Runs `fn` in a forked child and returns the child's exit status: what
// `fn` passes to sys_exit, 0 if it returns, 128 + vector if a fault kills
// the child.
inline int child_status(void (*fn)()) {
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        fn();
        sys_exit(0);
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    return status;
}
