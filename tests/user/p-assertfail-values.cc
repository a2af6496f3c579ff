// p-assertfail-values.cc — a failed assert_eq reports both values, and a
// failed assertion in a forked child fails the run too.
//
// The child fails `assert_eq(left, right)` with 6 and 42: the report is
// "FILE:LINE: assertion 'left == right' failed: left 6, right 42", then
// sys_panic, which under the harness ends the whole run as a failure
// (whichever process called it: sys_panic stops the kernel at once, as in
// Chickadee). The parent just waits.
//! result: fail
//! expect: tests/user/p-assertfail-values\.cc:25: assertion 'left == right' failed: left 6, right 42
//! reject: succeeded!
//! reject: did not end the run
//! ncpu: 1
#include "u-lib.hh"

volatile int six = 6;

void process_main() {
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        int left = six;
        long right = 42;
        console_printf("assertfail-values: child about to fail assert_eq\n");
        assert_eq(left, right);
        sys_exit(0);
    }
    sys_waitpid(p);
    // If the kernel let us get here, the run would pass, which is wrong:
    // end with an exit status that init treats as failure anyway.
    console_printf("assertfail-values: the child's sys_panic did not end the run\n");
    sys_exit(1);
}
