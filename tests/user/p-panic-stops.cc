// p-panic-stops.cc — when a process calls sys_panic under the harness, the
// run fails at once and every other CPU stops, including CPUs running user
// code (their NMI arrives in user mode; it must halt the CPU, not kill the
// process there). Children spin in user mode, one for each CPU, each
// marking a console cell once it runs; then the parent panics.
//! ncpu: 2 4
//! result: fail
//! expect: PANIC: process \d+ \(panic-stops\): all children spinning
//! expect: panic: (\d+) of \1 other CPUs stopped
//! reject: panic: 0 of
#include "u-lib.hh"

namespace {
constexpr int nchildren = 4;
volatile uint16_t* const started = &console[CPOS(23, 0)];
}  // namespace

void process_main() {
    for (int i = 0; i < nchildren; ++i) {
        started[i] = 0;
    }
    for (int i = 0; i < nchildren; ++i) {
        pid_t child = sys_fork();
        assert_ge(child, 0);
        if (child == 0) {
            started[i] = 'S';
            for (;;) {
                pause();
            }
        }
    }
    for (int i = 0; i < nchildren; ++i) {
        while (started[i] != 'S') {
            sys_yield();
        }
    }
    panic("all children spinning");
}
