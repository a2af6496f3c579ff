// cpustate.cc — per-CPU setup, run queues and `cpustate::schedule`.
//
// Invariants enforced here (docs/contexts.md): schedule runs on the CPU
// stack with interrupts off and no spinlock held; `current_` changes only
// here; a task is resumed only by its home CPU.
#include "cpustate.hh"
#include <stddef.h>
#include "apic.hh"
#include "arch/descriptors.hh"
#include "vm.hh"

static_assert(sizeof(cpustate) == CPUSTATE_SIZE);
static_assert(offsetof(cpustate, tss_) + sizeof(x86_64_tss) <= PAGESIZE,
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

void lock_depth_underflow() {
    panic("spinlock released more often than taken (lock_depth_ %d)", this_cpu()->lock_depth_);
}

namespace {

// A lock-free peek is enough: a task enqueued just after we look is
// caught by the next poll, or by the `halted_` handshake below.
bool runq_has_work(cpustate* c) {
    // Sequentially consistent: with the store to halted_ before it, this
    // is the store-then-load half of the handshake with enqueue().
    return c->runq_length_.load() != 0;
}

// The idle task: yield as soon as the run queue has work. It polls for a
// short while before halting, because waking a halted CPU takes an IPI.
// Short matters: under an emulator on a busy host, a long poll burns the
// host core the other virtual CPU needs (2000 polls made cross-CPU
// hand-offs up to 60 times slower than 200; tests/kernel/sched_pingpong).
void idle_loop(void*) {
    constexpr int polls_before_halt = 200;
    for (;;) {
        cli();
        cpustate* c = this_cpu();
        bool work = false;
        for (int i = 0; i < polls_before_halt && !(work = runq_has_work(c)); ++i) {
            pause();
        }
        if (!work) {
            // Announce the halt before the last check: an enqueuer that
            // misses our check is then sure to see halted_ and kick us.
            c->halted_ = true;
            work = runq_has_work(c);
            if (!work) {
                // `sti; hlt` is atomic: an interrupt cannot slip in between.
                sti_hlt_cli();
            }
            c->halted_ = false;
        }
        if (work) {
            current()->yield();
        }
    }
}

}  // namespace

void cpustate::init_idle_task() {
    idle_task_ = proc::allocate();
    assert(idle_task_, "no memory for the idle task");
    idle_task_->init_kernel(index_, idle_loop, nullptr, "idle");
}

[[gnu::hot]] void cpustate::enqueue(proc* p) {
    assert(p->cpu_index_ == index_);
    bool kick;
    {
        spinlock_guard guard(runq_lock_);
        if (!p->runq_links_.is_linked() && p != idle_task_) {
            runq_.push_back(p);
            ++runq_length_;
        }
        // Another CPU halted in its idle task must be woken to notice.
        kick = self_ != this_cpu() && halted_;
    }
    if (kick) {
        lapic_send_ipi(lapic_id_, INT_IPI_RESCHEDULE);
    }
}

bool cpustate::should_preempt() {
    // LAB sched BEGIN: exercise 2, preempt a task that used up its quantum when another task is waiting
    if (current_ == idle_task_) {
        return runq_length_ != 0;
    }
    // A used-up quantum matters only if another task is waiting: otherwise
    // the scheduler would just pick the same task again, at the price of
    // saving and restoring its FPU state. A task queued later (by a wake-up
    // here or on another CPU) is noticed at the next tick, as before.
    return runq_length_ != 0 && ticks_ - switch_tick_ >= quantum_ticks;
    // LAB sched STUB: // Until then only the idle task gives way, as soon as there is work.
    // LAB sched STUB: return current_ == idle_task_ && runq_length_ != 0;
    // LAB sched END
}

[[gnu::hot]] void cpustate::schedule() {
    assert(is_cli());
    assert(this_cpu() == this);
    assert(rdrsp() > reinterpret_cast<uintptr_t>(this) && rdrsp() <= stack_top(),
           "schedule must run on the CPU stack");
    assert_eq(lock_depth_, 0);

    proc* prev = current_;
    assert(!prev || prev->stack_canary_ == proc::stack_canary_value,
           "kernel stack overflow: the task's stack ran into its proc");
    // The idle task may be leaving through an interrupt that ended its
    // `hlt`, before it could clear halted_ itself: clear it, or every
    // enqueue from another CPU would send this busy CPU an IPI.
    if (prev == idle_task_) {
        halted_.store(false, std::memory_order_relaxed);
    }
    proc* next = nullptr;
    runq_lock_.lock_noirq();
    if (prev && prev->pstate_ == ps_exited) {
        // A waker on another CPU may have queued this task while it was
        // still running (between `prepare` and `block`): drop that stale
        // entry before anyone may free the task. Nothing queues an exited
        // task again (wake() only moves blocked tasks).
        if (prev->runq_links_.is_linked()) {
            runq_.erase(prev);
            --runq_length_;
        }
        prev->descheduled_ = true;      // its memory may now be reclaimed
        prev = nullptr;
    }
    // A task that yielded while still runnable goes to the back.
    if (prev && prev != idle_task_ && prev->pstate_ == ps_runnable
        && !prev->runq_links_.is_linked()) {
        runq_.push_back(prev);
        ++runq_length_;
    }
    while (proc* p = runq_.pop_front()) {
        --runq_length_;
        if (p->pstate_ != ps_runnable) {
            continue;                   // blocked again; its waker re-queues it
        }
        // Prefer a task other than the one that just yielded.
        if (p == prev && !runq_.empty()) {
            runq_.push_back(p);
            ++runq_length_;
            continue;
        }
        next = p;
        break;
    }
    runq_lock_.unlock_noirq();

    if (!next) {
        next = idle_task_;
    }
    // User FPU/SSE state is still in the registers (the kernel never uses
    // them): save it when leaving a user task for another task (an exited
    // task's prev is nullptr by now; a task that follows itself keeps its
    // registers, and fxrstor below is skipped for it too).
    if (prev && prev != next && prev->is_user_) {
        fxsave(prev->fpu_);
    }
    assert(next->cpu_index_ == index_);
    current_ = next;
    switch_tick_ = ticks_;
    ++nschedule_;
    set_pagetable(next->pagetable_);
    set_kernel_stack(this, next->kernel_stack_top());
    if (next->is_user_ && next != prev) {
        fxrstor(next->fpu_);
        // The runtime finds the thread's activation control block at %fs
        // (abi/activation.h).
        wrmsr(MSR_IA32_FS_BASE, next->act_fs_base_);
    }
    next->resume();
}

extern "C" [[noreturn]] void cpu_enter_schedule();

[[gnu::hot]] void cpustate::enter_schedule() {
    assert(this_cpu() == this && !current_);
    cpu_enter_schedule();
}

// called from assembly (kernel/arch/switch.S), on the CPU stack
extern "C" [[noreturn, gnu::hot]] void cpustate_schedule(cpustate* c) {
    c->schedule();
}
