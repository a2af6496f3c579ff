// log.hh — kernel printing and the leveled kernel log.
//
// `kprintf` always reaches the serial console and QEMU's debug console
// (port 0xE9, which the Makefile's LOG knob sends to a file), never the CGA
// screen: the screen belongs to user programs, and the first one starts on
// a cleared screen (coursework reads its own lines back from it).
// `kprintf_screen` also draws on the screen: for the interactive monitor.
// `log_printf(level, ...)` reaches the serial console when `level` is at or
// above the threshold set by the command line (`log=error|warn|info|debug`,
// default info) — never the CGA screen — and always reaches the debug
// console. Panics draw on the screen too (panic.cc).
#pragma once
#include <stdarg.h>

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };

void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char* fmt, va_list ap);
void kprintf_screen(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void log_printf(log_level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_threshold(log_level level);
// Parse a level name; returns false (and leaves `out`) if unknown.
bool log_parse_level(const char* name, log_level* out);
