// sleeplock.cc — sleeping mutex and reader/writer lock (see sleeplock.hh).
//
// Each acquire is a wait-queue loop (docs/contexts.md, "Wait queues"):
// prepare, then try to take the lock under the internal spinlock, then
// block. A release changes the state under the spinlock, drops it, and
// only then wakes (so the internal spinlock is a leaf and wait_queue::lock_
// is never taken under it).
// Easy to get wrong: the fast path must assert too (assert_may_sleep), or
// taking an uncontended lock under a spinlock would pass every test and
// deadlock the first time it is contended.
#include "sleeplock.hh"
#include "cpustate.hh"
#include "proc.hh"

void assert_may_sleep() {
    irqstate s = irqstate::save_and_disable();
    int depth = this_cpu()->lock_depth_;
    s.restore();
    assert(depth == 0, "sleeping lock taken (or sleep) with a spinlock held");
}

// ---- sleeplock -------------------------------------------------------------

bool sleeplock::try_lock() {
    assert_may_sleep();
    proc* me = current();
    spinlock_guard guard(lock_);
    assert(owner_ != me, "sleeplock taken twice by one task");
    if (owner_) {
        return false;
    }
    owner_ = me;
    return true;
}

void sleeplock::lock() {
    assert_may_sleep();
    proc* me = current();
    {
        spinlock_guard guard(lock_);
        assert(owner_ != me, "sleeplock taken twice by one task");
        if (!owner_) {
            owner_ = me;
            return;
        }
    }
    waiter w;
    w.block_until(waiters_, [&] {
        spinlock_guard guard(lock_);
        if (owner_) {
            return false;
        }
        owner_ = me;
        return true;
    });
}

void sleeplock::unlock() {
    {
        spinlock_guard guard(lock_);
        assert(owner_ == current(), "sleeplock released by a task that does not hold it");
        owner_ = nullptr;
    }
    // One waiter is enough: whoever takes the lock next wakes the next one
    // on its own release. A woken waiter that loses the race to a newcomer
    // finds the lock held and waits again; the newcomer's release wakes it.
    waiters_.wake_one();
}

bool sleeplock::held() const {
    spinlock_guard guard(lock_);
    return owner_ == current();
}

// ---- rwlock ------------------------------------------------------------------

bool rwlock::try_lock_shared() {
    assert_may_sleep();
    spinlock_guard guard(lock_);
    assert(writer_ != current(), "rwlock: writer asks to read");
    if (writer_ || writers_waiting_) {
        return false;
    }
    ++readers_;
    return true;
}

void rwlock::lock_shared() {
    if (try_lock_shared()) {
        return;
    }
    waiter w;
    w.block_until(waiters_, [&] {
        spinlock_guard guard(lock_);
        if (writer_ || writers_waiting_) {
            return false;
        }
        ++readers_;
        return true;
    });
}

void rwlock::unlock_shared() {
    bool last;
    {
        spinlock_guard guard(lock_);
        assert(readers_ > 0, "rwlock: read unlock without readers");
        last = --readers_ == 0;
    }
    if (last) {
        waiters_.wake_all();
    }
}

bool rwlock::try_lock() {
    assert_may_sleep();
    proc* me = current();
    spinlock_guard guard(lock_);
    assert(writer_ != me, "rwlock taken twice for writing by one task");
    if (writer_ || readers_) {
        return false;
    }
    writer_ = me;
    return true;
}

void rwlock::lock() {
    assert_may_sleep();
    proc* me = current();
    {
        spinlock_guard guard(lock_);
        assert(writer_ != me, "rwlock taken twice for writing by one task");
        if (!writer_ && !readers_) {
            writer_ = me;
            return;
        }
        ++writers_waiting_;
    }
    waiter w;
    w.block_until(waiters_, [&] {
        spinlock_guard guard(lock_);
        if (writer_ || readers_) {
            return false;
        }
        --writers_waiting_;
        writer_ = me;
        return true;
    });
}

void rwlock::unlock() {
    {
        spinlock_guard guard(lock_);
        assert(writer_ == current(), "rwlock released by a task that is not its writer");
        writer_ = nullptr;
    }
    // Everyone: the readers all get in together unless a writer is
    // waiting, in which case the first writer to look takes it and the
    // rest wait again.
    waiters_.wake_all();
}

bool rwlock::held_exclusive() const {
    spinlock_guard guard(lock_);
    return writer_ == current();
}

bool rwlock::held_shared() const {
    spinlock_guard guard(lock_);
    return readers_ > 0;
}
