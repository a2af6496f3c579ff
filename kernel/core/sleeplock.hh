// sleeplock.hh — locks whose waiters sleep instead of spinning: a mutex
// (`sleeplock`) and a reader/writer lock (`rwlock`), both built on
// wait_queue (waitqueue.hh). For what may be held across a disk transfer:
// an open file's position, an inode's contents, a cached block while it is
// being modified, the free-block bitmap.
//
// A holder may block (read a disk block, wait on a queue, yield): the lock
// stays held, and tasks wanting it sleep on its queue. A spinlock cannot
// be held across either: taking a sleeping lock while this CPU holds any
// spinlock (`cpustate::lock_depth_` > 0) fails an assertion even when the
// lock is free, because the same call would deadlock or yield with the
// spinlock held the day it is contended. Sleeping locks therefore come
// *before* every spinlock in the lock order (docs/contexts.md).
//
// Easy to get wrong: neither lock is recursive — taking a sleeplock twice
// in one task is caught by an assertion; taking an rwlock for reading twice
// deadlocks as soon as a writer queues between the two (writers have
// priority over new readers so they cannot starve). Unlock from the task
// that locked (asserted for the mutex and the writer). Wake-ups: the state
// change happens under the internal spinlock, the wake after it is
// released; a waiter re-checks under that spinlock after `prepare`, so no
// wake-up is lost (tests/kernel/sleeplock.cc).
#pragma once
#include "spinlock.hh"
#include "waitqueue.hh"

struct proc;

// Asserts that the current task may sleep here: no spinlock held on this
// CPU. Sleeping locks call it on every acquire (contended or not); any
// code that may block can call it too.
void assert_may_sleep();

// A sleeping mutex with an owner.
class sleeplock {
public:
    sleeplock() = default;
    sleeplock(const sleeplock&) = delete;
    sleeplock& operator=(const sleeplock&) = delete;

    // Blocks until the lock is free, then takes it for the current task.
    void lock();
    // Takes the lock if it is free; never blocks. True if taken.
    bool try_lock();
    // Releases the lock (must be held by the current task) and wakes one
    // waiter.
    void unlock();
    // True if the current task holds the lock (for assertions).
    bool held() const;

private:
    mutable spinlock lock_;         // guards owner_; a leaf
    proc* owner_ = nullptr;         // [lock_]
    wait_queue waiters_;
};

class sleeplock_guard {
public:
    explicit sleeplock_guard(sleeplock& l) : lock_(l) { lock_.lock(); }
    ~sleeplock_guard() { lock_.unlock(); }
    sleeplock_guard(const sleeplock_guard&) = delete;
    sleeplock_guard& operator=(const sleeplock_guard&) = delete;

private:
    sleeplock& lock_;
};

// A sleeping reader/writer lock: any number of readers or one writer.
// A writer waiting blocks new readers (no writer starvation).
class rwlock {
public:
    rwlock() = default;
    rwlock(const rwlock&) = delete;
    rwlock& operator=(const rwlock&) = delete;

    void lock_shared();             // as a reader
    bool try_lock_shared();
    void unlock_shared();
    void lock();                    // as the writer
    bool try_lock();
    void unlock();

    // For assertions: the current task is the writer; some reader holds it.
    bool held_exclusive() const;
    bool held_shared() const;

private:
    mutable spinlock lock_;         // guards the fields below; a leaf
    unsigned readers_ = 0;          // [lock_] readers holding the lock
    unsigned writers_waiting_ = 0;  // [lock_] writers blocked in lock()
    proc* writer_ = nullptr;        // [lock_] the writer holding it
    wait_queue waiters_;            // readers and writers; woken all at once
};

class shared_guard {
public:
    explicit shared_guard(rwlock& l) : lock_(l) { lock_.lock_shared(); }
    ~shared_guard() { lock_.unlock_shared(); }
    shared_guard(const shared_guard&) = delete;
    shared_guard& operator=(const shared_guard&) = delete;

private:
    rwlock& lock_;
};

class exclusive_guard {
public:
    explicit exclusive_guard(rwlock& l) : lock_(l) { lock_.lock(); }
    ~exclusive_guard() { lock_.unlock(); }
    exclusive_guard(const exclusive_guard&) = delete;
    exclusive_guard& operator=(const exclusive_guard&) = delete;

private:
    rwlock& lock_;
};
