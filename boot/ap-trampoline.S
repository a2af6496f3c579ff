// ap-trampoline.S — where application processors start.
//
// Who arrives here: an AP after INIT-SIPI-SIPI, in 16-bit real mode at
// CS:IP = (AP_TRAMPOLINE_PA >> 4):0000, interrupts off, no stack. This
// code is assembled here but runs from a copy at AP_TRAMPOLINE_PA (below
// 1 MiB, kept out of the allocator), so every address in it is computed
// with AP_PA(), relative to that copy.
//
// What it does: protected mode, then long mode on the boot page tables
// (which map low memory 1:1 and the kernel image high), then jumps to the
// 64-bit C++ `ap_entry(cpu_index)` on the stack the boot CPU wrote into
// the data block at the end (one AP starts at a time).
#include "x86-64.hh"

#define AP_TRAMPOLINE_PA 0x8000
#define AP_PA(x) ((x) - ap_trampoline_start + AP_TRAMPOLINE_PA)

        .section .rodata
        .balign 16
        .globl ap_trampoline_start
ap_trampoline_start:
        .code16
        cli
        cld
        xorw %ax, %ax
        movw %ax, %ds
        lgdtl AP_PA(ap_gdt_pointer)
        movl %cr0, %eax
        orl $CR0_PE, %eax
        movl %eax, %cr0
        ljmpl $0x08, $AP_PA(ap_start32)

        .code32
ap_start32:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl AP_PA(ap_cr3), %eax
        movl %eax, %cr3
        movl $MSR_IA32_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_WP), %eax
        movl %eax, %cr0
        ljmp $0x18, $AP_PA(ap_start64)

        .code64
ap_start64:
        movq AP_PA(ap_stack), %rsp
        movl AP_PA(ap_cpu_index), %edi
        movq AP_PA(ap_entry_address), %rax
        xorl %ebp, %ebp
        pushq $0                        // fake return address
        jmp *%rax

        .balign 8
ap_gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF        // 0x08: 32-bit code
        .quad 0x00CF92000000FFFF        // 0x10: data
        .quad 0x00AF9A000000FFFF        // 0x18: 64-bit code
ap_gdt_pointer:
        .word ap_gdt_pointer - ap_gdt - 1
        .long AP_PA(ap_gdt)

        // Data block, written by the boot CPU before each start-up.
        .balign 8
        .globl ap_cr3, ap_stack, ap_entry_address, ap_cpu_index
ap_cr3:           .quad 0
ap_stack:         .quad 0
ap_entry_address: .quad 0
ap_cpu_index:     .quad 0
        .globl ap_trampoline_end
ap_trampoline_end:
