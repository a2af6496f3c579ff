// abi/syscalls.hh — what the kernel and the user library generate from
// abi/syscalls.def.
//
// Kernel use:
//   - `syscall_number` (SYSCALL_GETPID ...) for the numbers;
//   - dispatch with one switch generated from the table, e.g.
//         switch (regs->reg_rax) {
//     #define SYSCALL(NAME, name, number, kind, ret, ...)
//         case SYSCALL_##NAME: return syscall_invoke(syscall_##name, p, args);
//     (the #define on one line)
//     #include "abi/syscalls.def"
//         default: return E_NOSYS;
//         }
//     where `args` holds %rdi %rsi %rdx %r10 %r8 %r9 and each handler is
//     `R syscall_name(Context, T1, ..., Tn)` with the row's types;
//     `syscall_invoke` converts the raw registers to those types;
//   - `syscall_table` / `syscall_lookup(n)` to name calls in traces and
//     to iterate over every call (e.g. a test that each has a handler).
// User use: user/u-lib.hh expands the table into the `sys_*` stubs.
// Easy to get wrong: the kernel must treat every argument as hostile; the
// conversions here only truncate registers to the declared C types (an
// `int` argument ignores the upper 32 bits, as the C ABI does).
#pragma once
#include "abi/errno.hh"
#include "abi/types.hh"
#include "abi/usage.hh"
#include <type_traits>
#include <utility>

enum syscall_number : int {
#define SYSCALL(NAME, name, number, kind, ret, ...) SYSCALL_##NAME = number,
#include "abi/syscalls.def"
};

// Argument counting for the table's variadic type lists (0..6 types).
#define SYSCALL_NARGS(...) SYSCALL_NARGS_(__VA_OPT__(__VA_ARGS__, ) 6, 5, 4, 3, 2, 1, 0)
#define SYSCALL_NARGS_(a1, a2, a3, a4, a5, a6, n, ...) n
#define SYSCALL_CAT(a, b) SYSCALL_CAT_(a, b)
#define SYSCALL_CAT_(a, b) a##b

// SYSCALL_PARAMS(T1, T2) → `T1 a1, T2 a2`; SYSCALL_ARGS(T1, T2) → `a1, a2`.
#define SYSCALL_PARAMS(...) SYSCALL_CAT(SYSCALL_PARAMS_, SYSCALL_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define SYSCALL_PARAMS_0()
#define SYSCALL_PARAMS_1(t1) t1 a1
#define SYSCALL_PARAMS_2(t1, t2) t1 a1, t2 a2
#define SYSCALL_PARAMS_3(t1, t2, t3) t1 a1, t2 a2, t3 a3
#define SYSCALL_PARAMS_4(t1, t2, t3, t4) t1 a1, t2 a2, t3 a3, t4 a4
#define SYSCALL_PARAMS_5(t1, t2, t3, t4, t5) t1 a1, t2 a2, t3 a3, t4 a4, t5 a5
#define SYSCALL_PARAMS_6(t1, t2, t3, t4, t5, t6) t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6
#define SYSCALL_ARGS(...) SYSCALL_CAT(SYSCALL_ARGS_, SYSCALL_NARGS(__VA_ARGS__))
#define SYSCALL_ARGS_0
#define SYSCALL_ARGS_1 , a1
#define SYSCALL_ARGS_2 , a1, a2
#define SYSCALL_ARGS_3 , a1, a2, a3
#define SYSCALL_ARGS_4 , a1, a2, a3, a4
#define SYSCALL_ARGS_5 , a1, a2, a3, a4, a5
#define SYSCALL_ARGS_6 , a1, a2, a3, a4, a5, a6

struct syscall_info {
    int number;
    const char* name;       // "getpid"
    int nargs;
    bool noreturn;
};

inline constexpr syscall_info syscall_table[] = {
#define SYSCALL(NAME, name, number, kind, ret, ...) \
    {number, #name, SYSCALL_NARGS(__VA_ARGS__), __builtin_strcmp(#kind, "noreturn") == 0},
#include "abi/syscalls.def"
};
inline constexpr size_t syscall_count = sizeof(syscall_table) / sizeof(syscall_table[0]);

// One past the highest number in the table (size of a dense dispatch array).
inline constexpr int syscall_limit = [] {
    int limit = 0;
    for (auto& s : syscall_table) {
        limit = s.number >= limit ? s.number + 1 : limit;
    }
    return limit;
}();

// The table row for `number`, or nullptr.
inline constexpr const syscall_info* syscall_lookup(uint64_t number) {
    for (auto& s : syscall_table) {
        if (uint64_t(s.number) == number) {
            return &s;
        }
    }
    return nullptr;
}

// Compile-time table checks: numbers unique, positive, at most 6 arguments.
inline constexpr bool syscall_table_valid() {
    for (size_t i = 0; i < syscall_count; ++i) {
        if (syscall_table[i].number <= 0 || syscall_table[i].nargs > 6) {
            return false;
        }
        for (size_t j = i + 1; j < syscall_count; ++j) {
            if (syscall_table[i].number == syscall_table[j].number) {
                return false;
            }
        }
    }
    return true;
}
static_assert(syscall_table_valid(), "syscalls.def: duplicate or bad row");

// Register ↔ C type conversions (both directions), as the C ABI would.
template <typename T>
constexpr T syscall_from_register(uint64_t r) {
    if constexpr (std::is_pointer_v<T>) {
        return reinterpret_cast<T>(static_cast<uintptr_t>(r));
    } else {
        return static_cast<T>(r);
    }
}
template <typename T>
constexpr uint64_t syscall_to_register(T v) {
    if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
        return reinterpret_cast<uintptr_t>(v);
    } else if constexpr (std::is_enum_v<T>) {
        return static_cast<uint64_t>(static_cast<std::underlying_type_t<T>>(v));
    } else {
        return static_cast<uint64_t>(v);    // signed values sign-extend
    }
}

// Calls `handler(context, args[0] as T1, ..., args[n-1] as Tn)` and returns
// its result as a register value (0 for a void handler).
template <typename R, typename C, typename... A, size_t... I>
uint64_t syscall_invoke_(R (*handler)(C, A...), C context, const uint64_t* args,
                         std::index_sequence<I...>) {
    if constexpr (std::is_void_v<R>) {
        handler(context, syscall_from_register<A>(args[I])...);
        return 0;
    } else {
        return syscall_to_register<R>(handler(context, syscall_from_register<A>(args[I])...));
    }
}
template <typename R, typename C, typename... A>
uint64_t syscall_invoke(R (*handler)(C, A...), std::type_identity_t<C> context,
                        const uint64_t (&args)[6]) {
    static_assert(sizeof...(A) <= 6, "at most 6 register arguments");
    return syscall_invoke_(handler, context, args, std::index_sequence_for<A...>{});
}
