// printf_test.cc — lib/printf.cc against the host's own snprintf.
//
// Every case is formatted by both and compared, so the expectations are the
// C standard's. The few places Nuthatch deliberately differs (%p of null)
// are checked against literal strings instead.
#include "host_names.hh"
#include <gtest/gtest.h>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string>

// Several cases are deliberately odd formats (flags the standard says are
// ignored, huge widths, a trailing '%'); GCC's format checker would refuse
// them, but what we test is exactly how they behave.
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

namespace {

struct result {
    std::string text;
    int ret;
    bool operator==(const result& o) const { return text == o.text && ret == o.ret; }
};
std::ostream& operator<<(std::ostream& os, const result& r) {
    return os << '"' << r.text << "\" (returned " << r.ret << ")";
}

__attribute__((format(printf, 1, 2))) result ours(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = nh_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return {buf, n};
}

__attribute__((format(printf, 1, 2))) result host(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return {buf, n};
}

// Formats with both implementations and compares.
#define SAME(...) EXPECT_EQ(ours(__VA_ARGS__), host(__VA_ARGS__)) << "format " << #__VA_ARGS__

TEST(Printf, PlainText) {
    SAME("hello");
    SAME("");
    SAME("100%% sure %%");
}

TEST(Printf, SignedConversions) {
    SAME("%d %i", 0, 0);
    SAME("%d %i", 42, -42);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("%ld", LONG_MIN);
    SAME("%lld", LLONG_MIN);
    SAME("%lld", LLONG_MAX);
    SAME("%li", -1L);
    SAME("%hhd %hhd %hhd", 127, 128, 255);      // wraps to signed char
    SAME("%hd %hd", 32767, 65535);
    SAME("%zd", (ssize_t) -5);
    SAME("%jd %td", (intmax_t) -7, (ptrdiff_t) 9);
}

TEST(Printf, UnsignedConversions) {
    SAME("%u", 0U);
    SAME("%u", UINT_MAX);
    SAME("%lu", ULONG_MAX);
    SAME("%llu", ULLONG_MAX);
    SAME("%zu", SIZE_MAX);
    SAME("%zu", (size_t) 12345);
    SAME("%hhu %hu", 511, 131071);
    SAME("%x %X", 0xdeadbeefU, 0xdeadbeefU);
    SAME("%lx", 0x123456789abcdefUL);
    SAME("%llX", ~0ULL);
    SAME("%o", 8U);
    SAME("%o", 0U);
    SAME("%lo", ULONG_MAX);
    SAME("%x", -1);
}

TEST(Printf, CharsAndStrings) {
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("[%5c] [%-5c]", 'x', 'y');
    SAME("%s", "string");
    SAME("[%10s]", "right");
    SAME("[%-10s]", "left");
    SAME("[%.3s]", "truncate");
    SAME("[%.0s]", "gone");
    SAME("[%8.2s]", "abcdef");
    SAME("[%-8.2s]", "abcdef");
    SAME("[%.10s]", "short");
    SAME("[%s]", "");
}

TEST(Printf, Pointer) {
    int x;
    SAME("%p", (void*) &x);
    SAME("%p", (void*) 0x1000);
    SAME("[%20p] [%-20p]", (void*) 0xabc, (void*) 0xabc);
    // glibc prints "(nil)"; Nuthatch prints the number.
    EXPECT_EQ(ours("%p", (void*) nullptr), (result{"0x0", 3}));
}

TEST(Printf, Widths) {
    SAME("[%5d] [%-5d] [%05d]", 42, 42, 42);
    SAME("[%5d] [%-5d] [%05d]", -42, -42, -42);
    SAME("[%1d]", 12345);
    SAME("[%0d]", 7);
    SAME("[%20lld]", LLONG_MIN);
    SAME("[%-+6d|]", 3);
    SAME("[%08x] [%-8x] [%8X]", 0xbeefU, 0xbeefU, 0xbeefU);
}

TEST(Printf, Flags) {
    SAME("%+d %+d %+d", 5, -5, 0);
    SAME("% d % d % d", 5, -5, 0);
    SAME("%+ d", 5);                     // + wins over space
    SAME("%-05d|", 5);                   // - wins over 0
    SAME("%#x %#X %#o", 255U, 255U, 8U);
    SAME("%#x %#o", 0U, 0U);
    SAME("[%#10x] [%#-10x] [%#010x]", 0xabU, 0xabU, 0xabU);
    SAME("[%+05d] [% 05d]", 42, 42);
    SAME("%+u % u", 3U, 3U);             // sign flags ignored for unsigned
}

TEST(Printf, IntegerPrecision) {
    SAME("%.5d", 42);
    SAME("%.5d", -42);
    SAME("[%8.5d] [%-8.5d]", 42, -42);
    SAME("[%08.5d]", 42);               // 0 flag ignored with precision
    SAME("[%.0d] [%.0u] [%.0x]", 0, 0U, 0U);
    SAME("[%5.0d]", 0);
    SAME("%.3x", 0xaU);
    SAME("%+.3d", 7);
    SAME("%#.5x", 0x1fU);
    SAME("%#.5o", 8U);
    SAME("%#.0o", 0U);
}

TEST(Printf, StarWidthAndPrecision) {
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);               // negative width: left-justify
    SAME("[%.*d]", 4, 42);
    SAME("[%.*d]", -1, 42);              // negative precision: as if none
    SAME("[%*.*s]", 8, 3, "abcdef");
    SAME("[%-*.*s]", 8, 3, "abcdef");
    SAME("[%.*s]", -1, "whole");
    SAME("[%*s]", 0, "x");
}

TEST(Printf, Truncation) {
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    EXPECT_EQ(nh_snprintf(buf, 0, "hello %d", 12345), 11);
    EXPECT_EQ(buf[0], 'Z');                     // size 0: nothing written
    EXPECT_EQ(nh_snprintf(nullptr, 0, "%s", "abc"), 3);

    EXPECT_EQ(nh_snprintf(buf, 1, "hello"), 5);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'Z');

    EXPECT_EQ(nh_snprintf(buf, 4, "hello"), 5);
    EXPECT_STREQ(buf, "hel");
    EXPECT_EQ(buf[4], 'Z');

    EXPECT_EQ(nh_snprintf(buf, 6, "hello"), 5);
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(nh_snprintf(buf, 5, "hello"), 5);
    EXPECT_STREQ(buf, "hell");

    // Compare truncated output and return value against the host for
    // every buffer size.
    for (size_t size = 0; size <= 8; ++size) {
        char a[16], b[16];
        memset(a, 'Q', sizeof(a));
        memset(b, 'Q', sizeof(b));
        int na = nh_snprintf(a, size, "[%-6d|%s]", -123, "xyz");
        int nb = snprintf(b, size, "[%-6d|%s]", -123, "xyz");
        EXPECT_EQ(na, nb) << "size " << size;
        EXPECT_EQ(0, memcmp(a, b, sizeof(a))) << "size " << size;
    }
}

TEST(Printf, LongOutput) {
    std::string big(300, 'x');
    SAME("%s|%s", big.c_str(), "end");
    char small[16];
    EXPECT_EQ(nh_snprintf(small, sizeof(small), "%s", big.c_str()), 300);
    EXPECT_EQ(strlen(small), 15u);
}

TEST(Printf, UnknownConversionIsPrintedLiterally) {
    EXPECT_EQ(ours("a%qb"), (result{"a%qb", 4}));
    // A lone '%' at the end of the format does not read past it.
    EXPECT_EQ(ours("50%").ret, 3);
}

TEST(Printf, HugeWidthDoesNotOverflow) {
    // Widths and precisions saturate at 65536 (no signed overflow, no
    // gigabyte of padding from a hostile format).
    char buf[8];
    EXPECT_EQ(nh_snprintf(buf, sizeof(buf), "%99999999999999999999d", 1), 65536);
    EXPECT_STREQ(buf, "       ");
    EXPECT_EQ(nh_snprintf(buf, sizeof(buf), "%*d", INT_MIN, 1), 65536);
    EXPECT_STREQ(buf, "1      ");
    EXPECT_EQ(nh_snprintf(buf, sizeof(buf), "%.*d", INT_MAX, 1), 65536);
    EXPECT_EQ(nh_snprintf(buf, sizeof(buf), "%.99999999999s", "abc"), 3);
}

}  // namespace
