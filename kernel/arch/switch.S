// switch.S — switches between a kernel task and its CPU's context.
//
// proc_yield(proc* p)            task → CPU; returns when p is resumed
//   Who: the current task, on its own kernel stack, any interrupt state.
//   Saves a yieldstate on that stack (callee-saved registers and RFLAGS,
//   below the return address), records it in p->yields_, disables
//   interrupts, moves to the top of this CPU's cpustate block (the CPU
//   stack) and calls cpustate_schedule(cpustate*), which never returns.
//   Stack after the pushes (the yieldstate*):
//     +56 return address   +48 RBX  +40 RBP  +32 R12  +24 R13  +16 R14
//     +8 R15   +0 RFLAGS
//
// proc_yield_noreturn()          task → CPU, for good
//   Same, but saves nothing: the task will never run again. Boot code uses
//   it too (as cpu_enter_schedule) to leave its start-up stack.
//
// proc_resume_yields(yieldstate*)  CPU → task (via yields_)
//   Loads RSP from the yieldstate, pops it and returns into proc_yield's
//   caller; RFLAGS (and so IF) is restored exactly.
//
// proc_resume_regs(regstate*)    CPU → task (via regs_)
//   Only a user task's first run (a new process or thread: regs_ is set
//   by exec, fork and clone). Loads RSP from the regstate, makes the
//   checks of every return to user mode (proc_first_return_to_user: a
//   thread asked to end before it ever ran ends there, without running
//   any user code), and leaves through exception_return.
//
// kernel_task_start               first run of a kernel task
//   proc::init_kernel's yieldstate "returns" here with the task's function
//   in R12 and its argument in R13, RSP 16-byte aligned, interrupts off.
#include "asm-offsets.h"

        .section .text.hot,"ax",@progbits
        .globl proc_yield
proc_yield:
        pushq %rbx                      // reg_rbx
        pushq %rbp                      // reg_rbp
        pushq %r12                      // reg_r12
        pushq %r13                      // reg_r13
        pushq %r14                      // reg_r14
        pushq %r15                      // reg_r15
        pushfq                          // reg_rflags
        cli
        movq %rsp, PROC_YIELDS(%rdi)
        // fall through

switch_to_cpu_stack:
        movq %gs:CPUSTATE_SELF, %rdi    // arg: this CPU's cpustate
        leaq CPUSTATE_SIZE(%rdi), %rsp
        xorl %ebp, %ebp                 // end of the frame chain
        pushq $0                        // (keeps the ABI's stack alignment)
        call cpustate_schedule
        ud2                             // cpustate_schedule never returns

        .globl proc_yield_noreturn, cpu_enter_schedule
proc_yield_noreturn:
cpu_enter_schedule:
        cli
        jmp switch_to_cpu_stack

        .globl proc_resume_yields
proc_resume_yields:
        movq %rdi, %rsp
        popfq
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        ret

        .globl proc_resume_regs
proc_resume_regs:
        movq %rdi, %rsp                 // 16-byte aligned (process.cc)
        call proc_first_return_to_user  // (regstate*) may not return
        jmp exception_return

        .globl kernel_task_start
kernel_task_start:
        // For gdb (.debug_frame, not loaded): a task's first frame has no
        // caller, so backtraces end here.
        .cfi_sections .debug_frame
        .cfi_startproc simple
        .cfi_def_cfa %rsp, 0
        .cfi_undefined %rip
        movq %r13, %rdi                 // argument
        callq *%r12                     // the task's function
        callq kernel_task_returned      // (which panics)
        ud2
        .cfi_endproc
