// panic_console_held.cc — a panic prints promptly even when another CPU
// held the console lock when it was stopped: CPU 1 writes to the console
// without pause while CPU 0 panics. The stopped CPU never releases the
// lock; before, every line of the panic waited out the full lock timeout
// (seconds each), so the report took longer than this test's timeout.
//! ncpu: 2
//! result: fail
//! timeout: 15
//! expect: PANIC: .*deliberate panic while CPU 1 prints
//! expect: panic: 1 of 1 other CPUs stopped
#include <atomic>
#include "console.hh"
#include "cpustate.hh"
#include "ktest.hh"

namespace {
std::atomic<bool> printing{false};
char dots[1024];

void print_or_panic(int cpu, void*) {
    if (cpu == 1) {
        for (size_t i = 0; i < sizeof(dots); ++i) {
            dots[i] = i % 64 == 63 ? '\n' : '.';
        }
        for (;;) {
            console_write(dots, sizeof(dots));
            printing.store(true);
        }
    }
    while (!printing.load()) {
        pause();
    }
    panic("deliberate panic while CPU 1 prints");
}
}  // namespace

KTEST(panic_console_held) {
    ktest_run_on_cpus(print_or_panic, nullptr, 2);
}
