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
// Index of the least significant set bit plus one; 0 for 0.
template <typename T>
inline constexpr int lsb(T x) {
    static_assert(std::is_integral_v<T>);
    using U = std::make_unsigned_t<T>;
    return __builtin_ffsll(static_cast<long long>(static_cast<unsigned long long>(U(x))));
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
// Chickadee's spellings of the two above.
template <typename T>
inline constexpr T round_down_pow2(T x) {
    return rounddown_pow2(x);
}
template <typename T>
inline constexpr T round_up_pow2(T x) {
    return roundup_pow2(x);
}

// bitset_view(words, n): the `n` bits stored in the 64-bit words at
// `words` (bit i is bit i % 64 of words[i / 64]). view[i] reads a bit, or
// assigns it through a proxy; find_lsb(i, n) / find_lsz(i, n) return the
// lowest index >= i holding a 1 / a 0, looking at no more than n bits and
// never past size(); they return size() when there is none.
struct bitset_view {
    uint64_t* v_;
    size_t n_;

    struct bit {
        uint64_t& word_;
        uint64_t mask_;
        constexpr bit(uint64_t& word, uint64_t mask) : word_(word), mask_(mask) {}
        bit(const bit&) = delete;
        bit& operator=(const bit&) = delete;
        constexpr operator bool() const { return (word_ & mask_) != 0; }
        bit& operator=(bool x) {
            word_ = x ? word_ | mask_ : word_ & ~mask_;
            return *this;
        }
        bit& operator|=(bool x) { return *this = bool(*this) | x; }
        bit& operator&=(bool x) { return *this = bool(*this) & x; }
        bit& operator^=(bool x) { return *this = bool(*this) ^ x; }
    };

    bitset_view(uint64_t* v, size_t n) : v_(v), n_(n) {}
    constexpr size_t size() const { return n_; }
    bool operator[](size_t i) const { return (v_[i / 64] >> (i % 64)) & 1; }
    bit operator[](size_t i) { return bit(v_[i / 64], uint64_t(1) << (i % 64)); }
    size_t find_lsb(size_t i = 0, size_t n = size_t(-1)) const { return find(i, n, 0); }
    size_t find_lsz(size_t i = 0, size_t n = size_t(-1)) const { return find(i, n, ~uint64_t(0)); }

private:
    // Lowest index in [i, min(i + n, size())) whose bit differs from
    // `flip`'s bits (flip 0: a set bit; flip all-ones: a clear bit).
    size_t find(size_t i, size_t n, uint64_t flip) const {
        size_t stop = n < n_ - min(i, n_) ? i + n : n_;
        while (i < stop) {
            uint64_t w = (v_[i / 64] ^ flip) >> (i % 64);
            if (w) {
                size_t at = i + __builtin_ctzll(w);
                return at < stop ? at : n_;
            }
            i = (i / 64 + 1) * 64;
        }
        return n_;
    }
};

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
