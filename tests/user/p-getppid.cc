// p-getppid.cc — getppid before and after the parent exits.
//
// The test process T forks P; P forks C. C checks getppid() == P while P
// is alive (P waits until C says it has checked), then P exits. C polls
// until its parent changes and checks that it is now init (pid 1). T does
// not reap P until C has seen the change: an orphan is reparented when its
// parent exits, not when the parent is reaped. C reports through cells of
// the console page (shared by fork): T cannot wait for C, which is init's
// child now.
//
// Kernel behaviour assumed: orphans are reparented to pid 1 at their
// parent's exit; init reaps them; the console page is shared by fork.
//! lab: proc 10
#include "u-lib.hh"

namespace {

volatile uint16_t* const c_checked = &console[CPOS(22, 0)];    // C saw ppid == P
volatile uint16_t* const c_orphaned = &console[CPOS(22, 1)];   // C saw ppid == 1
volatile uint16_t* const c_pid = &console[CPOS(22, 2)];

// Sleeps in small steps until *cell != 0; false after ~10 s.
bool wait_for(volatile uint16_t* cell) {
    for (int i = 0; i < 2000; ++i) {
        if (*cell != 0) {
            return true;
        }
        sys_msleep(5);
    }
    return *cell != 0;
}

}  // namespace

void process_main() {
    console_clear();
    *c_checked = 0;
    *c_orphaned = 0;
    *c_pid = 0;
    pid_t t = sys_getpid();
    assert_gt(sys_getppid(), 0);

    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        pid_t self = sys_getpid();
        assert_eq(sys_getppid(), t);
        pid_t c = sys_fork();
        assert_ge(c, 0);
        if (c == 0) {
            // C: the parent is alive until we set c_checked.
            *c_pid = uint16_t(sys_getpid());
            assert_eq(sys_getppid(), self);
            *c_checked = 1;
            pid_t now;
            int polls = 0;
            while ((now = sys_getppid()) == self) {
                assert_lt(++polls, 5000);
                sys_msleep(2);
            }
            assert_eq(now, 1);
            assert_eq(sys_getppid(), 1);    // and it stays so
            *c_orphaned = 1;
            sys_exit(0);
        }
        assert(wait_for(c_checked), "the grandchild never ran");
        sys_exit(5);            // without waiting for C
    }

    // P exits; C must see init as its parent while P is still a zombie.
    assert(wait_for(c_orphaned), "the orphan never saw getppid() == 1");
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 5);
    // C belongs to init, not to us.
    assert_ne(*c_pid, 0);
    assert_eq(sys_waitpid(*c_pid, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);

    console_printf("getppid succeeded!\n");
    sys_exit(0);
}
