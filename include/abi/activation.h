/* abi/activation.h — the activation segment: layout shared by the kernel
 * and the user runtime (see docs/activations.md).
 *
 * Every process has a 2 MiB segment at [ACTIVATION_SEGMENT_BASE,
 * ACTIVATION_SEGMENT_END): 512 frames of 4 KiB. Frame 0 is the header
 * (struct act_header); frames 1..511 are slots (struct act_slot followed by
 * the handler's stack, whose top is the end of the frame).
 *
 * Delivery (kernel): when a timer tick interrupts a thread in user mode,
 * on that thread's way back to user mode the kernel claims a free slot
 * (atomic compare-and-swap on the shared `busy`), copies the interrupted
 * registers into it, sets the `disabled` of the thread's own control
 * block, and enters the program at its entry point with
 *   %rdi = ENTRY_TIMER (4), %rsi = the slot's address,
 *   %rdx = the thread's control block index,
 *   %rsp = the end of the slot's frame, RFLAGS = IF only.
 * If `disabled` is already set, or no slot is free (`dropped` counts
 * those), it sets `pending` and resumes the interrupted code unchanged.
 * A pending activation is delivered at the next return to user mode with
 * `disabled` clear — from an interrupt or from any system call except
 * sys_getpid and sys_gettid, whose fast path returns without looking
 * (docs/activations.md); the runtime uses sys_yield.
 *
 * Restore (runtime): either sys_act_resume(slot) (exact; the kernel frees
 * the slot and clears `disabled`), or the fast path: copy the saved context
 * below the interrupted stack's 128-byte red zone, free the slot bit, clear
 * `disabled`, take a pending activation through a system call (sys_yield)
 * if `pending` is set, then pop everything and `ret $128`.
 *
 * Everything in the segment is user-writable: the kernel treats every
 * value it reads there as hostile (any bitmap is acceptable; indices and
 * addresses are the kernel's own).
 * Plain C layout, offsets named for assembly and checked below. */
#pragma once
#include "abi/user-memlayout.hh"

#define ACT_FRAME_SIZE          4096
#define ACT_NFRAMES             512
#define ACT_MAGIC               0x3174636168745548      /* "NUthact1" */
#define ACT_VERSION             1
#define ACT_MAX_THREADS         16

/* act_thread_control offsets */
#define ACT_TC_DISABLED         0
#define ACT_TC_PENDING          4
#define ACT_TC_DELIVERED        8
#define ACT_TC_DROPPED          16
#define ACT_TC_RESUMED_EXACT    24
#define ACT_TC_RESUMED_FAST     32
#define ACT_TC_SELF             40      /* the block's own address */
#define ACT_TC_SIZE             48

/* act_header offsets */
#define ACT_HDR_MAGIC           0
#define ACT_HDR_VERSION         8
#define ACT_HDR_BUSY            16      /* 8 x uint64_t: bit i = frame i */
#define ACT_HDR_THREADS         80
#define ACT_HDR_SPARE           (ACT_HDR_THREADS + ACT_MAX_THREADS * ACT_TC_SIZE)

/* act_slot offsets */
#define ACT_SLOT_RAX            0
#define ACT_SLOT_RBX            8
#define ACT_SLOT_RCX            16
#define ACT_SLOT_RDX            24
#define ACT_SLOT_RSI            32
#define ACT_SLOT_RDI            40
#define ACT_SLOT_RBP            48
#define ACT_SLOT_R8             56
#define ACT_SLOT_R9             64
#define ACT_SLOT_R10            72
#define ACT_SLOT_R11            80
#define ACT_SLOT_R12            88
#define ACT_SLOT_R13            96
#define ACT_SLOT_R14            104
#define ACT_SLOT_R15            112
#define ACT_SLOT_RSP            120
#define ACT_SLOT_RIP            128
#define ACT_SLOT_RFLAGS         136
#define ACT_SLOT_VECTOR         144
#define ACT_SLOT_ERRCODE        152
#define ACT_SLOT_CR2            160
#define ACT_SLOT_GENERATION     168
#define ACT_SLOT_ENTRY_TSC      176     /* TSC when the kernel was entered */
#define ACT_SLOT_DELIVER_TSC    184     /* TSC just before the upcall */
#define ACT_SLOT_SIZE           192

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* One per kernel thread of the process (docs/activations.md, "Kernel
 * threads"): a thread's ticks are delivered through its own block. The
 * kernel gives each thread a block when it starts (the first thread: 0;
 * fork: the same index as the forking thread; clone: the lowest free one)
 * and takes it back when the thread ends. While a thread runs, the %fs
 * segment base is its block's address, so the runtime reaches its own
 * block as %fs:ACT_TC_* without a free register. */
struct act_thread_control {
    uint32_t disabled;          /* kernel sets on delivery; runtime clears */
    uint32_t pending;           /* a tick arrived while disabled or slotless */
    uint64_t delivered;         /* kernel: activations delivered */
    uint64_t dropped;           /* kernel: ticks that found no free slot */
    uint64_t resumed_exact;     /* kernel: sys_act_resume successes */
    uint64_t resumed_fast;      /* runtime: fast-path restores */
    uint64_t self;              /* kernel: this block's user address */
};

struct act_header {
    uint64_t magic;
    uint32_t version;
    uint32_t nthreads;          /* kernel: 1 + the highest block in use */
    uint64_t busy[ACT_NFRAMES / 64];    /* bit 0 (the header) always set */
    struct act_thread_control threads[ACT_MAX_THREADS];
    /* The block of every thread beyond ACT_MAX_THREADS: its %fs points
     * here, and nothing is ever delivered through it (such a thread gets
     * no activations; the kernel just preempts it). */
    struct act_thread_control spare;
};

struct act_slot {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rsp, rip, rflags;
    uint64_t vector, error_code, cr2;
    uint64_t generation;        /* kernel: increments each use of the slot */
    uint64_t entry_tsc;
    uint64_t deliver_tsc;
};

static_assert(offsetof(struct act_thread_control, disabled) == ACT_TC_DISABLED);
static_assert(offsetof(struct act_thread_control, pending) == ACT_TC_PENDING);
static_assert(offsetof(struct act_thread_control, delivered) == ACT_TC_DELIVERED);
static_assert(offsetof(struct act_thread_control, dropped) == ACT_TC_DROPPED);
static_assert(offsetof(struct act_thread_control, resumed_exact) == ACT_TC_RESUMED_EXACT);
static_assert(offsetof(struct act_thread_control, resumed_fast) == ACT_TC_RESUMED_FAST);
static_assert(offsetof(struct act_thread_control, self) == ACT_TC_SELF);
static_assert(sizeof(struct act_thread_control) == ACT_TC_SIZE);
static_assert(offsetof(struct act_header, magic) == ACT_HDR_MAGIC);
static_assert(offsetof(struct act_header, version) == ACT_HDR_VERSION);
static_assert(offsetof(struct act_header, busy) == ACT_HDR_BUSY);
static_assert(offsetof(struct act_header, threads) == ACT_HDR_THREADS);
static_assert(offsetof(struct act_header, spare) == ACT_HDR_SPARE);
static_assert(sizeof(struct act_header) <= ACT_FRAME_SIZE);
static_assert(offsetof(struct act_slot, rax) == ACT_SLOT_RAX);
static_assert(offsetof(struct act_slot, rbx) == ACT_SLOT_RBX);
static_assert(offsetof(struct act_slot, rcx) == ACT_SLOT_RCX);
static_assert(offsetof(struct act_slot, rdx) == ACT_SLOT_RDX);
static_assert(offsetof(struct act_slot, rsi) == ACT_SLOT_RSI);
static_assert(offsetof(struct act_slot, rdi) == ACT_SLOT_RDI);
static_assert(offsetof(struct act_slot, rbp) == ACT_SLOT_RBP);
static_assert(offsetof(struct act_slot, r8) == ACT_SLOT_R8);
static_assert(offsetof(struct act_slot, r15) == ACT_SLOT_R15);
static_assert(offsetof(struct act_slot, rsp) == ACT_SLOT_RSP);
static_assert(offsetof(struct act_slot, rip) == ACT_SLOT_RIP);
static_assert(offsetof(struct act_slot, rflags) == ACT_SLOT_RFLAGS);
static_assert(offsetof(struct act_slot, vector) == ACT_SLOT_VECTOR);
static_assert(offsetof(struct act_slot, error_code) == ACT_SLOT_ERRCODE);
static_assert(offsetof(struct act_slot, cr2) == ACT_SLOT_CR2);
static_assert(offsetof(struct act_slot, generation) == ACT_SLOT_GENERATION);
static_assert(offsetof(struct act_slot, entry_tsc) == ACT_SLOT_ENTRY_TSC);
static_assert(offsetof(struct act_slot, deliver_tsc) == ACT_SLOT_DELIVER_TSC);
static_assert(sizeof(struct act_slot) == ACT_SLOT_SIZE);

/* Address helpers (the kernel computes these itself; never trusts them). */
static inline uintptr_t act_frame_address(unsigned frame) {
    return ACTIVATION_SEGMENT_BASE + (uintptr_t) frame * ACT_FRAME_SIZE;
}
static inline struct act_header* act_segment_header(void) {
    return (struct act_header*) ACTIVATION_SEGMENT_BASE;
}
#endif
