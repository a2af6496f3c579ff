// entry.S — exception and interrupt entry from the IDT, and the common
// return path through `iretq`.
//
// Who arrives here: the CPU, through an IDT interrupt gate (so IF = 0), on
// the kernel stack: the current one if it was in kernel mode, TSS.RSP0 (the
// task's kernel stack) if it came from user mode, or an IST stack (double
// fault, NMI). GSBASE is the user's if CS & 3 == 3, else this CPU's
// cpustate. Nothing else is saved: every general register is live.
//
// Stack on arrival, then after the stub and the common code push theirs
// (offsets from the final %rsp, which is the `regstate*`):
//   +168 SS        (hardware)
//   +160 RSP       (hardware)
//   +152 RFLAGS    (hardware)
//   +144 CS        (hardware)
//   +136 RIP       (hardware)
//   +128 error code (hardware for some vectors, else the stub pushes 0)
//   +120 vector    (stub)
//   +0 .. +112     RAX RCX RDX RBX RBP RSI RDI R8 .. R15 (common code)
// It calls `exception_handler(regstate*)` (kernel/interrupts.cc), which
// makes every decision; then it restores everything and leaves by iretq.
// swapgs happens exactly once each way, only when crossing from/to user.
#include "arch/regstate-offsets.h"

// Vectors for which the CPU pushes an error code.
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        .text
        .balign 16
        .globl exception_stubs
exception_stubs:                        // one 16-byte stub per vector
        .set vector, 0
        .rept 256
        .balign 16
        .if !(HAS_ERRCODE(vector))
        pushq $0                        // reg_errcode
        .endif
        pushq $vector                   // reg_intno
        jmp exception_common
        .set vector, vector + 1
        .endr

        .globl exception_stub_table
        .section .rodata
        .balign 8
exception_stub_table:
        .set vector, 0
        .rept 256
        .quad exception_stubs + vector * 16
        .set vector, vector + 1
        .endr

        .text
exception_common:
        testb $3, REGSTATE_CS - REGSTATE_INTNO(%rsp)
        jz 1f
        swapgs                          // from user: GSBASE := cpustate
1:      pushq %r15                      // reg_r15
        pushq %r14
        pushq %r13
        pushq %r12
        pushq %r11
        pushq %r10
        pushq %r9
        pushq %r8
        pushq %rdi
        pushq %rsi
        pushq %rbp
        pushq %rbx
        pushq %rdx
        pushq %rcx
        pushq %rax                      // reg_rax: %rsp is now the regstate*
        movq %rsp, %rdi
        call exception_handler
        // fall through

// exception_return: restore the regstate at %rsp and leave by iretq.
// Also the way a task whose `regs_` is set resumes (proc_resume_regs).
        .globl exception_return
exception_return:
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
        addq $16, %rsp                  // vector and error code
        testb $3, 8(%rsp)               // CS in the iret frame
        jz 2f
        swapgs                          // to user: GSBASE := user's
2:      iretq
