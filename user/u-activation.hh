// u-activation.hh — the user half of activations: restoring an interrupted
// context from an activation slot (see docs/activations.md).
//
// Includable from assembly (user/u-activation.S uses the constants). The
// segment layout itself is include/abi/activation.h.
//
// Two restore paths, both of which free the slot:
//   - exact: sys_act_resume(slot). The kernel restores every register and
//     frees the slot. Always correct; costs a kernel entry.
//   - fast:  act_resume(slot) / act_restore(ctx, slot). No kernel entry:
//     the saved context is copied to the interrupted stack strictly below
//     its 128-byte red zone, the slot bit is cleared atomically, `disabled`
//     is cleared, a pending activation is taken through a system call, and
//     `pop`s + `popfq` + `ret $128` restore everything with RSP exact.
//     Used only when the context passes act_context_fast_ok(); otherwise
//     these functions fall back to the exact path themselves.
//
// Easy to get wrong: the fast path writes ACT_FAST_RESERVE bytes below the
// saved RSP, so that memory must be writable stack; the precondition below
// only proves the range is an ordinary user address range (at or above
// USER_TEXT_BASE, at or below USER_ADDRESS_END, 8-byte aligned, outside the
// activation segment). A program that points RSP at its read-only text
// while an activation arrives gets killed by the fault (its own choice).
#pragma once
#include "abi/activation.h"
#include "abi/user-memlayout.hh"

// The fast path's frame on the interrupted stack: 15 GPRs (every one but
// RSP), RFLAGS and RIP, placed directly below the red zone.
#define ACT_FAST_FRAME          136     // 17 words
#define ACT_RED_ZONE            128
#define ACT_FAST_RESERVE        (ACT_RED_ZONE + ACT_FAST_FRAME)     // 264

// RFLAGS bits that force the exact path: TF (the popfq would arm a single
// step inside the restore sequence) and RF (popfq cannot restore it).
#define ACT_RFLAGS_TF           0x100
#define ACT_RFLAGS_RF           0x10000
#define ACT_FAST_BAD_RFLAGS     (ACT_RFLAGS_TF | ACT_RFLAGS_RF)

// RFLAGS bits the fast path hands to popfq: the user-modifiable status and
// control bits CF PF AF ZF SF DF OF AC ID (TF is excluded above; IF and
// IOPL cannot change at CPL 3 anyway; NT, RF, VM, VIF, VIP never). Bit 1
// reads as 1 and is ignored by popfq.
#define ACT_USER_RFLAGS_MASK    0x240CD5

// The saved RSP is usable by the fast path iff
//   saved_rsp % 8 == 0,
//   USER_TEXT_BASE + ACT_FAST_RESERVE <= saved_rsp <= USER_ADDRESS_END, and
//   [saved_rsp - ACT_FAST_RESERVE, saved_rsp) does not overlap the
//   activation segment [ACTIVATION_SEGMENT_BASE, ACTIVATION_SEGMENT_END),
//   and saved_rsp - ACT_FAST_RESERVE lies in the same 4 KiB page as
//   saved_rsp (the page holding the stack's last word is mapped; the one
//   below it may not be — a program whose stack is nearly full).
// The unsigned upper bound also rejects every non-canonical and kernel
// address, and 0.
#define ACT_FAST_RSP_MIN        (USER_TEXT_BASE + ACT_FAST_RESERVE)
#define ACT_FAST_RSP_MAX        USER_ADDRESS_END

// Control block 0: the first kernel thread's (and a single-threaded
// process's). The runtime itself uses the running kernel thread's own
// block, which %fs points to (act_tc_self).
#define ACT_TC0                 (ACTIVATION_SEGMENT_BASE + ACT_HDR_THREADS)

// Numbers the assembly needs (checked against abi/syscalls.def and
// abi/errno.hh in user/u-entry.cc).
#define ACT_SYSCALL_YIELD       2
#define ACT_SYSCALL_ACT_RESUME  60
#define ACT_E_INVAL             (-22)

#ifndef __ASSEMBLER__
#include <stdint.h>

// A saved user context in slot layout: the first ACT_SLOT_VECTOR bytes of
// struct act_slot (rax ... r15, rsp, rip, rflags). The thread library keeps
// one per thread; a slot's context is the same bytes.
struct act_context {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rsp, rip, rflags;
};
static_assert(sizeof(act_context) == ACT_SLOT_VECTOR);

extern "C" {
// Resumes the context saved in `slot` and frees the slot (fast path when
// act_context_fast_ok, else sys_act_resume). Returns only if the slot
// address is not a slot frame (E_INVAL) or the kernel refused the exact
// resume (its error). Must run with `disabled` set (as every handler
// does) and with nothing live on the slot's stack.
int act_resume(void* slot);

// Resumes `ctx` (any act_context in user memory, e.g. a thread's) and then
// frees `slot` if it is not null. Same preconditions as act_resume. When
// the fast path is impossible: with a slot, `ctx` is copied into the slot
// and sys_act_resume(slot) restores it; without a slot, returns E_INVAL
// (the caller must check act_context_fast_ok first). Runs with `disabled`
// set; `disabled` is clear when the restored context runs.
int act_restore(const act_context* ctx, void* slot);

// Saves the caller's context in *save (callee-saved registers, RSP and RIP
// as after this call returns, RFLAGS; rax = 0, other caller-saved
// registers 0) and then does act_restore(load, nullptr). Returns 0 when
// *save is resumed; returns E_INVAL at once if *load fails
// act_context_fast_ok. Called with `disabled` set; returns with it clear.
int act_switch(act_context* save, const act_context* load);

// act_switch, and stores 0 to *flag (unless null) as soon as *save is
// complete, before `load` is read: after that store another kernel thread
// may resume *save (the thread library's hand-off across kernel threads).
int act_switch_release(act_context* save, const act_context* load,
                       volatile uint32_t* flag);

// A voluntary switch whose `load` was itself saved by act_switch_call:
// saves and loads only what a call preserves (RIP, RSP, RBX, RBP,
// R12-R15; *save also gets RAX = 0 and RFLAGS, so act_restore can resume
// it too), stores 0 to *flag (not null) once *save is complete, and needs
// no fast-path precondition. Called with `disabled` set; returns 0, with
// it clear, when *save is resumed.
int act_switch_call(act_context* save, const act_context* load, volatile uint32_t* flag);
}

inline bool act_rsp_fast_ok(uint64_t rsp) {
    return (rsp & 7) == 0
        && rsp >= ACT_FAST_RSP_MIN && rsp <= ACT_FAST_RSP_MAX
        && ((rsp - ACT_FAST_RESERVE) >> 12) == (rsp >> 12)
        && !(rsp - ACT_FAST_RESERVE < ACTIVATION_SEGMENT_END
             && rsp > ACTIVATION_SEGMENT_BASE);
}
// True if act_restore can restore `ctx` without the kernel.
inline bool act_context_fast_ok(const act_context* ctx) {
    return !(ctx->rflags & ACT_FAST_BAD_RFLAGS) && act_rsp_fast_ok(ctx->rsp);
}

// The segment, as seen by the runtime.
inline act_header* act_header_ptr() {
    return reinterpret_cast<act_header*>(ACTIVATION_SEGMENT_BASE);
}
inline volatile act_thread_control* act_tc0() {
    return reinterpret_cast<volatile act_thread_control*>(ACT_TC0);
}
// The calling kernel thread's own control block (header.spare if it has
// none: more kernel threads than ACT_MAX_THREADS).
inline volatile act_thread_control* act_tc_self() {
    uint64_t self;
    asm volatile("movq %%fs:%c1, %0" : "=r"(self) : "i"(ACT_TC_SELF));
    return reinterpret_cast<volatile act_thread_control*>(self);
}
inline act_slot* act_slot_ptr(unsigned frame) {
    return reinterpret_cast<act_slot*>(act_frame_address(frame));
}

// Critical sections against activations: while `disabled` is set, a tick
// only sets `pending`. act_enable takes a pending activation at once
// through a system call. Not nestable.
inline void act_disable() {
    asm volatile("movl $1, %%fs:%c0" : : "i"(ACT_TC_DISABLED) : "memory");
}
extern "C" void act_enable();
#endif
