// ubsan.hh — the undefined-behaviour sanitizer's runtime (SAN=1 builds).
//
// With SAN=1 the kernel is compiled with -fsanitize=undefined and the
// compiler calls the __ubsan_handle_* functions of ubsan.cc wherever
// undefined behaviour happens. Each report names the kind, the source
// file:line:column and the calling function; then the kernel panics
// (a symbolized backtrace follows), unless booted with `ubsan=report`,
// which prints the report and carries on (for tests of the runtime).
#pragma once

// Reports printed since boot.
unsigned ubsan_reports();
