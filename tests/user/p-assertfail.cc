// p-assertfail.cc — a failed user assertion fails the run, and its report
// names the expression, the file and the line.
//
// u-lib's assert prints "FILE:LINE: assertion 'EXPR' failed" on the console
// (and so on the serial port) and ends the process with sys_panic; under
// the harness the kernel must then report failure. Nothing after the
// assertion runs. The expected line number below must match the assert.
//! result: fail
//! expect: tests/user/p-assertfail\.cc:20: assertion 'twice == 7' failed
//! reject: assertfail: not reached
//! reject: succeeded!
//! ncpu: 1
#include "u-lib.hh"

volatile int three = 3;

void process_main() {
    int twice = three * 2;
    console_printf("assertfail: about to fail an assertion on purpose\n");
    assert(twice == 7);
    console_printf("assertfail: not reached\n");
    console_printf("assertfail succeeded!\n");
    sys_exit(0);
}
