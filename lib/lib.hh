// lib.hh — the small C library shared by the kernel and user programs
// (Chickadee's lib.hh surface): types, string functions, printf family,
// strtol, ctype, rand, crc32c, min/max, arraysize, printfmt.
//
// User programs get this through user/u-lib.hh. Nothing here may touch
// hardware or know about processes. Easy to get wrong: rand() keeps one
// generator per address space, so a fork()ed child continues the parent's
// sequence unless it reseeds.
#pragma once
#include "abi/errno.hh"
#include "abi/types.hh"
#include "printf.hh"
#include "string.hh"
#include "x86-64.hh"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <type_traits>

// strtol, strtoul: C semantics (leading space, sign, base 0 detects 0x and
// 0 prefixes); out-of-range values saturate to LONG_MAX/LONG_MIN/ULONG_MAX.
long strtol(const char* s, char** endptr = nullptr, int base = 0);
unsigned long strtoul(const char* s, char** endptr = nullptr, int base = 0);

inline constexpr bool isspace(int ch) {
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}
inline constexpr bool isdigit(int ch) {
    return ch >= '0' && ch <= '9';
}
inline constexpr bool isxdigit(int ch) {
    return isdigit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}
inline constexpr bool isalpha(int ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}
inline constexpr bool isupper(int ch) {
    return ch >= 'A' && ch <= 'Z';
}
inline constexpr bool islower(int ch) {
    return ch >= 'a' && ch <= 'z';
}
inline constexpr bool isalnum(int ch) {
    return isalpha(ch) || isdigit(ch);
}
inline constexpr int toupper(int ch) {
    return islower(ch) ? ch - 'a' + 'A' : ch;
}
inline constexpr int tolower(int ch) {
    return isupper(ch) ? ch - 'A' + 'a' : ch;
}

// Pseudo-random numbers: rand() in [0, RAND_MAX]; rand(min, max) in
// [min, max] inclusive. Not for cryptography.
#define RAND_MAX 0x7FFFFFFF
int rand();
void srand(unsigned seed);
int rand(int min, int max);

// CRC-32C (Castagnoli). crc32c(crc32c(0, a, n), b, m) equals the CRC of
// the concatenation, so a checksum can be computed piecewise.
uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);
inline uint32_t crc32c(const void* buf, size_t sz) {
    return crc32c(0, buf, sz);
}

#ifndef offsetof
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif

// Number of elements in an array (not a pointer).
#define arraysize(array) (sizeof(array) / sizeof((array)[0]))

template <typename T>
inline constexpr T min(T a, T b) {
    return a < b ? a : b;
}
template <typename T>
inline constexpr T max(T a, T b) {
    return b < a ? a : b;
}

// Index of the most significant set bit plus one; 0 for 0.
template <typename T>
inline constexpr int msb(T x) {
    static_assert(std::is_integral_v<T>);
    using U = std::make_unsigned_t<T>;
    return x ? int(sizeof(unsigned long long) * 8)
                   - __builtin_clzll(static_cast<unsigned long long>(U(x)))
             : 0;
}
template <typename T>
inline constexpr T rounddown_pow2(T x) {
    static_assert(std::is_unsigned_v<T>);
    return x ? T(1) << (msb(x) - 1) : 0;
}
template <typename T>
inline constexpr T roundup_pow2(T x) {
    static_assert(std::is_unsigned_v<T>);
    return x ? T(1) << msb(T(x - 1)) : 0;
}

// printfmt<T>::spec: the printf conversion that prints a T.
template <typename T> struct printfmt { static constexpr char spec[] = "p"; };
template <> struct printfmt<bool> { static constexpr char spec[] = "d"; };
template <> struct printfmt<char> { static constexpr char spec[] = "c"; };
template <> struct printfmt<signed char> { static constexpr char spec[] = "d"; };
template <> struct printfmt<unsigned char> { static constexpr char spec[] = "u"; };
template <> struct printfmt<short> { static constexpr char spec[] = "d"; };
template <> struct printfmt<unsigned short> { static constexpr char spec[] = "u"; };
template <> struct printfmt<int> { static constexpr char spec[] = "d"; };
template <> struct printfmt<unsigned> { static constexpr char spec[] = "u"; };
template <> struct printfmt<long> { static constexpr char spec[] = "ld"; };
template <> struct printfmt<unsigned long> { static constexpr char spec[] = "lu"; };
template <> struct printfmt<long long> { static constexpr char spec[] = "lld"; };
template <> struct printfmt<unsigned long long> { static constexpr char spec[] = "llu"; };
