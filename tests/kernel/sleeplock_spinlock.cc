// sleeplock_spinlock.cc — taking a sleeping lock while holding a spinlock
// is caught even when the sleeping lock is free (the uncontended path
// never yields, so only an explicit check finds the bug before the day it
// deadlocks).
//! result: fail
//! expect: PANIC: .*sleeping lock taken \(or sleep\) with a spinlock held
//! ncpu: 1
#include "ktest.hh"
#include "sleeplock.hh"
#include "spinlock.hh"

KTEST(sleeplock_spinlock) {
    static spinlock spin;
    static sleeplock sleepy;
    irqstate state = spin.lock();
    sleepy.lock();
    sleepy.unlock();
    spin.unlock(state);
}
