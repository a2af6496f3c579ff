// panic_stops_cpus.cc — a panic stops every other CPU (an NMI each, which
// gets through even with interrupts off), and says how many stopped: the
// other CPUs spin in kernel tasks with interrupts off when CPU 0 panics.
//! ncpu: 2 4
//! result: fail
//! expect: PANIC: .*deliberate panic with the other CPUs busy
//! expect: panic: (\d+) of \1 other CPUs stopped
//! reject: panic: 0 of
#include <atomic>
#include "assert.hh"
#include "cpustate.hh"
#include "ktest.hh"

namespace {
std::atomic<int> spinning{0};

void spin_or_panic(int cpu, void*) {
    if (cpu != 0) {
        spinning.fetch_add(1);
        for (;;) {
            pause();
        }
    }
    while (spinning.load() < ncpu - 1) {
        pause();
    }
    panic("deliberate panic with the other CPUs busy");
}
}  // namespace

KTEST(panic_stops_cpus) {
    ktest_run_on_cpus(spin_or_panic, nullptr);
}
