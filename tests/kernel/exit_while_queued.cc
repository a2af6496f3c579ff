// exit_while_queued.cc — a task woken between `prepare` and `block` is put
// on its run queue while it is still running; if it then exits without
// yielding, that stale run-queue entry must be gone before the task is
// reported descheduled (and so may be freed). Found by forkstorm at 4 CPUs
// once in ~16 runs; here the race is built on purpose, 2000 times.
//! expect: ktest exit_while_queued: passed
//! ncpu: 2 4
#include <atomic>
#include "cpustate.hh"
#include "ktest.hh"
#include "waitqueue.hh"

namespace {

struct race {
    wait_queue queue;
    std::atomic<bool> prepared{false};
    std::atomic<bool> woken{false};
};

void victim(void* arg) {
    auto* r = static_cast<race*>(arg);
    waiter w;
    w.prepare(r->queue);
    r->prepared = true;
    while (!r->woken) {             // the waker queues us right here
        pause();
    }
    w.block();                      // already runnable: returns at once
    w.clear();
    current()->pstate_ = ps_exited;
    current()->yield_noreturn();
}

}  // namespace

KTEST(exit_while_queued) {
    assert_ge(ncpu, 2);
#ifdef NUTHATCH_SAN
    constexpr int rounds = 400;             // SAN=1 slows every switch
#else
    constexpr int rounds = 2000;
#endif
    for (int round = 0; round < rounds; ++round) {
        race r;
        proc* p = spawn_kernel_task(1, victim, &r, "victim");
        assert(p);
        while (!r.prepared) {
            pause();
        }
        r.queue.wake_all();         // victim still running: queued on CPU 1
        r.woken = true;
        while (!p->descheduled_) {
            pause();
        }
        // Descheduled means reclaimable: it must be on no run queue.
        {
            spinlock_guard guard(cpus[1].runq_lock_);
            assert(!p->runq_links_.is_linked(), "exited task left on its run queue");
        }
        proc::free(p);
    }
}
