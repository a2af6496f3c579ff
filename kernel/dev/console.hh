// console.hh — the kernel console: COM1 serial plus the CGA text screen.
//
// Serial is primary (terminals, scripts, the test harness); the CGA screen
// at physical 0xB8000 is kept in step. Easy to get wrong: the panic path
// must be able to print even if the console lock is held by the CPU that
// is panicking, so `console_write` has a forced mode.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/errno.hh"
#include "abi/types.hh"

void console_init();
// Blank the CGA screen and put the cursor (and the console page's
// `cursorpos`) at 0. Init calls it just before the first user process.
void console_clear_screen();
void console_write(const char* s, size_t n);
// For panic: write without waiting for the console lock for long, and
// without waiting at all once console_panic_alone says every other CPU has
// stopped.
void console_write_forced(const char* s, size_t n);
void console_panic_alone();
// Polled serial input: a byte, or -1 if none is waiting.
int serial_try_getc();
// Interrupt-driven input: route COM1's IRQ to CPU 0; its bytes go to
// console_input_byte. (The PS/2 keyboard is set up by keyboard_init.)
void console_enable_input_interrupts();
// Serial only (user console_printf mirrors its screen text this way).
void console_write_serial(const char* s, size_t n);
// One typed byte into the line discipline (ttyline.hh): echoed, edited,
// and readable through console_read_line once its line is complete.
// Called by the serial and keyboard interrupt handlers and by tests; any
// kernel context, interrupts on or off.
void console_input_byte(char ch);
// Block until a line (or end of file) is available, then copy up to `size`
// bytes of it, ending after its '\n'; what does not fit stays for the next
// call. Returns the number of bytes, 0 at end of file (Ctrl-D at the start
// of a line) or if `size` is 0, E_INTR if the calling process is killed
// (Ctrl-K) while it waits. `buf` must be kernel memory: it is written
// with a spinlock held (sys_read should bounce through a kernel buffer).
ssize_t console_read_line(char* buf, size_t size);
