// syscall.S — entry from user mode through the `syscall` instruction.
//
// Who arrives here: a user thread executing `syscall`. The CPU has set
// RCX = user RIP (the next instruction), R11 = user RFLAGS, CS/SS from
// STAR, and cleared the RFLAGS bits in SFMASK (IF, TF, DF, AC, NT), so
// interrupts are off. RSP is still the *user* stack and GSBASE still the
// user's: nothing may be pushed until both are switched. RAX = system
// call number, RDI RSI RDX R10 R8 R9 = arguments.
//
// It builds a regstate on the current task's kernel stack (top of its
// proc block), shaped exactly like an interrupt's (so one exit path can
// serve both), with reg_intno = -1:
//   +168 SS = user data   +160 RSP = user RSP   +152 RFLAGS = R11
//   +144 CS = user code   +136 RIP = RCX        +128 error code = 0
//   +120 intno = -1       +0..+112 RAX .. R15
// then calls `syscall_handler(regstate*)` (kernel/syscall.cc), which
// stores the result in reg_rax and returns nonzero if the return must go
// through iretq (the regstate no longer satisfies sysret's conditions),
// zero if sysret is safe.
#include "arch/regstate-offsets.h"
#include "arch/segments.h"
#include "cpustate-offsets.h"
#include "proc-offsets.h"

        .text
        .globl syscall_entry
syscall_entry:
        swapgs                                  // GSBASE := this cpustate
        movq %rsp, %gs:CPUSTATE_SYSCALL_SCRATCH // park the user RSP
        movq %gs:CPUSTATE_CURRENT, %rsp
        addq $PROC_BLOCK_SIZE, %rsp             // top of the kernel stack
        pushq $SEGSEL_USER_DATA                 // reg_ss
        pushq %gs:CPUSTATE_SYSCALL_SCRATCH      // reg_rsp
        pushq %r11                              // reg_rflags
        pushq $SEGSEL_USER_CODE                 // reg_cs
        pushq %rcx                              // reg_rip
        pushq $0                                // reg_errcode
        pushq $-1                               // reg_intno: a system call
        pushq %r15
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
        pushq %rax                              // reg_rax: %rsp = regstate*
        movq %rsp, %rdi
        call syscall_handler
        testq %rax, %rax
        jnz exception_return                    // C++ said: use iretq

        // sysret: RIP from RCX, RFLAGS from R11 (equal to the regstate's
        // rip/rflags: syscall_handler checked), RSP restored by hand.
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
        movq REGSTATE_RSP - REGSTATE_INTNO(%rsp), %rsp
        swapgs                                  // GSBASE := user's
        sysretq
