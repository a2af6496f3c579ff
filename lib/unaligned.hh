// unaligned.hh — reading a field of a given type at a byte offset in
// untrusted data (boot information, file images), whatever its alignment.
//
// Easy to get wrong: casting `base + offset` to `T*` and dereferencing is
// undefined for misaligned data; a byte copy is always correct, and the
// compiler turns it into one load.
#pragma once
#include <stddef.h>

template <typename T>
inline T read_unaligned(const void* base, size_t offset) {
    T v;
    __builtin_memcpy(&v, static_cast<const char*>(base) + offset, sizeof(T));
    return v;
}
