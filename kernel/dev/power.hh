// power.hh — ending a run: ACPI power-off, and verdicts for the harness.
//
// In harness mode (`harness` on the command line) the kernel ends every run
// by writing a verdict to QEMU's isa-debug-exit device (port 0xF4), so
// QEMU's exit status is the test result: pass exits 33, fail exits 35.
// Easy to get wrong: the device only exists when QEMU was started with it;
// if the write does nothing, fall back to power-off, then halt.
#pragma once

constexpr unsigned short DEBUG_EXIT_PORT = 0xF4;
constexpr unsigned char DEBUG_EXIT_PASS = 0x10;     // QEMU exits (0x10 << 1) | 1 = 33
constexpr unsigned char DEBUG_EXIT_FAIL = 0x11;     // QEMU exits 35

bool harness_mode();
void set_harness_mode(bool on);
[[noreturn]] void power_off();
// Harness: exit QEMU with the verdict. Otherwise: power off (pass) or halt
// with a message (fail), so the reader can still see the screen.
[[noreturn]] void finish_run(bool pass);
