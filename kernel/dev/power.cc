// power.cc — power-off through ACPI, and harness verdicts (see power.hh).
#include "power.hh"
#include "acpi.hh"
#include "console.hh"
#include "arch/insns.hh"
#include "log.hh"

namespace {
bool harness = false;
}

bool harness_mode() {
    return harness;
}

void set_harness_mode(bool on) {
    harness = on;
}

void power_off() {
    acpi_power_off();
    // Firmware without ACPI S5 (or a machine we do not understand): QEMU's
    // i440fx and q35 both answer at the conventional PM1a control port.
    outw(0x604, 0x2000);
    // Power-off takes effect asynchronously; only complain if we are
    // still here a good while later.
    for (uint64_t start = rdtsc(); rdtsc() - start < (uint64_t(1) << 31);) {
        pause();
    }
    kprintf("Nuthatch: power-off failed; halting.\n");
    halt_forever();
}

void finish_run(bool pass) {
    if (harness) {
        outb(DEBUG_EXIT_PORT, pass ? DEBUG_EXIT_PASS : DEBUG_EXIT_FAIL);
    }
    if (pass) {
        power_off();
    }
    // Forced: after a panic the console lock may belong to a stopped CPU.
    const char text[] = "Nuthatch: halted. (In QEMU: Ctrl-A x quits.)\n";
    console_write_forced(text, sizeof(text) - 1);
    halt_forever();
}
