// cpustate.cc — per-CPU state setup and the per-CPU lock-depth counter.
#include "cpustate.hh"
#include <stddef.h>

static_assert(offsetof(cpustate, self_) == CPUSTATE_SELF);
static_assert(offsetof(cpustate, current_) == CPUSTATE_CURRENT);
static_assert(offsetof(cpustate, syscall_scratch_) == CPUSTATE_SYSCALL_SCRATCH);
static_assert(sizeof(cpustate) == CPUSTATE_SIZE);
static_assert(offsetof(cpustate, lock_depth_) < PAGESIZE,
              "cpustate members must leave room for the CPU stack");

// constinit: no constructor may run after init_early() has filled these in.
constinit cpustate cpus[MAXCPU];
int ncpu = 1;

void cpustate::init_early(int index) {
    self_ = this;
    index_ = index;
    wrmsr(MSR_IA32_GS_BASE, reinterpret_cast<uint64_t>(this));
    wrmsr(MSR_IA32_KERNEL_GS_BASE, 0);
}

void lock_depth_adjust(int delta) {
    // Interrupts are off whenever a spinlock is taken or released, so
    // reading this CPU's state here is safe.
    cpustate* c = this_cpu();
    c->lock_depth_ += delta;
    assert(c->lock_depth_ >= 0, "spinlock released more often than taken");
}
