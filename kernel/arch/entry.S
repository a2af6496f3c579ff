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
// It calls `exception_handler(regstate*)` (kernel/core/interrupts.cc), which
// makes every decision; then it restores everything and leaves by iretq.
// swapgs happens exactly once each way, only when crossing from/to user.
#include "asm-offsets.h"
#include "arch/regstate-asm.h"

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

// Unwind information for gdb (.debug_frame only, not loaded): from
// exception_common to the return from exception_handler, the interrupted
// RIP, RSP and callee-saved registers are found in the regstate, so a
// backtrace from a handler continues into the interrupted code (kernel or
// user); it goes on through exception_return to the iretq (the same layout
// for every way in: interrupts, syscall_entry's iretq path,
// proc_resume_regs). It is a signal frame (the saved RIP is the instruction to resume,
// not a return address), so gdb shows it as `<signal handler called>`.
        .cfi_sections .debug_frame
        .section .text.hot,"ax",@progbits
exception_common:
        .cfi_startproc simple
        .cfi_signal_frame
        .cfi_def_cfa %rsp, REGSTATE_SIZE - REGSTATE_INTNO
        .cfi_offset %rip, REGSTATE_RIP - REGSTATE_SIZE
        .cfi_offset %rsp, REGSTATE_RSP - REGSTATE_SIZE
        testb $3, REGSTATE_CS - REGSTATE_INTNO(%rsp)
        jz 1f
        swapgs                          // from user: GSBASE := cpustate
1:      PUSH_GPRS
        // User mode may have left DF or AC set (iretq restores both): C code
        // needs DF = 0, and AC = 1 would switch SMAP off in the kernel.
        cld
        cmpb $0, entry_clac(%rip)       // clac is #UD without SMAP
        je 3f
        clac
3:      movq %rsp, %rdi
        call exception_handler
        // fall through

// exception_return: restore the regstate at %rsp and leave by iretq.
// Also the way a task whose `regs_` is set resumes (proc_resume_regs).
        .globl exception_return
exception_return:
        POP_GPRS
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r15
        addq $16, %rsp                  // vector and error code
        .cfi_adjust_cfa_offset -16
        testb $3, 8(%rsp)               // CS in the iret frame
        jz 2f
        swapgs                          // to user: GSBASE := user's
2:      iretq
        .cfi_endproc
