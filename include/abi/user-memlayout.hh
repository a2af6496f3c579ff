// abi/user-memlayout.hh — the user address space every Nuthatch process sees,
// and the entry protocol of a user program.
//
// Shared by the kernel (which builds the address space and enters user
// mode), the user runtime, the ELF checker and the linker script
// (user/user.ld repeats USER_TEXT_BASE by hand; keep them equal).
// Includable from assembly. Easy to get wrong: every range here is
// half-open [start, end); the initial stack sits at 3 MiB (as in Chickadee),
// not at the top of the address space: programs grow a heap from `end` up
// to it, and the page just below VA_LOWEND is an ordinary free page.
#pragma once

#ifdef __ASSEMBLER__
#define ABI_UL(x)   x
#else
#define ABI_UL(x)   x##UL
#endif

// Programs are static ELF executables linked here (the first user page
// below it is never mapped, so null and small pointers fault).
#define USER_TEXT_BASE          ABI_UL(0x100000)

// The CGA console page, mapped writable into every process and shared
// (not copied) by fork. `console` is 80×25 uint16_t cells from its start.
#define CONSOLE_PAGE            ABI_UL(0xB8000)
#define CONSOLE_CURSORPOS_ADDR  ABI_UL(0xB8FF8)     // int: cursor, CPOS(row, col)
#define CONSOLE_TYPE_ADDR       ABI_UL(0xB8FFC)     // int: see sys_consoletype

// Values of `consoletype` (sys_consoletype): the ordinary text console, or
// the memory viewer (Chickadee's names and numbers).
#define CONSOLE_NORMAL          0
#define CONSOLE_MEMVIEWER       1

// The activation segment (see docs/activations.md and abi/activation.h).
#define ACTIVATION_SEGMENT_BASE ABI_UL(0x3FE00000)
#define ACTIVATION_SEGMENT_END  ABI_UL(0x40000000)

// The initial stack: the page [0x2FF000, 0x300000), Chickadee's place
// (its MEMSIZE_VIRTUAL). %rsp starts at USER_STACK_TOP (16-byte aligned);
// the argument strings and argv[] sit at the top of the same page. The
// program image must end below it; the heap grows from round_up(end) up to
// USER_STACK_PAGE. Once running, the page is the program's like any other
// (sys_page_alloc may replace it: the program's own business).
#define USER_STACK_TOP          ABI_UL(0x300000)
#define USER_STACK_PAGE         (USER_STACK_TOP - ABI_UL(4096))

// One past the last user address: the end of the low canonical half
// (VA_LOWEND in x86-64.hh, repeated here for assembly).
#define USER_ADDRESS_END        ABI_UL(0x800000000000)

// Entry indices: the kernel enters the program's ELF entry point (`_start`)
// with %rdi = one of these.
//   ENTRY_START: first entry of a new program image. %rsi = argc,
//     %rdx = argv (argv[argc] == nullptr, strings on the stack page),
//     %rsp = USER_STACK_TOP or below it, 16-byte aligned; other registers 0.
//   ENTRY_TIMER: a timer activation. %rsi = the slot's user address,
//     %rsp = the slot's stack top (16-byte aligned), RFLAGS = IF only.
// Any other index is refused by the runtime (the process exits).
#define ENTRY_START             0
#define ENTRY_CPU               1       // reserved: CPU allocation
#define ENTRY_CHILD_EXIT        2       // reserved: child exit notification
#define ENTRY_FAULT             3       // reserved: fault as an activation
#define ENTRY_TIMER             4
#define ENTRY_COUNT             5

#ifndef __ASSEMBLER__
#include <stdint.h>
static_assert(USER_ADDRESS_END == 0x0000800000000000UL, "user half ends at VA_LOWEND");
static_assert(USER_STACK_TOP == 0x300000UL && USER_STACK_TOP % 16 == 0);
static_assert(USER_TEXT_BASE < USER_STACK_PAGE && USER_STACK_TOP <= ACTIVATION_SEGMENT_BASE);
static_assert(ACTIVATION_SEGMENT_END - ACTIVATION_SEGMENT_BASE == 2 * 1024 * 1024);
static_assert(CONSOLE_CURSORPOS_ADDR - CONSOLE_PAGE == 0xFF8
              && CONSOLE_TYPE_ADDR - CONSOLE_PAGE == 0xFFC);

// True if [va, end) overlaps a range the kernel keeps for itself in every
// user address space for the process's whole life: the console page and
// the activation segment. sys_page_alloc refuses these.
inline constexpr bool user_range_overlaps_reserved(uint64_t va, uint64_t end) {
    auto overlaps = [&](uint64_t lo, uint64_t hi) { return va < hi && lo < end; };
    return overlaps(CONSOLE_PAGE, CONSOLE_PAGE + 4096)
        || overlaps(ACTIVATION_SEGMENT_BASE, ACTIVATION_SEGMENT_END);
}

// True if a program segment at [va, end) would collide with what exec
// builds around the image: the reserved ranges above and the initial
// stack page. The ELF checker refuses such segments.
inline constexpr bool user_range_overlaps_image_reserved(uint64_t va, uint64_t end) {
    return user_range_overlaps_reserved(va, end)
        || (va < USER_STACK_TOP && USER_STACK_PAGE < end);
}
#endif
