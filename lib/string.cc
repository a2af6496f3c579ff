// string.cc — the C string functions.
//
// memcpy and memset move eight bytes at a time with the CPU's string
// instructions (`rep movsq`, `rep stosq`), then the 0-7 byte tail with
// `rep movsb`/`rep stosb`: copying a page takes 512 iterations instead of a
// 4096-byte loop. They need RFLAGS.DF clear, which the ABI guarantees at
// every call (the kernel's entry code clears it; kernel/arch/entry.S).
//
// Easy to get wrong: GCC recognises the byte loops below as memmove and the
// like and would compile them into calls to themselves; the build passes
// -fno-tree-loop-distribute-patterns for exactly this file's sake.
#include "string.hh"
#include <stdint.h>

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
    void* d = dst;
    size_t words = n / 8;
    asm volatile("rep movsq\n\t"
                 "movq %[tail], %%rcx\n\t"
                 "rep movsb"
                 : "+D"(d), "+S"(src), "+c"(words)
                 : [tail] "r"(n % 8)
                 : "memory");
    return dst;
}

// Forward copying is right whenever the destination starts below the
// source, overlapping or not; otherwise copy backwards, a byte at a time
// (rare: nothing in the tree needs it today).
void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d <= s || d >= s + n) {
        return memcpy(dst, src, n);
    }
    while (n-- > 0) {
        d[n] = s[n];
    }
    return dst;
}

void* memset(void* dst, int c, size_t n) {
    void* d = dst;
    size_t words = n / 8;
    uint64_t pattern = uint64_t(0x0101010101010101) * (unsigned char) c;
    asm volatile("rep stosq\n\t"
                 "movq %[tail], %%rcx\n\t"
                 "rep stosb"
                 : "+D"(d), "+c"(words)
                 : "a"(pattern), [tail] "r"(n % 8)
                 : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (; n > 0; --n, ++x, ++y) {
        if (*x != *y) {
            return *x < *y ? -1 : 1;
        }
    }
    return 0;
}

void* memchr(const void* s, int c, size_t n) {
    auto* p = static_cast<const unsigned char*>(s);
    for (; n > 0; --n, ++p) {
        if (*p == (unsigned char) c) {
            return const_cast<unsigned char*>(p);
        }
    }
    return nullptr;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) {
        ++n;
    }
    return n;
}

size_t strnlen(const char* s, size_t maxlen) {
    size_t n = 0;
    while (n < maxlen && s[n]) {
        ++n;
    }
    return n;
}

char* strcpy(char* dst, const char* src) {
    char* d = dst;
    while ((*d++ = *src++)) {
    }
    return dst;
}

int strcmp(const char* a, const char* b) {
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return (unsigned char) *a - (unsigned char) *b;
}

int strncmp(const char* a, const char* b, size_t n) {
    for (; n > 0; --n, ++a, ++b) {
        if (*a != *b || !*a) {
            return (unsigned char) *a - (unsigned char) *b;
        }
    }
    return 0;
}

int strncasecmp(const char* a, const char* b, size_t n) {
    for (; n > 0; --n, ++a, ++b) {
        int ca = (unsigned char) *a, cb = (unsigned char) *b;
        ca += (ca >= 'A' && ca <= 'Z') ? 'a' - 'A' : 0;
        cb += (cb >= 'A' && cb <= 'Z') ? 'a' - 'A' : 0;
        if (ca != cb || !ca) {
            return ca - cb;
        }
    }
    return 0;
}

int strcasecmp(const char* a, const char* b) {
    return strncasecmp(a, b, size_t(-1));
}

char* strchr(const char* s, int c) {
    for (;; ++s) {
        if (*s == (char) c) {
            return const_cast<char*>(s);
        }
        if (!*s) {
            return nullptr;
        }
    }
}

}
