// p-waitpid.cc — sys_exit and sys_waitpid in every mode.
//
// Covered: waiting for one specific child while another has already
// exited; pid 0 = any child; W_NOHANG → E_AGAIN while a child still runs,
// and → the child once it has exited; the exit status through `int*
// status` (full int range, including 0, negative and > 255 values, and 0
// for returning from process_main); a null status pointer; E_CHILD for
// oneself, one's parent, a nonexistent pid, a grandchild, an already
// reaped child, and for pid 0 (blocking or W_NOHANG) with no children.
//
// A child that must still be running when the parent checks W_NOHANG
// waits for a flag in the console page (shared by fork), so the test does
// not depend on timing.
//! lab: proc 15
#include "u-lib.hh"

namespace {

volatile uint16_t* flag(int i) {
    return &console[CPOS(22, i)];
}

// Forks a child that optionally waits for `*flag(wait_flag)` to become
// nonzero, then exits with `status`.
pid_t spawn(int status, int wait_flag = -1) {
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        while (wait_flag >= 0 && *flag(wait_flag) == 0) {
            sys_msleep(2);
        }
        sys_exit(status);
    }
    return p;
}

void sleep_a_little() {
    for (int i = 0; i < 5; ++i) {
        sys_msleep(2);          // E_INTR from a child's exit is fine here
    }
}

}  // namespace

void process_main() {
    console_clear();
    for (int i = 0; i < 8; ++i) {
        *flag(i) = 0;
    }
    pid_t self = sys_getpid();
    int status;

    // A specific child: `a` is still running when `b` has exited; waiting
    // for `a` must return `a`, not `b`.
    pid_t a = spawn(11, 0);
    pid_t b = spawn(22);
    sleep_a_little();
    *flag(0) = 1;
    status = -1;
    assert_eq(sys_waitpid(a, &status), a);
    assert_eq(status, 11);
    status = -1;
    assert_eq(sys_waitpid(b, &status), b);
    assert_eq(status, 22);

    // pid 0: any child, one child.
    pid_t c = spawn(33);
    status = -1;
    assert_eq(sys_waitpid(0, &status), c);
    assert_eq(status, 33);

    // pid 0 with two children, only one of which can exit: the wait
    // returns that one; the next wait returns the other once it exits.
    pid_t d2 = spawn(42, 1);
    pid_t d1 = spawn(41);
    status = -1;
    assert_eq(sys_waitpid(0, &status), d1);
    assert_eq(status, 41);
    *flag(1) = 1;
    status = -1;
    assert_eq(sys_waitpid(0, &status), d2);
    assert_eq(status, 42);

    // W_NOHANG while the child runs: E_AGAIN, for that pid and for pid 0.
    pid_t e = spawn(55, 2);
    assert_eq(sys_waitpid(e, &status, W_NOHANG), E_AGAIN);
    assert_eq(sys_waitpid(0, &status, W_NOHANG), E_AGAIN);
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_AGAIN);
    *flag(2) = 1;
    status = -1;
    assert_eq(sys_waitpid(e, &status), e);
    assert_eq(status, 55);

    // W_NOHANG once the child has exited: returns it.
    pid_t f = spawn(66);
    pid_t r;
    status = -1;
    int polls = 0;
    while ((r = sys_waitpid(f, &status, W_NOHANG)) == E_AGAIN) {
        assert_lt(++polls, 10000);
        sys_msleep(1);
    }
    assert_eq(r, f);
    assert_eq(status, 66);

    // A null status pointer is allowed (both the default argument and an
    // explicit one).
    pid_t g = spawn(77);
    assert_eq(sys_waitpid(g), g);
    pid_t h = spawn(78);
    assert_eq(sys_waitpid(h, nullptr, 0), h);

    // The whole int is the status.
    static const int statuses[] = {0, 1, 255, 256, 100000, -1, -12345, 0x7FFFFFFF};
    for (int s : statuses) {
        pid_t p = spawn(s);
        status = 0x5A5A5A5A;
        assert_eq(sys_waitpid(p, &status), p);
        assert_eq(status, s);
    }

    // Returning from process_main exits with status 0.
    pid_t ret = sys_fork();
    assert_ge(ret, 0);
    if (ret == 0) {
        return;
    }
    status = -1;
    assert_eq(sys_waitpid(ret, &status), ret);
    assert_eq(status, 0);

    // A grandchild is not a child: `m` forks `n` (which waits for a flag)
    // and exits with n's pid as its status.
    pid_t m = sys_fork();
    assert_ge(m, 0);
    if (m == 0) {
        pid_t n = spawn(99, 3);
        sys_exit(n);
    }
    status = -1;
    assert_eq(sys_waitpid(m, &status), m);
    pid_t grandchild = status;
    assert_gt(grandchild, 0);
    assert_ne(grandchild, m);
    assert_eq(sys_waitpid(grandchild, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(grandchild), E_CHILD);
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);
    *flag(3) = 1;               // let the orphan finish (init reaps it)

    // E_CHILD: no children left, already reaped, not a child at all.
    assert_eq(sys_waitpid(0), E_CHILD);
    assert_eq(sys_waitpid(0, &status), E_CHILD);
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(a), E_CHILD);
    assert_eq(sys_waitpid(f, &status, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(self), E_CHILD);
    assert_eq(sys_waitpid(sys_getppid()), E_CHILD);
    assert_eq(sys_waitpid(1, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(30000), E_CHILD);

    console_printf("waitpid succeeded!\n");
    sys_exit(0);
}
