// waitqueue.hh — blocking until a condition holds, with no lost wake-ups.
//
// Protocol: a waiter *prepares* (joins the queue and marks its task
// blocked), *checks* the condition, and only then *blocks* (yields). A
// waker first makes the condition true, then wakes the queue. Whatever the
// interleaving across CPUs, either the check sees the condition or the
// wake finds the waiter on the queue and makes its task runnable again
// (then `block` returns at once or the scheduler resumes it).
// Easy to get wrong: never test the condition before `prepare`.
#pragma once
#include "list.hh"
#include "spinlock.hh"

struct proc;
struct wait_queue;

struct waiter {
    proc* task_;
    wait_queue* queue_ = nullptr;
    list_links links_;                  // guarded by queue_->lock_

    explicit waiter(proc* task = nullptr);
    ~waiter();
    void prepare(wait_queue& q);
    void block();                       // yield unless already woken
    void clear();                       // leave the queue, runnable

    // Block until `predicate()` is true (checked after each prepare).
    template <typename F>
    void block_until(wait_queue& q, F predicate) {
        for (;;) {
            prepare(q);
            if (predicate()) {
                break;
            }
            block();
        }
        clear();
    }
};

struct wait_queue {
    spinlock lock_;
    list<waiter, &waiter::links_> waiters_;     // guarded by lock_

    void wake_all();
    void wake_one();
};
