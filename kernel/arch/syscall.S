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
// then calls `syscall_handler(regstate*)` (kernel/core/syscall.cc), which
// stores the result in reg_rax and returns nonzero if the return must go
// through iretq (the regstate no longer satisfies sysret's conditions),
// zero if sysret is safe.
#include "asm-offsets.h"
#include "arch/regstate-asm.h"
#include "arch/segments.h"

// Unwind information (for gdb only: .debug_frame, not loaded): describes
// where the user's RIP, RSP and callee-saved registers are at each step,
// so a backtrace from syscall_handler continues into the user program.
// It covers the entry up to the return from syscall_handler; the exit path
// has none (gdb falls back to guessing there). In the two instructions
// where the user RSP is only in %gs:CPUSTATE_SYSCALL_SCRATCH it is marked
// unknown (DWARF cannot name a %gs-relative location).
        .cfi_sections .debug_frame
        .section .text.hot,"ax",@progbits
        .globl syscall_entry
syscall_entry:
        .cfi_startproc simple
        .cfi_def_cfa %rsp, 0                    // caller's RSP = user RSP
        .cfi_register %rip, %rcx
        swapgs                                  // GSBASE := this cpustate
        movq %rsp, %gs:CPUSTATE_SYSCALL_SCRATCH // park the user RSP
        movq %gs:CPUSTATE_CURRENT, %rsp
        .cfi_undefined %rsp
        addq $PROC_BLOCK_SIZE, %rsp             // top of the kernel stack
        .cfi_def_cfa %rsp, 0                    // CFA := top of the regstate
        pushq $SEGSEL_USER_DATA                 // reg_ss
        CFI_PUSH
        pushq %gs:CPUSTATE_SYSCALL_SCRATCH      // reg_rsp
        CFI_PUSH
        .cfi_offset %rsp, REGSTATE_RSP - REGSTATE_SIZE
        pushq %r11                              // reg_rflags
        CFI_PUSH
        pushq $SEGSEL_USER_CODE                 // reg_cs
        CFI_PUSH
        pushq %rcx                              // reg_rip
        CFI_PUSH
        .cfi_offset %rip, REGSTATE_RIP - REGSTATE_SIZE
        pushq $0                                // reg_errcode
        CFI_PUSH
        pushq $-1                               // reg_intno: a system call
        CFI_PUSH
        PUSH_GPRS                               // reg_r15 .. reg_rax
        movq %rsp, %rdi
        call syscall_handler
        testq %rax, %rax
        jnz exception_return                    // C++ said: use iretq
        .cfi_endproc

        // sysret: RIP from RCX, RFLAGS from R11 (equal to the regstate's
        // rip/rflags: syscall_handler checked), RSP restored by hand.
        POP_GPRS
        movq REGSTATE_RSP - REGSTATE_INTNO(%rsp), %rsp
        swapgs                                  // GSBASE := user's
        sysretq
