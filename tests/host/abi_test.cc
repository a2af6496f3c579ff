// abi_test.cc — the system-call table, syscall_invoke's conversions, and
// lib/ helpers (strtol/strtoul against the host, crc32c, rand ranges).
#include "abi/syscalls.hh"
#include <gtest/gtest.h>
#include <climits>
#include <cstdlib>
#include <cstring>

long nh_strtol(const char* s, char** endptr, int base);
unsigned long nh_strtoul(const char* s, char** endptr, int base);
int nh_rand();
void nh_srand(unsigned seed);
int nh_rand(int min, int max);
uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);

namespace {

TEST(SyscallTable, EveryContractCallHasANumber) {
    const char* names[] = {"getpid", "yield", "pause", "page_alloc", "fork", "exit", "msleep",
                           "getppid", "waitpid", "read", "write", "dup2", "close", "open",
                           "pipe", "execv", "unlink", "rename", "lseek", "ftruncate", "sync",
                           "readdiskfile", "gettid", "clone", "texit", "getusage", "panic",
                           "consoletype", "act_resume"};
    for (const char* name : names) {
        bool found = false;
        for (auto& s : syscall_table) {
            found |= strcmp(s.name, name) == 0;
        }
        EXPECT_TRUE(found) << name;
    }
    EXPECT_EQ(syscall_lookup(0), nullptr);
    EXPECT_EQ(syscall_lookup(~uint64_t(0)), nullptr);
    EXPECT_EQ(syscall_lookup(SYSCALL_EXECV)->nargs, 3);
    EXPECT_TRUE(syscall_lookup(SYSCALL_TEXIT)->noreturn);
    EXPECT_FALSE(syscall_lookup(SYSCALL_FORK)->noreturn);
    for (auto& s : syscall_table) {
        EXPECT_LT(s.number, syscall_limit);
    }
}

struct fake_context {
    int calls = 0;
};
int handler_int(fake_context* c, int a, const char* p, size_t n) {
    ++c->calls;
    return a + int(n) + (p ? 1 : 0);
}
void handler_void(fake_context* c) {
    ++c->calls;
}
ssize_t handler_negative(fake_context*, unsigned u) {
    return u == 0xFFFFFFFFU ? E_FAULT : 0;
}

TEST(SyscallTable, InvokeConvertsRegisters) {
    fake_context c;
    const uint64_t args[6] = {0xFFFFFFFF00000005, 0x1000, 10, 0, 0, 0};
    EXPECT_EQ(syscall_invoke(handler_int, &c, args), 16u);   // int truncates to 5
    const uint64_t none[6] = {};
    EXPECT_EQ(syscall_invoke(handler_void, &c, none), 0u);
    EXPECT_EQ(c.calls, 2);
    const uint64_t big[6] = {0x12345FFFFFFFF};
    EXPECT_EQ(syscall_invoke(handler_negative, &c, big), uint64_t(int64_t(E_FAULT)));
    EXPECT_TRUE(is_error(syscall_invoke(handler_negative, &c, big)));
    EXPECT_FALSE(is_error(0));
    EXPECT_FALSE(is_error(uintptr_t(E_MINERROR) - 1));
}

TEST(Stdlib, StrtolMatchesHost) {
    const char* inputs[] = {"0", "42", "-42", "  +17x", "0x1F", "0X1f", "-0x10", "017", "08",
                            "0x", "0xg", "", "   ", "-", "+", "9223372036854775807",
                            "9223372036854775808", "-9223372036854775808",
                            "-9223372036854775809", "99999999999999999999999", "\t\n 12",
                            "zz", "1e5"};
    for (const char* s : inputs) {
        for (int base : {0, 2, 8, 10, 16, 36}) {
            char *e1, *e2;
            long a = nh_strtol(s, &e1, base), b = strtol(s, &e2, base);
            EXPECT_EQ(a, b) << '"' << s << "\" base " << base;
            EXPECT_EQ(e1 - s, e2 - s) << '"' << s << "\" base " << base;
            unsigned long ua = nh_strtoul(s, &e1, base), ub = strtoul(s, &e2, base);
            EXPECT_EQ(ua, ub) << '"' << s << "\" base " << base;
            EXPECT_EQ(e1 - s, e2 - s) << '"' << s << "\" base " << base;
        }
    }
    EXPECT_EQ(nh_strtol("123", nullptr, 10), 123);
    const char* five = "5";
    char* e;
    EXPECT_EQ(nh_strtol(five, &e, 1), 0);    // invalid base: nothing parsed
    EXPECT_EQ(e, five);
}

TEST(Stdlib, Crc32c) {
    EXPECT_EQ(crc32c(0, "123456789", 9), 0xE3069283U);
    EXPECT_EQ(crc32c(0, "", 0), 0U);
    uint32_t piece = crc32c(crc32c(0, "1234", 4), "56789", 5);
    EXPECT_EQ(piece, 0xE3069283U);
}

TEST(Stdlib, RandRanges) {
    nh_srand(1);
    int first = nh_rand();
    nh_srand(1);
    EXPECT_EQ(nh_rand(), first);
    bool seen[7] = {};
    for (int i = 0; i < 10000; ++i) {
        int r = nh_rand();
        ASSERT_GE(r, 0);
        int d = nh_rand(1, 6);
        ASSERT_GE(d, 1);
        ASSERT_LE(d, 6);
        seen[d] = true;
    }
    for (int d = 1; d <= 6; ++d) {
        EXPECT_TRUE(seen[d]) << d;
    }
    EXPECT_EQ(nh_rand(5, 5), 5);
    EXPECT_EQ(nh_rand(7, 3), 7);
    for (int i = 0; i < 1000; ++i) {
        int r = nh_rand(INT_MIN, INT_MAX);
        (void) r;
        int n = nh_rand(-3, -1);
        ASSERT_GE(n, -3);
        ASSERT_LE(n, -1);
    }
}

}  // namespace
