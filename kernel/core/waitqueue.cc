// waitqueue.cc — prepare / block / wake (see waitqueue.hh).
#include "waitqueue.hh"
#include "proc.hh"

waiter::waiter(proc* task) : task_(task ? task : current()) {}

waiter::~waiter() {
    assert(!links_.is_linked(), "waiter destroyed while still queued");
}

void waiter::prepare(wait_queue& q) {
    spinlock_guard guard(q.lock_);
    queue_ = &q;
    task_->pstate_ = ps_blocked;
    if (!links_.is_linked()) {
        q.waiters_.push_back(this);
    }
}

void waiter::block() {
    assert(task_ == current());
    if (task_->pstate_ == ps_blocked) {
        task_->yield();
    }
    // Woken (or never slept): whoever woke us took us off the queue.
}

void waiter::clear() {
    if (queue_) {
        spinlock_guard guard(queue_->lock_);
        if (links_.is_linked()) {
            queue_->waiters_.erase(this);
        }
    }
    // A waker may have raced us; either way we are running now.
    task_->pstate_ = ps_runnable;
    queue_ = nullptr;
}

void wait_queue::wake_all() {
    spinlock_guard guard(lock_);
    while (waiter* w = waiters_.pop_front()) {
        w->task_->wake();
    }
}

void wait_queue::wake_one() {
    spinlock_guard guard(lock_);
    if (waiter* w = waiters_.pop_front()) {
        w->task_->wake();
    }
}
