// abi/user-memlayout.hh — the user address space every Nuthatch process sees,
// and the entry protocol of a user program.
//
// Shared by the kernel (which builds the address space and enters user
// mode), the user runtime, the ELF checker and the linker script
// (user/user.ld repeats USER_TEXT_BASE by hand; keep them equal).
// Includable from assembly. Easy to get wrong: every range here is
// half-open [start, end); the stack page ends exactly at VA_LOWEND, which
// is itself not a user address.
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

// The activation segment (see docs/activations.md and abi/activation.h).
#define ACTIVATION_SEGMENT_BASE ABI_UL(0x3FE00000)
#define ACTIVATION_SEGMENT_END  ABI_UL(0x40000000)

// The initial stack: one page just below the end of the low canonical half.
// %rsp starts at USER_STACK_TOP (16-byte aligned).
#define USER_STACK_TOP          ABI_UL(0x800000000000)
#define USER_STACK_PAGE         (USER_STACK_TOP - ABI_UL(4096))

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
static_assert(USER_STACK_TOP == 0x0000800000000000UL, "stack ends at VA_LOWEND");
static_assert(ACTIVATION_SEGMENT_END - ACTIVATION_SEGMENT_BASE == 2 * 1024 * 1024);
static_assert(CONSOLE_CURSORPOS_ADDR - CONSOLE_PAGE == 0xFF8
              && CONSOLE_TYPE_ADDR - CONSOLE_PAGE == 0xFFC);

// True if [va, end) overlaps a range the kernel reserves in every user
// address space (console page, activation segment, stack page). Used by the ELF checker to refuse program segments there.
inline constexpr bool user_range_overlaps_reserved(uint64_t va, uint64_t end) {
    auto overlaps = [&](uint64_t lo, uint64_t hi) { return va < hi && lo < end; };
    return overlaps(CONSOLE_PAGE, CONSOLE_PAGE + 4096)
        || overlaps(ACTIVATION_SEGMENT_BASE, ACTIVATION_SEGMENT_END)
        || overlaps(USER_STACK_PAGE, USER_STACK_TOP);
}
#endif
