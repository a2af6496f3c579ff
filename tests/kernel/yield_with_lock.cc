// yield_with_lock.cc — the scheduler's precondition "no spinlock held" is
// asserted: a task that yields while holding one must panic, not deadlock.
//! result: fail
//! expect: PANIC: .*assertion .*lock_depth_.* failed
#include "ktest.hh"
#include "proc.hh"
#include "spinlock.hh"

KTEST(yield_with_lock) {
    static spinlock lock;
    irqstate state = lock.lock();
    current()->yield();
    lock.unlock(state);
}
