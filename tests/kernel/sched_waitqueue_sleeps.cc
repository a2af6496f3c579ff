// sched_waitqueue_sleeps.cc — a task waiting on a wait queue sleeps: it is
// not run again (its condition is not re-checked) until a wake-up, and
// wake_one wakes one waiter, wake_all every one.
//
// Everything runs on CPU 0, so "not run" is exact: while the test task
// yields a hundred times, a sleeping waiter never gets the CPU. A waiter
// that polls instead (stays runnable and re-checks after every yield)
// still works but shows up in the count of condition checks.
// Easy to get wrong: a woken waiter checks its condition once more (that
// is the protocol); a condition is taken with a compare-and-swap so that
// two woken waiters cannot both take one token.
//! lab: sched 20
//! expect: ktest sched_waitqueue_sleeps: passed
//! ncpu: 1 2
#include <atomic>
#include "cpustate.hh"
#include "ktest.hh"
#include "waitqueue.hh"

namespace {

struct shared_state {
    wait_queue queue;
    std::atomic<int> tokens{0};
    std::atomic<int> checks{0};
    std::atomic<int> done{0};
};

void sleeper(void* arg) {
    auto* s = static_cast<shared_state*>(arg);
    waiter w;
    w.block_until(s->queue, [&] {
        ++s->checks;
        int t = s->tokens.load();
        return t > 0 && s->tokens.compare_exchange_strong(t, t - 1);
    });
    ++s->done;
    current()->pstate_ = ps_exited;
    current()->yield_noreturn();
}

void let_others_run(int times) {
    for (int i = 0; i < times; ++i) {
        current()->yield();
    }
}

void on_cpu0(int, void*) {
    shared_state s;
    proc* tasks[2];
    for (auto& t : tasks) {
        t = spawn_kernel_task(0, sleeper, &s, "sleeper");
        assert(t);
    }
    let_others_run(100);
    assert_eq(s.checks.load(), 2);      // one check each, then asleep
    assert_eq(s.done.load(), 0);

    s.tokens = 1;
    s.queue.wake_one();
    let_others_run(100);
    assert_eq(s.done.load(), 1);        // the woken one took the token
    assert_eq(s.checks.load(), 3);      // and the other slept through

    s.tokens = 1;
    s.queue.wake_all();
    while (s.done.load() != 2) {
        current()->yield();
    }
    assert_eq(s.checks.load(), 4);
    for (proc* t : tasks) {
        while (!t->descheduled_) {
            current()->yield();
        }
        proc::free(t);
    }
}

}  // namespace

KTEST(sched_waitqueue_sleeps) {
    ktest_run_on_cpus(on_cpu0, nullptr, 1);
}
