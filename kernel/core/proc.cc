// proc.cc — kernel task creation and the task/CPU switches (see proc.hh).
#include "proc.hh"
#include <new>
#include "cpustate.hh"
#include "kalloc.hh"
#include "log.hh"

extern "C" void proc_yield(proc* p);
extern "C" [[noreturn]] void proc_yield_noreturn();
extern "C" [[noreturn]] void proc_resume_yields(yieldstate* ys);
extern "C" [[noreturn]] void proc_resume_regs(regstate* regs);

// kernel/arch/switch.S: a new task's first "return" lands there.
extern "C" [[noreturn]] void kernel_task_start();

// called from assembly (kernel/arch/switch.S)
extern "C" [[noreturn]] void kernel_task_returned() {
    panic("kernel task '%s' returned from its function", current()->name_);
}

proc* proc::allocate() {
    void* block = kalloc(block_size);
    if (!block) {
        return nullptr;
    }
    return new (block) proc;
}

void proc::free(proc* p) {
    if (!p) {
        return;
    }
    assert(p->pstate_ != ps_runnable || !p->runq_links_.is_linked());
    assert(p->pstate_ != ps_exited || p->descheduled_, "freeing a task still on its CPU");
    p->~proc();
    kfree(p);
}

void proc::init_kernel(int cpu, void (*fn)(void*), void* arg, const char* name) {
    cpu_index_ = cpu;
    name_ = name;
    extern x86_64_pagetable* kernel_pagetable;
    pagetable_ = kernel_pagetable;
    // An initial yieldstate at the very top of the stack that "returns"
    // into kernel_task_start with interrupts off, leaving RSP = top
    // (16-byte aligned, as a `call` expects).
    uintptr_t top = kernel_stack_top();
    auto* ys = reinterpret_cast<yieldstate*>(top - sizeof(yieldstate));
    *ys = {};
    ys->reg_rflags = 0x2;                         // reserved bit; IF off
    ys->reg_r12 = reinterpret_cast<uint64_t>(fn);
    ys->reg_r13 = reinterpret_cast<uint64_t>(arg);
    ys->reg_rip = reinterpret_cast<uint64_t>(kernel_task_start);
    yields_ = ys;
    pstate_ = ps_runnable;
}

[[gnu::hot]] void proc::yield() {
    assert(this == current());
    assert_eq(cpus[cpu_index_].lock_depth_, 0);
    proc_yield(this);
}

void proc::yield_noreturn() {
    assert(this == current());
    proc_yield_noreturn();
}

[[gnu::hot]] void proc::resume() {
    assert(is_cli());
    if (yieldstate* ys = yields_) {
        yields_ = nullptr;
        proc_resume_yields(ys);
    }
    regstate* regs = regs_;
    assert(regs, "resuming a task with nothing to resume");
    regs_ = nullptr;
    proc_resume_regs(regs);
}

void proc::wake() {
    int expected = ps_blocked;
    if (pstate_.compare_exchange_strong(expected, ps_runnable)) {
        cpus[cpu_index_].enqueue(this);
    }
}

proc* spawn_kernel_task(int cpu, void (*fn)(void*), void* arg, const char* name) {
    proc* p = proc::allocate();
    if (p) {
        p->init_kernel(cpu, fn, arg, name);
        cpus[cpu].enqueue(p);
    }
    return p;
}
