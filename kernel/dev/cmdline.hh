// cmdline.hh — the kernel command line: space-separated `key=value` words
// and bare flags. Known words: harness, test=NAME, run=NAME, ncpu=N,
// log=LEVEL, halt=CENTISECONDS, hz=N, ahci=noncq (kernel/dev/ahci.cc),
// ubsan=report (kernel/debug/ubsan.cc), bufcache=N (kernel/core/bufcache.cc),
// diskfail=N (kernel/dev/faultdisk.cc). Unknown words are reported (see
// cmdline_report_unknown), not fatal.
#pragma once
#include <stddef.h>

void cmdline_init(const char* text);
const char* cmdline_text();
// Copies the value of `key=` into buf; false if absent.
bool cmdline_value(const char* key, char* buf, size_t size);
// True if the bare word `flag` (or `flag=...`) is present.
bool cmdline_flag(const char* flag);
// Value of `key=N` for a decimal N from 0 to cmdline_number_max; `fallback`
// if the key is absent, and (with a warning) if N is anything else.
constexpr long cmdline_number_max = 2147483647;
long cmdline_number(const char* key, long fallback);
// Log a warning for each word that is not a known key.
void cmdline_report_unknown();
