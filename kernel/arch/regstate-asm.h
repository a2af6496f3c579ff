/* regstate-asm.h — the one definition, for assembly, of how the general
 * registers of a struct regstate are pushed and popped (kernel/arch/entry.S
 * and kernel/arch/syscall.S both build and unwind regstates with these).
 *
 * PUSH_GPRS pushes R15 first and RAX last, so that afterwards %rsp is the
 * regstate* (reg_rax at offset 0, checked in asm-offsets.cc), with call
 * frame information for gdb. POP_GPRS undoes it (no CFI: after it, only the
 * hardware frame and the vector/error words remain).
 * Plain assembler macros: include from .S files only. */
#pragma once

#define CFI_PUSH .cfi_adjust_cfa_offset 8

        .macro PUSH_GPRS
        pushq %r15                      // reg_r15
        CFI_PUSH
        .cfi_rel_offset %r15, 0
        pushq %r14
        CFI_PUSH
        .cfi_rel_offset %r14, 0
        pushq %r13
        CFI_PUSH
        .cfi_rel_offset %r13, 0
        pushq %r12
        CFI_PUSH
        .cfi_rel_offset %r12, 0
        pushq %r11
        CFI_PUSH
        pushq %r10
        CFI_PUSH
        pushq %r9
        CFI_PUSH
        pushq %r8
        CFI_PUSH
        pushq %rdi
        CFI_PUSH
        pushq %rsi
        CFI_PUSH
        pushq %rbp
        CFI_PUSH
        .cfi_rel_offset %rbp, 0
        pushq %rbx
        CFI_PUSH
        .cfi_rel_offset %rbx, 0
        pushq %rdx
        CFI_PUSH
        pushq %rcx
        CFI_PUSH
        pushq %rax                      // reg_rax: %rsp is now the regstate*
        CFI_PUSH
        .endm

        .macro POP_GPRS
        popq %rax
        popq %rcx
        popq %rdx
        popq %rbx
        popq %rbp
        popq %rsi
        popq %rdi
        popq %r8
        popq %r9
        popq %r10
        popq %r11
        popq %r12
        popq %r13
        popq %r14
        popq %r15
        .endm
