// cpustate.hh — per-CPU state and the scheduler.
//
// Each CPU owns one `cpustate`, whose address is in GSBASE while the CPU
// runs kernel code. The first members are read by assembly at fixed
// offsets (arch/asm-offsets.cc hands them to the assembly at build time). The
// struct is aligned to, and so sized as, CPUSTATE_SIZE: the space after the
// members is the stack of the CPU context, where only `schedule` runs.
// Easy to get wrong: `this_cpu()` is only meaningful with interrupts off —
// with them on, the task could be preempted between the read and the use.
#pragma once
#include <atomic>
#include "arch/segments.h"
#include "arch/insns.hh"
#include "assert.hh"
#include "list.hh"
#include "proc.hh"
#include "spinlock.hh"

constexpr size_t CPUSTATE_SIZE = 4 * PAGESIZE;
constexpr int MAXCPU = 16;

struct __attribute__((aligned(CPUSTATE_SIZE))) cpustate {
    // Read by assembly: keep first, keep in this order.
    cpustate* self_ = nullptr;          // CPUSTATE_SELF (asm-offsets.cc)
    proc* current_ = nullptr;           // CPUSTATE_CURRENT; changed only by schedule
    uint64_t syscall_scratch_ = 0;      // CPUSTATE_SYSCALL_SCRATCH

    int index_ = -1;                    // 0 .. ncpu-1
    int lock_depth_ = 0;                // spinlocks held by this CPU
    uint32_t lapic_id_ = 0;
    std::atomic<bool> started_ = false;

    spinlock runq_lock_;
    list<proc, &proc::runq_links_> runq_;   // guarded by runq_lock_
    std::atomic<unsigned> runq_length_ = 0; // written under runq_lock_; read anywhere
    proc* idle_task_ = nullptr;
    std::atomic<bool> halted_ = false;  // idle task is about to `hlt` or in it
    // The page table in this CPU's CR3 (set_pagetable); other CPUs read it
    // to check they never free it.
    std::atomic<x86_64_pagetable*> pagetable_ = nullptr;
    // TLB shootdown (vm.cc): flushes asked of this CPU (each asker takes a
    // ticket) and the last ticket this CPU had read before a flush it
    // completed; a request is served once tlb_done_ >= its ticket.
    std::atomic<uint64_t> tlb_requests_ = 0;
    std::atomic<uint64_t> tlb_done_ = 0;

    std::atomic<uint64_t> ticks_ = 0;   // timer interrupts taken by this CPU
    uint64_t switch_tick_ = 0;          // ticks_ when current_ was last chosen
    uint64_t nschedule_ = 0;            // times schedule picked a task

    uint64_t gdt_[GDT_ENTRIES] = {};
    x86_64_tss tss_ = {};

    // Sets GSBASE to this cpustate; first thing each CPU does.
    void init_early(int index);
    // Creates the idle task; then the CPU may `schedule`.
    void init_idle_task();
    uintptr_t stack_top() const { return reinterpret_cast<uintptr_t>(this) + CPUSTATE_SIZE; }

    // Put `p` on this CPU's run queue (from any CPU); kicks this CPU if idle.
    void enqueue(proc* p);
    // CPU context only: choose a task and resume it.
    [[noreturn]] void schedule();
    // Start-up code of this CPU: move to the CPU stack and schedule.
    [[noreturn]] void enter_schedule();
    // Interrupt path: should the current task give up the CPU now?
    bool should_preempt();

    static constexpr uint64_t quantum_ticks = 2;
};

static_assert(offsetof(cpustate, lock_depth_) == cpustate_lock_depth_offset,
              "spinlock.hh reaches lock_depth_ at a fixed offset");

extern cpustate cpus[MAXCPU];
extern int ncpu;

[[gnu::always_inline]] inline cpustate* this_cpu() {
    assert(is_cli(), "this_cpu() with interrupts on");
    return reinterpret_cast<cpustate*>(read_gs_quad<offsetof(cpustate, self_)>());
}

inline proc* current() {
    return reinterpret_cast<proc*>(read_gs_quad<offsetof(cpustate, current_)>());
}

// Where long work in a system call lets pending interrupts in (and so may
// be preempted, as `sys_pause` is): interrupts on for one instruction. No
// spinlock may be held.
inline void preemption_point() {
    assert_eq(this_cpu()->lock_depth_, 0);
    asm volatile("sti; nop; cli" : : : "memory");
}
