// stdlib.cc — strtol/strtoul and the pseudo-random generator (lib.hh).
//
// Easy to get wrong: overflow must be detected before it happens (the
// accumulator is unsigned and compared against the limit first), and
// "0x" followed by no hex digit parses as the number 0 ending at 'x'.
#include "lib.hh"

namespace {

int digit_value(char ch) {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    } else if (ch >= 'a' && ch <= 'z') {
        return ch - 'a' + 10;
    } else if (ch >= 'A' && ch <= 'Z') {
        return ch - 'A' + 10;
    }
    return 99;
}

// Parses the magnitude; `limit` is the largest magnitude representable.
// Returns the (saturated) magnitude and sets *negative and *end.
unsigned long parse_magnitude(const char* s, int base, unsigned long limit_pos,
                              unsigned long limit_neg, bool* negative, const char** end,
                              bool* overflowed) {
    const char* p = s;
    while (isspace((unsigned char) *p)) {
        ++p;
    }
    *negative = false;
    if (*p == '+' || *p == '-') {
        *negative = *p == '-';
        ++p;
    }
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')
        && digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    *end = s;
    *overflowed = false;
    if (base < 2 || base > 36) {
        return 0;
    }
    unsigned long limit = *negative ? limit_neg : limit_pos;
    unsigned long value = 0;
    bool overflow = false, any = false;
    for (; digit_value(*p) < base; ++p) {
        unsigned d = digit_value(*p);
        any = true;
        if (value > (limit - d) / unsigned(base)) {
            overflow = true;
        } else {
            value = value * base + d;
        }
    }
    if (any) {
        *end = p;
    }
    *overflowed = overflow;
    return overflow ? limit : value;
}

}  // namespace

long strtol(const char* s, char** endptr, int base) {
    bool negative, overflow;
    const char* end;
    unsigned long mag = parse_magnitude(s, base, (unsigned long) __LONG_MAX__,
                                        (unsigned long) __LONG_MAX__ + 1, &negative, &end,
                                        &overflow);
    if (endptr) {
        *endptr = const_cast<char*>(end);
    }
    return negative ? (long) (0UL - mag) : (long) mag;
}

unsigned long strtoul(const char* s, char** endptr, int base) {
    bool negative, overflow;
    const char* end;
    unsigned long mag = parse_magnitude(s, base, ~0UL, ~0UL, &negative, &end, &overflow);
    if (endptr) {
        *endptr = const_cast<char*>(end);
    }
    // C: a negated in-range magnitude wraps; an out-of-range one saturates.
    return overflow ? ~0UL : negative ? 0UL - mag : mag;
}

// A 64-bit linear congruential generator (Knuth's MMIX constants); the high
// bits are returned because the low bits of an LCG are weak.
namespace {
uint64_t rand_state = 0x853C49E6748FEA9BULL;
}

void srand(unsigned seed) {
    rand_state = seed * 0x9E3779B97F4A7C15ULL + 1;
}

int rand() {
    rand_state = rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return int(rand_state >> 33);           // 31 bits: [0, RAND_MAX]
}

int rand(int min, int max) {
    if (max <= min) {
        return min;
    }
    uint64_t span = uint64_t(int64_t(max) - int64_t(min)) + 1;  // <= 2^32
    uint64_t r = (uint64_t(rand()) << 31 | uint64_t(rand())) % span;
    return int(int64_t(min) + int64_t(r));
}
