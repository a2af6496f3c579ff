// backtrace.hh — printing from the panic path, and frame-pointer backtraces.
//
// Used by panic and by the fault handlers; everything here prints through
// the forced console path so it works with the console lock held.
#pragma once
#include <stdint.h>

void panic_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Print a backtrace starting at `rip`, following the %rbp chain from `rbp`.
void print_backtrace(uint64_t rbp, uint64_t rip);
// First CPU to call this returns true (and interrupts are now off); later
// callers should stop.
bool panic_enter();
[[noreturn]] void panic_finish();
