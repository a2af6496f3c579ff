// p-consoleshare.cc — fork shares the console page instead of copying it.
//
// After fork, a store by either process to the console page is seen by
// the other at once: the child waits for a cell the parent writes after
// the fork, answers in another cell, and writes text with sys_write, which
// moves the shared `cursorpos`; the parent sees all three.
//
// Kernel behaviour assumed: the console page at 0xB8000 is mapped to the
// same physical page in every process.
#include "u-lib.hh"

namespace {

volatile uint16_t* const from_parent = &console[CPOS(20, 0)];
volatile uint16_t* const from_child = &console[CPOS(20, 1)];

}  // namespace

void process_main() {
    console_clear();
    *from_parent = 0;
    *from_child = 0;
    cursorpos = CPOS(10, 0);

    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        int polls = 0;
        while (*from_parent != ('P' | 0x0700)) {
            assert_lt(++polls, 5000);
            sys_msleep(2);
        }
        assert_eq(sys_write(1, "from the child\n", 15), 15);
        *from_child = 'C' | 0x0200;
        sys_exit(0);
    }
    *from_parent = 'P' | 0x0700;

    int polls = 0;
    while (*from_child == 0) {
        assert_lt(++polls, 5000);
        sys_msleep(2);
    }
    assert_eq(*from_child, 'C' | 0x0200);
    assert_eq(cursorpos, CPOS(11, 0));
    assert_eq(char(console[CPOS(10, 0)] & 0xFF), 'f');
    assert_eq(char(console[CPOS(10, 13)] & 0xFF), 'd');

    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 0);
    console_printf("consoleshare succeeded!\n");
    sys_exit(0);
}
