// x86-64.hh — hardware definitions shared by boot, kernel, user and host tests.
//
// Only architectural facts live here (bit positions, MSR numbers, sizes);
// nothing here knows about processes or CPUs as the kernel models them.
// Easy to get wrong: these values are also used from assembly, so this file
// must stay includable from `.S` files (guard C++ with __ASSEMBLER__).
#pragma once

#ifdef __ASSEMBLER__
#define X86_UL(x)   x
#else
#define X86_UL(x)   x##UL
#endif

#define PAGESIZE        4096
#define PAGEOFFMASK     (PAGESIZE - 1)

// Kernel virtual layout (see docs/memory.md).
#define KERNEL_TEXT_BASE    0xFFFFFFFF80000000   // kernel image: va = pa + this
#define KERNEL_DIRECT_BASE  0xFFFF800000000000   // direct map of physical memory

// Page-table entry bits.
#define PTE_P       X86_UL(0x1)
#define PTE_W       X86_UL(0x2)
#define PTE_U       X86_UL(0x4)
#define PTE_PWT     X86_UL(0x8)
#define PTE_PCD     X86_UL(0x10)
#define PTE_A       X86_UL(0x20)
#define PTE_D       X86_UL(0x40)
#define PTE_PS      X86_UL(0x80)
#define PTE_G       X86_UL(0x100)
#define PTE_NX      X86_UL(0x8000000000000000)
#define PTE_PAMASK  X86_UL(0x000FFFFFFFFFF000)

// Control registers.
#define CR0_PE      0x1U
#define CR0_MP      0x2U
#define CR0_EM      0x4U
#define CR0_TS      0x8U
#define CR0_NE      0x20U
#define CR0_WP      0x10000U
#define CR0_AM      0x40000U
#define CR0_PG      0x80000000U
#define CR4_PSE     0x10U
#define CR4_PAE     0x20U
#define CR4_PGE     0x80U
#define CR4_OSFXSR  0x200U
#define CR4_OSXMMEXCPT 0x400U
#define CR4_FSGSBASE 0x10000U
#define CR4_PCIDE   0x20000U
#define CR4_UMIP    0x800U
#define CR4_SMEP    0x100000U
#define CR4_SMAP    0x200000U

// Model-specific registers.
#define MSR_IA32_APIC_BASE   0x1B
#define MSR_IA32_EFER        0xC0000080
#define MSR_IA32_STAR        0xC0000081
#define MSR_IA32_LSTAR       0xC0000082
#define MSR_IA32_CSTAR       0xC0000083
#define MSR_IA32_FMASK       0xC0000084
#define MSR_IA32_FS_BASE     0xC0000100
#define MSR_IA32_GS_BASE     0xC0000101
#define MSR_IA32_KERNEL_GS_BASE 0xC0000102
#define EFER_SCE    0x1U
#define EFER_LME    0x100U
#define EFER_NXE    0x800U

// RFLAGS bits.
#define EFLAGS_CF   X86_UL(0x1)
#define EFLAGS_PF   X86_UL(0x4)
#define EFLAGS_AF   X86_UL(0x10)
#define EFLAGS_ZF   X86_UL(0x40)
#define EFLAGS_SF   X86_UL(0x80)
#define EFLAGS_TF   X86_UL(0x100)
#define EFLAGS_IF   X86_UL(0x200)
#define EFLAGS_DF   X86_UL(0x400)
#define EFLAGS_OF   X86_UL(0x800)
#define EFLAGS_IOPL_MASK X86_UL(0x3000)
#define EFLAGS_NT   X86_UL(0x4000)
#define EFLAGS_RF   X86_UL(0x10000)
#define EFLAGS_VM   X86_UL(0x20000)
#define EFLAGS_AC   X86_UL(0x40000)
#define EFLAGS_ID   X86_UL(0x200000)

// Exception vectors.
#define INT_DIVIDE      0
#define INT_DEBUG       1
#define INT_NMI         2
#define INT_BREAKPOINT  3
#define INT_OVERFLOW    4
#define INT_BOUND       5
#define INT_INVALIDOP   6
#define INT_DEVICE      7
#define INT_DOUBLEFAULT 8
#define INT_TSS         10
#define INT_SEGMENT     11
#define INT_STACK       12
#define INT_GPF         13
#define INT_PAGEFAULT   14
#define INT_FPUERR      16
#define INT_ALIGN       17
#define INT_MCHK        18
#define INT_SIMD        19

// Page-fault error code bits.
#define PFERR_PRESENT   0x1
#define PFERR_WRITE     0x2
#define PFERR_USER      0x4
#define PFERR_FETCH     0x10

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

using x86_64_pageentry_t = uint64_t;

// Canonical addresses: bits 63..47 all equal.
constexpr bool is_canonical(uint64_t va) {
    return (va >> 47) == 0 || (va >> 47) == 0x1FFFF;
}
// End of the low canonical half (first non-canonical address).
constexpr uint64_t VA_LOWEND = X86_UL(0x0000800000000000);
constexpr uint64_t VA_HIGHMIN = X86_UL(0xFFFF800000000000);

template <typename T>
constexpr T round_down(T x, uint64_t multiple) {
    return T(uint64_t(x) - uint64_t(x) % multiple);
}
template <typename T>
constexpr T round_up(T x, uint64_t multiple) {
    return round_down(T(uint64_t(x) + multiple - 1), multiple);
}
#endif

#ifndef __ASSEMBLER__
// 64-bit task-state segment (only its stack pointers matter in long mode).
struct __attribute__((packed)) x86_64_tss {
    uint32_t reserved0;
    uint64_t rsp[3];        // stacks for privilege levels 0..2
    uint64_t reserved1;
    uint64_t ist[7];        // interrupt stack table, IST1..IST7
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;    // past the limit: no I/O permission bitmap
};
static_assert(sizeof(x86_64_tss) == 104);

// Interrupt gate descriptor.
struct __attribute__((packed)) x86_64_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;      // P | DPL | type (0xE = interrupt gate)
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(x86_64_gate) == 16);
#endif
