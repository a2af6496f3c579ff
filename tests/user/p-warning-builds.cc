// p-warning-builds.cc — a program whose source draws compiler warnings
// still builds and runs: user programs are compiled with Chickadee's
// warnings shown (-Wall -W -Wshadow) but not as errors, so coursework that
// warns is not refused. This file draws -Wunused-variable, -Wsign-compare
// and -Wshadow on purpose (the build prints them); with -Werror on user
// programs it would not build, and make check could not even start.
#include "u-lib.hh"

static int counter = 3;

void process_main() {
    int unused_on_purpose = 7;              // -Wunused-variable
    int negative = -1;
    size_t zero = 0;
    bool compared = negative < zero;        // -Wsign-compare: false (-1 becomes SIZE_MAX)
    int counter = 5;                        // -Wshadow: hides ::counter
    assert(!compared);
    assert_eq(counter + ::counter, 8);
    console_printf("warning-builds succeeded!\n");
}
