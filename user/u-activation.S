// u-activation.S — restoring an interrupted user context after an activation
// (docs/activations.md, user/u-activation.hh).
//
// Entry points (System V calling convention):
//   int act_resume(void* slot)                     resume slot's own context
//   int act_restore(const act_context* ctx, void* slot)
//                                                  resume ctx, free slot
//   int act_switch(act_context* save, const act_context* load)
//                                                  save caller, resume load
//   int act_switch_release(save, load, uint32_t* flag)
//                                                  the same, *flag = 0 once
//                                                  *save is complete
//   int act_switch_call(save, load, uint32_t* flag)
//                                                  the same between two
//                                                  contexts saved at a call
//   void act_enable(void)                          end a critical section
// The first three return only on failure (E_INVAL or the kernel's error).
//
// THE FAST PATH. Every register of the interrupted context is live, so the
// restore must not need a free register at the end, and it must not touch
// the 128 bytes below the interrupted RSP (the red zone, which leaf code
// uses without moving RSP). So the saved context is first copied to a
// frame at
//     F = saved_rsp - 128 - 136        (ACT_FAST_RESERVE = 264 below RSP)
//     F+0   r15   F+8   r14   F+16  r13   F+24  r12   F+32  r11
//     F+40  r10   F+48  r9    F+56  r8    F+64  rbp   F+72  rdi
//     F+80  rsi   F+88  rdx   F+96  rcx   F+104 rbx   F+112 rax
//     F+120 rflags (masked to the user bits)          F+128 rip
//     F+136 = saved_rsp - 128: the red zone, never written
// then RSP := F; the slot's busy bit is cleared (lock btr); `disabled` is
// cleared; if `pending` is set a system call lets the kernel deliver it;
// finally 15 pops, popfq, and `ret $128`, which loads RIP from F+128 and
// sets RSP = F + 136 + 128 = saved_rsp. Nothing but the frame is written.
//
// WHY AN INTERRUPT AT ANY INSTRUCTION IS SAFE.
//  (1) Until the store that clears `disabled` (label .Lenable), a timer
//      tick only sets `pending` (the kernel resumes us unchanged). Nothing
//      is lost: pending is read after `disabled` is cleared. All reads of
//      the context (ctx/slot) happen before RSP moves; the slot is freed
//      only after that, so a slot reused by the kernel (this thread later,
//      or another thread of the process on another CPU) is never read
//      again. The frame below the red zone is dead memory to the
//      interrupted code, and no one else writes it while we are disabled.
//  (2) After `disabled` is cleared, a tick delivers a new activation. The
//      kernel copies our current registers into a NEW slot (ours is free
//      or the same page reused: we no longer read it). Its saved RSP is
//      the current one, F + 8k after k pops. A fast restore of that nested
//      activation builds its own frame at (F + 8k) - 264, strictly below
//      (F + 8k) - 128: every word we still have to pop (at and above
//      F + 8k) and the original red zone are untouched; it restores our
//      registers, flags and RIP exactly and we carry on popping. An exact
//      restore writes nothing on our stack at all.
//  (3) Between `popfq` and `ret`, the flags are the restored ones; a
//      nested activation saves and restores them like any flags. TF (which
//      popfq would arm) never reaches popfq: contexts with TF or RF set
//      take the exact path.
//  (4) The pending check: if `pending` is read as 1 but a tick delivers it
//      first, the system call is merely spurious. If a tick comes after the
//      read of 0, it is delivered directly (disabled is clear). The kernel
//      sets `pending` only from an interrupt on this same CPU (this thread
//      is running), so program order is enough, no fence.
//  (5) The system call clobbers rax, rcx, r11 and flags: at that point
//      every one of the context's registers is in the frame, so they are
//      scratch. The kernel's delivery on the system call's return saves
//      RIP = .Lafter_syscall and RSP = F, and the nested restore returns
//      there.
//  (6) The resumed_fast counter is a single `incq` on user memory while
//      disabled: an interrupt cannot split it on this CPU.
//
// Each kernel thread of the process has its own control block, at its %fs
// base (abi/activation.h): `disabled`, `pending` and the counters here are
// always the running kernel thread's own, so all of the above holds per
// kernel thread while others run the same code on other CPUs; only the
// slot bitmap is shared, and it is changed only with locked instructions.
//
// Easy to get wrong: the runtime is general-registers only, so the FPU/SSE
// state of the interrupted code is never disturbed here.
#include "u-activation.hh"

// The running kernel thread's own control block, through %fs (the kernel
// loads each thread's block address as its %fs base; abi/activation.h).
#define TC_DISABLED     %fs:ACT_TC_DISABLED
#define TC_PENDING      %fs:ACT_TC_PENDING
#define TC_FAST         %fs:ACT_TC_RESUMED_FAST
#define HDR_BUSY        (ACTIVATION_SEGMENT_BASE + ACT_HDR_BUSY)

    .text

// int act_resume(void* slot): act_restore(slot, slot).
    .globl act_resume
    .type act_resume, @function
act_resume:
    movq %rdi, %rsi
    // fall through
    .size act_resume, . - act_resume

// int act_restore(const act_context* ctx /* %rdi */, void* slot /* %rsi */)
    .globl act_restore
    .type act_restore, @function
act_restore:
    // %r8 := the slot's frame index (1..511), if there is a slot.
    testq %rsi, %rsi
    jz 1f
    movq %rsi, %r8
    subq $ACTIVATION_SEGMENT_BASE, %r8
    testl $(ACT_FRAME_SIZE - 1), %r8d
    jnz .Linval
    shrq $12, %r8
    leaq -1(%r8), %rax
    cmpq $(ACT_NFRAMES - 2), %rax       // frame - 1 in [0, 510]
    ja .Linval
1:
    // LAB act BEGIN: exercise 3, the fast path: restore in user mode, no system call (see the comment at the top); until then every restore takes the exact path
    // Preconditions of the fast path (u-activation.hh).
    movq ACT_SLOT_RFLAGS(%rdi), %rdx
    testl $ACT_FAST_BAD_RFLAGS, %edx
    jnz .Lexact
    movq ACT_SLOT_RSP(%rdi), %rax       // saved RSP
    testb $7, %al
    jnz .Lexact
    movq %rax, %rcx
    subq $ACT_FAST_RSP_MIN, %rcx
    movabsq $(ACT_FAST_RSP_MAX - ACT_FAST_RSP_MIN), %r9
    cmpq %r9, %rcx                      // unsigned: MIN <= rsp <= MAX
    ja .Lexact
    leaq -ACT_FAST_RESERVE(%rax), %rcx  // %rcx := F
    // The frame must lie in the page that holds the saved RSP, the one
    // page we know is mapped: a stack used almost to the bottom of its
    // page may have nothing mapped below.
    movq %rax, %r9
    xorq %rcx, %r9
    shrq $12, %r9
    jnz .Lexact
    cmpq $ACTIVATION_SEGMENT_END, %rcx
    jae 2f                              // frame entirely above the segment
    cmpq $ACTIVATION_SEGMENT_BASE, %rax
    ja .Lexact                          // [F, rsp) overlaps the segment
2:
    // Build the frame (the interrupted code never looks below its red
    // zone; we are disabled, so nothing else writes there).
    andl $ACT_USER_RFLAGS_MASK, %edx
    movq %rdx, 120(%rcx)
    movq ACT_SLOT_RIP(%rdi), %r9
    movq ACT_SLOT_R15(%rdi), %r10
    movq ACT_SLOT_R14(%rdi), %r11
    movq %r9, 128(%rcx)
    movq %r10, 0(%rcx)
    movq %r11, 8(%rcx)
    movq ACT_SLOT_R13(%rdi), %r9
    movq ACT_SLOT_R12(%rdi), %r10
    movq ACT_SLOT_R11(%rdi), %r11
    movq %r9, 16(%rcx)
    movq %r10, 24(%rcx)
    movq %r11, 32(%rcx)
    movq ACT_SLOT_R10(%rdi), %r9
    movq ACT_SLOT_R9(%rdi), %r10
    movq ACT_SLOT_R8(%rdi), %r11
    movq %r9, 40(%rcx)
    movq %r10, 48(%rcx)
    movq %r11, 56(%rcx)
    movq ACT_SLOT_RBP(%rdi), %r9
    movq ACT_SLOT_RDI(%rdi), %r10
    movq ACT_SLOT_RSI(%rdi), %r11
    movq %r9, 64(%rcx)
    movq %r10, 72(%rcx)
    movq %r11, 80(%rcx)
    movq ACT_SLOT_RDX(%rdi), %r9
    movq ACT_SLOT_RCX(%rdi), %r10
    movq ACT_SLOT_RBX(%rdi), %r11
    movq %r9, 88(%rcx)
    movq %r10, 96(%rcx)
    movq %r11, 104(%rcx)
    movq ACT_SLOT_RAX(%rdi), %r9
    movq %r9, 112(%rcx)

    // (A) Leave the slot's stack: from here on neither ctx nor the slot is
    // read again.
    movq %rcx, %rsp
    testq %rsi, %rsi
    jz .Lenable
    // (B) Count and free the slot. Still disabled: ticks only set pending.
    incq TC_FAST
    lock btrq %r8, HDR_BUSY             // bit string: busy[r8 / 64] bit r8 % 64
.Lenable:
    // (C) Activations may be delivered from the next instruction on.
    movl $0, TC_DISABLED
    // (D) A tick that came while we were disabled: take it now. The kernel
    // delivers it on the way out of the system call, saving this context
    // (RSP = F) in a new slot; its restore comes back to .Lafter_syscall.
    cmpl $0, TC_PENDING
    jne .Lpending
.Lpop:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    popfq
    retq $ACT_RED_ZONE                  // RIP := [F+128]; RSP := saved_rsp

.Lpending:
    movl $ACT_SYSCALL_YIELD, %eax
    syscall
    // Delivery failed (no free slot) or already done: no retry loop here;
    // the kernel keeps `pending` and delivers at its next chance.
    jmp .Lpop
    // LAB act END

    // The exact path: the kernel restores the context from the slot.
.Lexact:
    testq %rsi, %rsi
    jz .Linval                          // no slot to hand to the kernel
    cmpq %rdi, %rsi
    je 3f
    // Copy the 18 context words into the slot (we run near the top of the
    // slot's page; the slot's 192 bytes are at its bottom).
    movq %rsi, %rdx                     // slot
    xchgq %rdi, %rsi                    // %rsi = ctx, %rdi = slot
    movl $(ACT_SLOT_VECTOR / 8), %ecx
    cld
    rep movsq
    movq %rdx, %rdi
3:
    movl $ACT_SYSCALL_ACT_RESUME, %eax
    syscall                             // returns only on error
    ret
.Linval:
    movl $ACT_E_INVAL, %eax
    ret
    .size act_restore, . - act_restore

// save_call_context: into the slot at %rdi, what a call preserves, as seen
// at the first instruction of a function: RIP = the return address at
// (%rsp), RSP = the caller's (past that address), RBX RBP R12-R15.
// Clobbers RAX.
.macro save_call_context
    movq (%rsp), %rax
    movq %rax, ACT_SLOT_RIP(%rdi)
    leaq 8(%rsp), %rax
    movq %rax, ACT_SLOT_RSP(%rdi)
    movq %rbx, ACT_SLOT_RBX(%rdi)
    movq %rbp, ACT_SLOT_RBP(%rdi)
    movq %r12, ACT_SLOT_R12(%rdi)
    movq %r13, ACT_SLOT_R13(%rdi)
    movq %r14, ACT_SLOT_R14(%rdi)
    movq %r15, ACT_SLOT_R15(%rdi)
.endm

// int act_switch(act_context* save /* %rdi */, const act_context* load /* %rsi */)
// Saves a context that, when resumed, returns 0 from this call; then
// act_restore(load, nullptr) (a tail call: on failure its E_INVAL is our
// return value, and nothing but *save has changed).
//
// int act_switch_release(act_context* save, const act_context* load,
//                        uint32_t* flag /* %rdx */)
// The same, and once *save is complete (every store to it done) stores 0
// to *flag (if not null) before anything of `load` is read. The thread
// library uses the flag to tell other kernel threads that the saved
// context may now be resumed: from that store on, another CPU may run
// the saved context on its stack, and this code no longer touches that
// stack (act_restore uses registers and `load` only until RSP moves to
// the frame below load's RSP). x86 stores are seen in program order, so
// a plain store publishes the context.
    .globl act_switch
    .type act_switch, @function
act_switch:
    xorl %edx, %edx
    // fall through
    .size act_switch, . - act_switch

    .globl act_switch_release
    .type act_switch_release, @function
act_switch_release:
    save_call_context
    xorl %eax, %eax
    movq %rax, ACT_SLOT_RAX(%rdi)       // the resumed call returns 0
    movq %rax, ACT_SLOT_RCX(%rdi)
    movq %rax, ACT_SLOT_RDX(%rdi)
    movq %rax, ACT_SLOT_RSI(%rdi)
    movq %rax, ACT_SLOT_RDI(%rdi)
    movq %rax, ACT_SLOT_R8(%rdi)
    movq %rax, ACT_SLOT_R9(%rdi)
    movq %rax, ACT_SLOT_R10(%rdi)
    movq %rax, ACT_SLOT_R11(%rdi)
    pushfq
    popq %rax
    movq %rax, ACT_SLOT_RFLAGS(%rdi)
    testq %rdx, %rdx
    jz 1f
    movl $0, (%rdx)                     // *save is complete: publish it
1:  movq %rsi, %rdi
    xorl %esi, %esi
    jmp act_restore
    .size act_switch_release, . - act_switch_release

// int act_switch_call(act_context* save /* %rdi */, const act_context* load /* %rsi */,
//                     uint32_t* flag /* %rdx, not null */)
// A voluntary switch between two contexts saved at a call. Saves what a
// call preserves — RIP (our return address), RSP, RBX RBP R12-R15 — and
// RAX = 0 and RFLAGS, so that act_restore (the activation handler's
// path) can also resume *save; stores 0 to *flag once *save is complete;
// then loads only the same registers of `load`, which must have been
// saved by this function too (the thread library tracks that): the other
// registers are the caller's to lose across any call. No frame is built
// and no precondition on load's RSP is needed: the one word written, the
// return address at RSP - 8, is where the saving call put it.
// Interrupts: until `disabled` is cleared a tick only sets `pending`; the
// save and the hand-off are as in act_switch_release. After it, a tick
// delivers an activation whose saved context is load's (RIP inside this
// tail, RSP = load's - 8, its registers loaded): resumed, it finishes the
// tail and returns 0 to load's caller. A pending activation is taken
// through a system call there too (which clobbers only RAX, RCX, R11).
// Returns 0 (in `load`'s thread).
    .globl act_switch_call
    .type act_switch_call, @function
act_switch_call:
    save_call_context
    pushfq
    popq ACT_SLOT_RFLAGS(%rdi)
    movq $0, ACT_SLOT_RAX(%rdi)         // the resumed call returns 0
    movl $0, (%rdx)                     // *save is complete: publish it
    // From here on nothing touches our own stack: another kernel thread
    // may already be running *save on it.
    movq ACT_SLOT_RBX(%rsi), %rbx
    movq ACT_SLOT_RBP(%rsi), %rbp
    movq ACT_SLOT_R12(%rsi), %r12
    movq ACT_SLOT_R13(%rsi), %r13
    movq ACT_SLOT_R14(%rsi), %r14
    movq ACT_SLOT_R15(%rsi), %r15
    movq ACT_SLOT_RIP(%rsi), %rax
    movq ACT_SLOT_RSP(%rsi), %rsp
    pushq %rax                          // load's return address, where it was
    movl $0, TC_DISABLED
    cmpl $0, TC_PENDING
    jne 1f
    xorl %eax, %eax
    ret
1:  movl $ACT_SYSCALL_YIELD, %eax
    syscall
    xorl %eax, %eax
    ret
    .size act_switch_call, . - act_switch_call

// void act_enable(void): clear `disabled`, then take a pending activation
// through a system call (clobbers only what a call may clobber).
    .globl act_enable
    .type act_enable, @function
act_enable:
    movl $0, TC_DISABLED
    cmpl $0, TC_PENDING
    jne 1f
    ret
1:  movl $ACT_SYSCALL_YIELD, %eax
    syscall
    ret
    .size act_enable, . - act_enable

    .section .note.GNU-stack, "", @progbits
