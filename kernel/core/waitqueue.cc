// waitqueue.cc — prepare / block / wake (see waitqueue.hh).
#include "waitqueue.hh"
#include "cpustate.hh"
#include "proc.hh"

waiter::waiter(proc* task) : task_(task ? task : current()) {}

waiter::~waiter() {
    assert(!links_.is_linked(), "waiter destroyed while still queued");
}

void waiter::prepare(wait_queue& q) {
    // LAB sched BEGIN: exercise 1, join q (once) and mark the task blocked, under q's lock
    spinlock_guard guard(q.lock_);
    queue_ = &q;
    task_->pstate_ = ps_blocked;
    if (!links_.is_linked()) {
        q.waiters_.push_back(this);
    }
    // LAB sched STUB: (void) q;    // until then a waiter polls: it stays runnable
    // LAB sched END
}

void waiter::block() {
    // LAB sched BEGIN: exercise 1, yield if still blocked; a waker may already have made the task runnable
    assert(task_ == current());
    if (task_->pstate_ == ps_blocked) {
        task_->yield();
    }
    // Woken (or never slept): whoever woke us took us off the queue.
    // LAB sched STUB: preemption_point();    // polling: let interrupts in (kernel tasks run with
    // LAB sched STUB: task_->yield();        // them off), go to the back of the run queue, check again
    // LAB sched END
}

void waiter::clear() {
    // LAB sched BEGIN: exercise 1, leave the queue if still on it; the task is running again
    if (queue_) {
        spinlock_guard guard(queue_->lock_);
        if (links_.is_linked()) {
            queue_->waiters_.erase(this);
        }
    }
    // A waker may have raced us; either way we are running now.
    task_->pstate_ = ps_runnable;
    queue_ = nullptr;
    // LAB sched STUB: task_->pstate_ = ps_runnable;
    // LAB sched STUB: queue_ = nullptr;
    // LAB sched END
}

void wait_queue::wake_all() {
    // LAB sched BEGIN: exercise 1, take every waiter off the queue and wake its task
    spinlock_guard guard(lock_);
    while (waiter* w = waiters_.pop_front()) {
        w->task_->wake();
    }
    // LAB sched END
}

void wait_queue::wake_one() {
    // LAB sched BEGIN: exercise 1, take the first waiter off the queue and wake its task
    spinlock_guard guard(lock_);
    if (waiter* w = waiters_.pop_front()) {
        w->task_->wake();
    }
    // LAB sched END
}
