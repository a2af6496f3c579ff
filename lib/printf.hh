// printf.hh — the freestanding printf family shared by kernel, user programs
// and host tests.
//
// Every formatted-output path in Nuthatch goes through `vformat`, which
// writes characters one at a time to a `printer`. Easy to get wrong:
// `snprintf` returns the length the full output *would* have had, even when
// it truncated, exactly like the C standard says.
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct printer {
    // Called once per output character.
    void (*putc)(printer* self, char ch);
};

// Supported: %d %i %u %x %X %o %p %s %c %%, flags `-0+ #`, width and
// precision (numbers or `*`), length modifiers hh h l ll z t j.
// Returns the number of characters produced.
int vformat(printer* p, const char* fmt, va_list ap);
int format(printer* p, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);
int snprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
