// cpustate.hh — per-CPU state.
//
// Each CPU owns one `cpustate`, page-aligned, whose address is in GSBASE
// while the CPU runs kernel code. The first members are read by assembly at
// fixed offsets (cpustate-offsets.h names them; static_asserts check them).
// The CPU context's stack is the top of the cpustate's own block.
// Easy to get wrong: `this_cpu()` is only meaningful with interrupts off —
// with them on, the task could migrate between the read and the use.
#pragma once
#include "arch/x86.hh"
#include "assert.hh"
#include "cpustate-offsets.h"

struct proc;

constexpr size_t CPUSTATE_SIZE = 4 * PAGESIZE;

// The struct is aligned to, and therefore sized as, CPUSTATE_SIZE; the
// space after the members is the CPU context's stack.
struct __attribute__((aligned(CPUSTATE_SIZE))) cpustate {
    // Read by assembly: keep first, keep in this order.
    cpustate* self_ = nullptr;          // CPUSTATE_SELF
    proc* current_ = nullptr;           // CPUSTATE_CURRENT
    uint64_t syscall_scratch_ = 0;      // CPUSTATE_SYSCALL_SCRATCH

    int index_ = -1;                    // 0 .. ncpu-1
    int lock_depth_ = 0;                // spinlocks held by this CPU

    // Sets GSBASE to this cpustate; first thing each CPU does.
    void init_early(int index);
    uintptr_t stack_top() const { return reinterpret_cast<uintptr_t>(this) + CPUSTATE_SIZE; }
};

constexpr int MAXCPU = 16;
extern cpustate cpus[MAXCPU];
extern int ncpu;

inline cpustate* this_cpu() {
    assert(is_cli(), "this_cpu() with interrupts on");
    cpustate* c;
    asm volatile("movq %%gs:" CPUSTATE_SELF_STR ", %0" : "=r"(c));
    return c;
}
