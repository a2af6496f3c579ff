// syscall.S — entry from user mode through the `syscall` instruction.
//
// Who arrives here: a user thread executing `syscall`. The CPU has set
// RCX = user RIP (the next instruction), R11 = user RFLAGS, CS/SS from
// STAR, and cleared the RFLAGS bits in SFMASK (IF, TF, DF, AC, NT), so
// interrupts are off. RSP is still the *user* stack and GSBASE still the
// user's: nothing may be pushed until both are switched. RAX = system
// call number, RDI RSI RDX R10 R8 R9 = arguments.
//
// Two ways through (docs/contexts.md, "System-call entry"):
//
// The fast path, for sys_getpid and sys_gettid only: calls that read one
// word the calling thread's `proc` (or its `process`) fixed before the
// thread first ran, and that can never block, fault, or need the
// regstate. It runs on the user's RSP without ever pushing (so the user
// stack is never written and never used as a kernel stack), with
// interrupts off throughout (IF stays clear from SFMASK until sysretq
// loads R11): swapgs, `current` from the cpustate, one or two loads into
// RAX, swapgs, sysretq. It writes RAX only; RCX and R11 keep what
// `syscall` put there, RFLAGS comes back from R11. It is taken only
// where the slow path would leave through sysret too: RCX below
// USER_ADDRESS_END (bit 47 clear; see the comment at the check) and no
// TF RF VM NT in R11 (sysret_odd_flags); otherwise the call goes the slow
// way, which returns through iretq or kills the process. What it does
// not do, by design: return_to_user's checks (a kill request, a pending
// activation). An interrupt that arrives meanwhile waits for sysretq and
// is then taken from user mode, where those checks run.
//
// The slow path, for every other call: builds a regstate on the current
// task's kernel stack (top of its proc block), shaped exactly like an
// interrupt's (so one exit path can serve both), with reg_intno = -1:
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
        cmpq $SYSCALL_NR_GETPID, %rax
        je syscall_fast_getpid
        // LAB threads BEGIN: exercise 3 (optional, once syscall_gettid works): send sys_gettid to a fast path like getpid's
        cmpq $SYSCALL_NR_GETTID, %rax
        je syscall_fast_gettid
        // LAB threads END
.Lslow:                                         // also from the fast path
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

// The fast path. FAST_PATH_CHECKS sends the call to the slow path unless
// sysretq is certain to be safe; RAX still holds the call number then.
//   RCX: `syscall` ran at CPL 3, so its last byte lies below
//   USER_ADDRESS_END (2^47) and RCX <= 2^47; bit 47 is set exactly when
//   RCX is 2^47, the first non-canonical address. A program can get
//   there: sys_page_alloc maps the page just below the end, and without
//   NX it can run `syscall` in its last two bytes (tests/user/p-toprip).
//   sysretq to a non-canonical RCX raises #GP on Intel CPUs *in ring 0*,
//   with the user's GSBASE already swapped in: never let it happen.
//   R11: the slow path uses iretq when TF, RF, VM or NT is set.
        .macro FAST_PATH_CHECKS
        testl $SYSRET_ODD_FLAGS, %r11d
        jnz .Lslow
        btq $47, %rcx
        jc .Lslow
        .endm

// Unwind information: RSP is the user's throughout and RIP is in RCX, so
// gdb's backtrace from a breakpoint here goes straight into the program.
        .globl syscall_fast_getpid
syscall_fast_getpid:                            // sys_getpid: the process's id
        .cfi_startproc simple
        .cfi_def_cfa %rsp, 0
        .cfi_register %rip, %rcx
        FAST_PATH_CHECKS
        swapgs                                  // GSBASE := this cpustate
        movq %gs:CPUSTATE_CURRENT, %rax         // the calling thread
        movq PROC_PROCESS(%rax), %rax           // its process
        movslq PROCESS_ID(%rax), %rax           // pid_t, sign-extended as
        swapgs                                  //   syscall_handler returns it
        sysretq                                 // RIP := RCX, RFLAGS := R11
        .cfi_endproc

        // LAB threads BEGIN: exercise 3 (optional): the fast path of sys_gettid, the calling thread's id (proc::id_)
        .globl syscall_fast_gettid
syscall_fast_gettid:                            // sys_gettid: the thread's id
        .cfi_startproc simple
        .cfi_def_cfa %rsp, 0
        .cfi_register %rip, %rcx
        FAST_PATH_CHECKS
        swapgs
        movq %gs:CPUSTATE_CURRENT, %rax
        movslq PROC_ID(%rax), %rax
        swapgs
        sysretq
        .cfi_endproc
        // LAB threads END
