// console.hh — the kernel console: COM1 serial plus the CGA text screen.
//
// Serial is primary (terminals, scripts, the test harness); the CGA screen
// at physical 0xB8000 is kept in step. Easy to get wrong: the panic path
// must be able to print even if the console lock is held by the CPU that
// is panicking, so `console_write` has a forced mode.
#pragma once
#include <stddef.h>
#include <stdint.h>

void console_init();
void console_write(const char* s, size_t n);
// For panic: write without waiting for the console lock for long.
void console_write_forced(const char* s, size_t n);
// Polled serial input: a byte, or -1 if none is waiting.
int serial_try_getc();
// Interrupt-driven input: route COM1's IRQ to CPU 0 and buffer its bytes.
void console_enable_input_interrupts();
// Next input byte, blocking the current task until one arrives.
int console_getc();
// Next input byte or -1, without blocking.
int console_try_getc();
// Serial only (user console_printf mirrors its screen text this way).
void console_write_serial(const char* s, size_t n);
// Read up to `n` bytes of typed input, a line at a time (blocks).
// Returns the count, or 0 at end of file (Ctrl-D at the start of a line).
long console_read(char* buf, size_t n);
