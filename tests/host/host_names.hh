// host_names.hh — how host tests reach lib/ functions whose names collide
// with the host C library.
//
// The Makefile compiles lib/*.cc for the host with -Dsnprintf=nh_snprintf
// -Dvsnprintf=nh_vsnprintf (and lib/string.cc with every name renamed), so Nuthatch's versions are linked under these
// names (C++ linkage) next to glibc's. Easy to get wrong: do not include
// lib/printf.hh in a test file, or its declarations would name glibc's.
#pragma once
#include <stdarg.h>
#include <stddef.h>

int nh_snprintf(char* buf, size_t size, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
int nh_vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);

// lib/string.cc, compiled with every function renamed (see the Makefile).
extern "C" {
void* nh_memcpy(void* dst, const void* src, size_t n);
void* nh_memmove(void* dst, const void* src, size_t n);
void* nh_memset(void* s, int c, size_t n);
}
