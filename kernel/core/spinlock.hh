// spinlock.hh — spinlocks, saved interrupt state, and their RAII guards.
//
// A spinlock is taken with interrupts off (an interrupt handler that wanted
// the same lock on this CPU would otherwise deadlock). `irqstate` remembers
// whether interrupts were on; releasing restores exactly that. Each CPU
// counts the spinlocks it holds (`cpustate::lock_depth_`), so the scheduler
// can assert it is entered with none held. Easy to get wrong: releasing
// locks out of order restores the wrong interrupt state; the guard's
// destructor makes the order structural.
#pragma once
#include <atomic>
#include "arch/insns.hh"
#include "assert.hh"

// Interrupt-enable state saved when a lock was taken.
class irqstate {
public:
    irqstate() = default;
    irqstate(irqstate&& other) : flags_(other.flags_), armed_(other.armed_) {
        other.armed_ = false;
    }
    irqstate(const irqstate&) = delete;
    irqstate& operator=(const irqstate&) = delete;
    ~irqstate() { assert(!armed_, "irqstate dropped without restoring interrupts"); }

    static irqstate save_and_disable() {
        irqstate s;
        s.flags_ = rdrflags();
        s.armed_ = true;
        cli();
        return s;
    }
    void restore() {
        assert(armed_);
        armed_ = false;
        if (flags_ & EFLAGS_IF) {
            sti();
        }
    }

private:
    uint64_t flags_ = 0;
    bool armed_ = false;
};

// Per-CPU held-lock count: `cpustate::lock_depth_`, reached through %gs
// (works from the first instruction of kernel_start because CPU 0's GSBASE
// is set first). One instruction and a branch, as every spinlock operation
// pays it; cpustate.hh checks the offset. Interrupts are off (the callers
// assert it), so the task cannot move to another CPU in between.
constexpr unsigned cpustate_lock_depth_offset = 0x1c;
[[noreturn]] void lock_depth_underflow();       // cpustate.cc: panics
inline void lock_depth_adjust(int delta) {
    bool negative;
    asm volatile("addl %[delta], %%gs:%c[offset]"
                 : "=@ccs"(negative)
                 : [delta] "ri"(delta), [offset] "i"(cpustate_lock_depth_offset)
                 : "memory");
    if (negative) [[unlikely]] {
        lock_depth_underflow();
    }
}

class spinlock {
public:
    // Disable interrupts, take the lock, return the previous interrupt state.
    irqstate lock() {
        irqstate s = irqstate::save_and_disable();
        lock_noirq();
        return s;
    }
    void unlock(irqstate& s) {
        unlock_noirq();
        s.restore();
    }
    // For callers that already run with interrupts off.
    void lock_noirq() {
        assert(is_cli(), "spinlock taken with interrupts on");
        while (flag_.test_and_set(std::memory_order_acquire)) {
            pause();
        }
        lock_depth_adjust(+1);
    }
    void unlock_noirq() {
        assert(is_cli());
        lock_depth_adjust(-1);
        flag_.clear(std::memory_order_release);
    }
    bool is_locked() const { return flag_.test(std::memory_order_relaxed); }

    // Lock-free of any bookkeeping: only for the panic path.
    bool try_lock_raw() { return !flag_.test_and_set(std::memory_order_acquire); }
    void unlock_raw() { flag_.clear(std::memory_order_release); }

private:
    std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

class spinlock_guard {
public:
    explicit spinlock_guard(spinlock& lock) : lock_(lock), state_(lock.lock()) {}
    ~spinlock_guard() { lock_.unlock(state_); }
    spinlock_guard(const spinlock_guard&) = delete;
    spinlock_guard& operator=(const spinlock_guard&) = delete;

private:
    spinlock& lock_;
    irqstate state_;
};
