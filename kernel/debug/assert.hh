// assert.hh — kernel assertions and panic.
//
// `assert(e)` or `assert(e, "why")`; `assert_eq(a, b)` and friends print
// both values. A failure prints file:line, the message and a symbolized
// backtrace, then halts (interactive) or exits QEMU with a failure code
// (harness mode). Easy to get wrong: assertions stay on in every build;
// they guard invariants, not debugging.
#pragma once
#include <stdint.h>

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void assert_fail(const char* file, int line, const char* expr,
                              const char* message = nullptr);
[[noreturn]] void assert_op_fail(const char* file, int line, const char* expr,
                                 unsigned long long a, unsigned long long b);

#define assert(...) NUTHATCH_ASSERT_N(__VA_ARGS__, NUTHATCH_ASSERT_2, NUTHATCH_ASSERT_1, _)(__VA_ARGS__)
#define NUTHATCH_ASSERT_N(a, b, name, ...) name
#define NUTHATCH_ASSERT_1(e) \
    do { if (__builtin_expect(!(e), 0)) assert_fail(__FILE__, __LINE__, #e); } while (0)
#define NUTHATCH_ASSERT_2(e, msg) \
    do { if (__builtin_expect(!(e), 0)) assert_fail(__FILE__, __LINE__, #e, msg); } while (0)

#define NUTHATCH_ASSERT_OP(a, op, b) do {                                   \
        auto assert_a_ = (a); auto assert_b_ = (b);                         \
        if (__builtin_expect(!(assert_a_ op assert_b_), 0))                 \
            assert_op_fail(__FILE__, __LINE__, #a " " #op " " #b,          \
                           (unsigned long long) assert_a_,                  \
                           (unsigned long long) assert_b_);                 \
    } while (0)
#define assert_eq(a, b) NUTHATCH_ASSERT_OP(a, ==, b)
#define assert_ne(a, b) NUTHATCH_ASSERT_OP(a, !=, b)
#define assert_lt(a, b) NUTHATCH_ASSERT_OP(a, <, b)
#define assert_le(a, b) NUTHATCH_ASSERT_OP(a, <=, b)
#define assert_gt(a, b) NUTHATCH_ASSERT_OP(a, >, b)
#define assert_ge(a, b) NUTHATCH_ASSERT_OP(a, >=, b)
