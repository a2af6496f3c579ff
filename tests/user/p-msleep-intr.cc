// p-msleep-intr.cc — sys_msleep returns 0 after a normal sleep and E_INTR
// when a child of the caller exits during the sleep.
//
// Checked: msleep(0) and a short msleep return 0; a child that is alive
// but does not exit does not interrupt the sleep; a child exiting ~50 ms
// into a 10 s sleep ends it early with E_INTR (measured with the `time`
// field of sys_getusage, calibrated against a 100 ms sleep), and that
// child can then be reaped with its status.
//
// Kernel behaviour assumed: as above; `usage::time` counts timer ticks at
// a steady rate of at least 10 per second.
//! lab: proc 15
#include "test-util.hh"

namespace {

volatile uint16_t* const release = &console[CPOS(22, 0)];

}  // namespace

void process_main() {
    console_clear();
    *release = 0;

    // Normal sleeps; calibrate ticks against 100 ms.
    assert_eq(sys_msleep(0), 0);
    assert_eq(sys_msleep(5), 0);
    unsigned long t0 = ticks();
    assert_eq(sys_msleep(100), 0);
    unsigned long ticks_100ms = ticks() - t0;
    assert_gt(ticks_100ms, 0UL);

    // A running child that does not exit does not interrupt.
    pid_t runner = sys_fork();
    assert_ge(runner, 0);
    if (runner == 0) {
        while (*release == 0) {
            sys_msleep(2);
        }
        sys_exit(3);
    }
    assert_eq(sys_msleep(30), 0);
    *release = 1;
    int status = -1;
    assert_eq(sys_waitpid(runner, &status), runner);
    assert_eq(status, 3);

    // A child exits during a long sleep.
    pid_t quitter = sys_fork();
    assert_ge(quitter, 0);
    if (quitter == 0) {
        assert_eq(sys_msleep(50), 0);
        sys_exit(9);
    }
    unsigned long t1 = ticks();
    int r = sys_msleep(10000);
    unsigned long slept = ticks() - t1;
    assert_eq(r, E_INTR);
    // 10 s would be 100 * ticks_100ms; allow up to 3 s for a slow machine.
    assert_lt(slept, 30 * ticks_100ms);
    status = -1;
    assert_eq(sys_waitpid(quitter, &status), quitter);
    assert_eq(status, 9);

    // No children: a sleep is a sleep again.
    assert_eq(sys_msleep(10), 0);

    console_printf("msleep-intr: interrupted after %lu ticks (%lu ticks per 100 ms)\n",
                   slept, ticks_100ms);
    console_printf("msleep-intr succeeded!\n");
    sys_exit(0);
}
