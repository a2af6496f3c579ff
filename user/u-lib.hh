// u-lib.hh — the user library: Chickadee's u-lib.hh surface on Nuthatch.
//
// A user program includes only this file. It gets lib.hh (types, strings,
// snprintf, rand, crc32c...), the `sys_*` system-call stubs generated from
// include/abi/syscalls.def, the console, printf/dprintf, and the assert
// family.
//
// Console design: the CGA page at 0xB8000 is mapped into every process and
// console_printf draws into it directly (as in Chickadee), then sends the
// same text, ANSI colour sequences included, to the kernel's serial console
// with sys_serial_write — so every line a program prints with
// console_printf reaches the screen and the serial port, in order. Output
// written with sys_write / printf goes through the kernel, which draws both.
// Direct stores into `console[]` reach the screen only.
//
// System-call convention: `syscall`; number in %rax; arguments in %rdi
// %rsi %rdx %r10 %r8 %r9; result in %rax (a value in [E_MINERROR, -1] is
// an error). The kernel clobbers %rcx and %r11; the stubs also let it
// clobber the other argument registers.
// Easy to get wrong: the stubs pass pointers without touching the memory,
// so they tell the compiler with access_memory/clobber_memory where the
// kernel reads or writes user buffers.
#pragma once
#include "abi/user-memlayout.hh"
#include "abi/syscalls.hh"
#include "lib.hh"
#include <type_traits>

#if NUTHATCH_KERNEL
#error "u-lib.hh is for user programs only"
#endif

// ---------------------------------------------------------------------------
// x86-64 helpers available to user code

// rdrsp(), rdrbp(), pause(): shared with the kernel.
#include "insns-unpriv.hh"
// Chickadee's older spelling of rdrbp.
inline uintptr_t read_rbp() {
    return rdrbp();
}

// The linker symbol `end` (user/user.ld: the first address past the
// program's data and bss; memory from round_up(end, PAGESIZE) up to the
// stack page is free for sys_page_alloc) is NOT declared here: as in
// Chickadee, a program that uses it declares it itself, with the type it
// likes — `extern uint8_t end[];` at file scope or `extern char end[];`
// inside a function. A declaration here would clash with either.

// ---------------------------------------------------------------------------
// Raw system calls

// make_syscall(n, args...): up to six integer or pointer arguments.
template <typename... A>
__attribute__((always_inline)) inline uintptr_t make_syscall(int number, A... args) {
    static_assert(sizeof...(A) <= 6, "at most six system-call arguments");
    uint64_t a[6] = {syscall_to_register(args)...};
    register uint64_t rax asm("rax") = uint64_t(int64_t(number));
    register uint64_t rdi asm("rdi") = a[0];
    register uint64_t rsi asm("rsi") = a[1];
    register uint64_t rdx asm("rdx") = a[2];
    register uint64_t r10 asm("r10") = a[3];
    register uint64_t r8 asm("r8") = a[4];
    register uint64_t r9 asm("r9") = a[5];
    asm volatile("syscall"
                 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                 :
                 : "cc", "rcx", "r11", "memory");
    return rax;
}

// Tell the compiler the kernel reads / writes the memory at `ptr`.
__attribute__((always_inline)) inline void access_memory(const void* ptr) {
    asm volatile("" : : "m"(*(const char*) ptr));
}
__attribute__((always_inline)) inline void clobber_memory(void* ptr) {
    asm volatile("" : "+m"(*(char*) ptr));
}

// ---------------------------------------------------------------------------
// Generated stubs: one inline `sys_name` per plain/noreturn table row.
//
// sys_readdiskfile reads a file of the disk's file system by name (E_NOENT without a disk). Threads
// (docs/threads.md): sys_gettid is the calling thread's id (the pid in a
// process's first thread; one number space with pids), sys_texit(status)
// ends the calling thread (the last thread's status becomes the process's),
// sys_exit ends every thread. sys_readdir(dir, index, name, size)
// is Nuthatch's own: the name of entry `index` of directory `dir` ("/")
// into name[0..size), returning its length, 0 past the last entry.

#define SYSCALL_STUB_plain(name, NAME, ret, ...)                            \
    inline ret sys_##name(SYSCALL_PARAMS(__VA_ARGS__)) {                     \
        return static_cast<ret>(make_syscall(SYSCALL_##NAME SYSCALL_ARGS(__VA_ARGS__))); \
    }
#define SYSCALL_STUB_noreturn(name, NAME, ret, ...)                         \
    [[noreturn]] inline void sys_##name(SYSCALL_PARAMS(__VA_ARGS__)) {       \
        make_syscall(SYSCALL_##NAME SYSCALL_ARGS(__VA_ARGS__));              \
        __builtin_trap();   /* the kernel never returns here */              \
    }
#define SYSCALL_STUB_custom(name, NAME, ret, ...)
#define SYSCALL(NAME, name, number, kind, ret, ...) \
    SYSCALL_STUB_##kind(name, NAME, ret __VA_OPT__(, ) __VA_ARGS__)
#include "abi/syscalls.def"
#undef SYSCALL_STUB_plain
#undef SYSCALL_STUB_noreturn
#undef SYSCALL_STUB_custom

// Chickadee's default arguments and overloads on top of the raw rows.
pid_t sys_waitpid(pid_t pid, int* status = nullptr, int options = 0);
int sys_sync(int drop = 0);

inline int sys_execv(const char* program, const char* const* argv) {
    size_t argc = 0;
    while (argv && argv[argc]) {
        ++argc;
    }
    return sys_execv(program, argv, argc);
}

// sys_kdisplay(type): the name Chickadee's pset-1/2 programs use for
// sys_consoletype; KDISPLAY_CONSOLE / KDISPLAY_MEMVIEWER are CONSOLE_NORMAL
// / CONSOLE_MEMVIEWER, and KDISPLAY_NONE (the older spelling, used by
// programs that include p-lib.hh) is the plain console too. (Chickadee's
// system-call numbers differ from Nuthatch's; programs use the names only.)
#define SYSCALL_KDISPLAY        SYSCALL_CONSOLETYPE
#define KDISPLAY_CONSOLE        CONSOLE_NORMAL
#define KDISPLAY_NONE           CONSOLE_NORMAL
#define KDISPLAY_MEMVIEWER      CONSOLE_MEMVIEWER
inline int sys_kdisplay(int type) {
    return sys_consoletype(type);
}

// sys_clone(fn, arg, stack_top): a new thread in this process runs
// fn(arg) on the stack ending at `stack_top`, then sys_texit(its result).
// Returns the new thread's id, or E_FAULT (stack_top outside the user
// half), E_NOMEM, E_AGAIN. The stack must be mapped and the thread's own
// (at least 1 KiB: an activation's fast-path restore writes below the
// interrupted RSP); a bad stack or fn makes the new thread fault, which
// kills the whole process.
pid_t sys_clone(int (*fn)(void*), void* arg, char* stack_top);

// ---------------------------------------------------------------------------
// Formatted output through sys_write.

int dprintf(int fd, const char* format, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char* format, va_list ap);
int printf(const char* format, ...) __attribute__((format(printf, 1, 2)));

// ---------------------------------------------------------------------------
// The console page.

#define CONSOLE_COLUMNS 80
#define CONSOLE_ROWS    25
#define CPOS(row, col)  ((row) * CONSOLE_COLUMNS + (col))
#define CROW(cpos)      ((cpos) / CONSOLE_COLUMNS)
#define CCOL(cpos)      ((cpos) % CONSOLE_COLUMNS)

// Cells: character | attribute << 8. Addresses fixed by user/user.ld.
extern "C" uint16_t console[CONSOLE_ROWS * CONSOLE_COLUMNS];
extern "C" volatile int cursorpos;
extern "C" volatile int consoletype;
static_assert(CONSOLE_ROWS * CONSOLE_COLUMNS * 2 <= CONSOLE_CURSORPOS_ADDR - CONSOLE_PAGE);

// Colour attributes (already shifted into the high byte of a cell).
#define COLOR_NORMAL    0x0700
#define COLOR_ERROR     0xC000

// ANSI prefixes understood by console_printf (and by a serial terminal).
#define CS_NORMAL       "\x1b[0m"
#define CS_WHITE        "\x1b[1;37m"
#define CS_GREEN        "\x1b[0;32m"
#define CS_ERROR        "\x1b[1;31m"
#define CS_SUCCESS      "\x1b[1;32m"
#define CS_ECHO         "\x1b[0;36m"

// console_printf(cpos, color, format, ...): prints at `cpos` starting in
// `color`, scrolling at the bottom; returns the final position (cursorpos
// is not changed). The other forms print at and advance `cursorpos`.
int console_printf(int cpos, int color, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
int console_vprintf(int cpos, int color, const char* format, va_list ap);
void console_printf(int color, const char* format, ...) __attribute__((format(printf, 2, 3)));
void console_printf(const char* format, ...) __attribute__((format(printf, 1, 2)));
// console_puts(cpos, color, s, len): writes exactly `len` bytes of `s`
// at `cpos` (newlines and tabs move the cursor as in console_printf),
// to the screen and the serial port; returns the final position.
int console_puts(int cpos, int color, const char* s, size_t len);
// Clears the screen and moves the cursor to CPOS(0, 0).
void console_clear();

// error_printf: like console_printf, in COLOR_ERROR by default.
// The forms taking `cpos` and `color` work as console_printf's.
void error_printf(const char* format, ...) __attribute__((format(printf, 1, 2)));
void error_printf(int color, const char* format, ...) __attribute__((format(printf, 2, 3)));
int error_printf(int cpos, int color, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
int error_vprintf(int cpos, int color, const char* format, va_list ap);

// ---------------------------------------------------------------------------
// Assertions: on failure print file, line (and values) on the console and
// the serial port, then end the process with sys_panic.

[[noreturn, gnu::noinline, gnu::cold]] void assert_fail(const char* file, int line,
                                                         const char* expression,
                                                         const char* why = nullptr);
[[noreturn, gnu::noinline, gnu::cold]] void panic(const char* format, ...)
    __attribute__((format(printf, 1, 2)));
[[noreturn, gnu::noinline, gnu::cold]] void assert_compare_fail(
    const char* file, int line, const char* expression, const char* x, const char* y);
[[noreturn, gnu::noinline, gnu::cold]] void assert_memeq_fail(
    const char* file, int line, const char* expression, const void* x, const void* y,
    size_t size);

// assert(x) or assert(x, "why")
#define assert(x, ...) do {                                                 \
        if (!(x)) {                                                         \
            assert_fail(__FILE__, __LINE__, #x __VA_OPT__(, ) __VA_ARGS__);   \
        }                                                                   \
    } while (0)

// Formats one value of any printable type into `buf` for a failure message.
template <typename T>
void assert_format_value(char* buf, size_t size, const T& v) {
    using U = std::decay_t<T>;
    if constexpr (std::is_same_v<U, bool>) {
        snprintf(buf, size, "%s", v ? "true" : "false");
    } else if constexpr (std::is_same_v<U, char>) {
        snprintf(buf, size, "'%c' (%d)", v, int(v));
    } else if constexpr (std::is_enum_v<U>) {
        snprintf(buf, size, "%lld", (long long) v);
    } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
        snprintf(buf, size, "%lld", (long long) v);
    } else if constexpr (std::is_integral_v<U>) {
        snprintf(buf, size, "%llu", (unsigned long long) v);
    } else if constexpr (std::is_pointer_v<U> || std::is_null_pointer_v<U>) {
        snprintf(buf, size, "%p", (const void*) v);
    } else {
        snprintf(buf, size, "<value>");
    }
}

template <typename X, typename Y>
[[noreturn, gnu::noinline, gnu::cold]] void assert_compare_fail_values(
    const char* file, int line, const char* expression, const X& x, const Y& y) {
    char xs[64], ys[64];
    assert_format_value(xs, sizeof(xs), x);
    assert_format_value(ys, sizeof(ys), y);
    assert_compare_fail(file, line, expression, xs, ys);
}

// Both sides are converted to their common type first (so an int literal
// compares with a size_t without a signedness warning, as in Chickadee).
#define ASSERT_COMPARE_(x, y, op) do {                                      \
        auto&& nh_x_ = (x);                                                 \
        auto&& nh_y_ = (y);                                                 \
        using nh_t_ = std::common_type_t<std::decay_t<decltype(nh_x_)>,     \
                                         std::decay_t<decltype(nh_y_)>>;    \
        if (!(nh_t_(nh_x_) op nh_t_(nh_y_))) {                              \
            assert_compare_fail_values(__FILE__, __LINE__, #x " " #op " " #y, \
                                       nh_x_, nh_y_);                       \
        }                                                                   \
    } while (0)
#define assert_eq(x, y) ASSERT_COMPARE_(x, y, ==)
#define assert_ne(x, y) ASSERT_COMPARE_(x, y, !=)
#define assert_lt(x, y) ASSERT_COMPARE_(x, y, <)
#define assert_le(x, y) ASSERT_COMPARE_(x, y, <=)
#define assert_gt(x, y) ASSERT_COMPARE_(x, y, >)
#define assert_ge(x, y) ASSERT_COMPARE_(x, y, >=)

#define assert_memeq(x, y, size) do {                                       \
        const void* nh_x_ = (x);                                            \
        const void* nh_y_ = (y);                                            \
        size_t nh_size_ = (size);                                           \
        if (memcmp(nh_x_, nh_y_, nh_size_) != 0) {                          \
            assert_memeq_fail(__FILE__, __LINE__,                           \
                              "memcmp(" #x ", " #y ", " #size ") == 0",     \
                              nh_x_, nh_y_, nh_size_);                      \
        }                                                                   \
    } while (0)

// ---------------------------------------------------------------------------
// Program entry (user/u-entry.cc). A program defines one of
//     void process_main();
//     void process_main(int argc, char** argv);
// Returning from it exits with status 0.
void process_main();
void process_main(int argc, char** argv);

// Called on a timer activation (entry index ENTRY_TIMER) with the slot's
// user address, on the slot's stack. Weak: the activations runtime
// provides the real one; the default resumes the interrupted context.
extern "C" void activation_entry(void* slot);
