// sched_preempt.cc — a kernel task that never yields is preempted when its
// quantum is used up and another task is waiting on its CPU.
//
// The test task spins on CPU 0 until a second task on CPU 0 sets a flag,
// letting interrupts in at each turn (`preemption_point`, as long work in
// a system call does; kernel tasks otherwise run with interrupts off).
// Only preemption by the timer can run the second task. The
// spin gives up after 2 s of ticks (a quantum is 2 ticks, 20 ms at the
// default 100 Hz), so a kernel that does not preempt fails the assertion
// rather than timing out.
//! lab: sched 20
//! expect: ktest sched_preempt: passed
//! ncpu: 1 2
#include <atomic>
#include "cpustate.hh"
#include "ktest.hh"
#include "timer.hh"

namespace {

std::atomic<bool> flag;

void setter(void*) {
    flag = true;
    current()->pstate_ = ps_exited;
    current()->yield_noreturn();
}

void on_cpu0(int, void*) {
    flag = false;
    proc* t = spawn_kernel_task(0, setter, nullptr, "setter");
    assert(t);
    uint64_t deadline = timer_deadline(2000);
    while (!flag && ticks < deadline) {
        preemption_point();
    }
    assert(flag, "a task that never yields was not preempted in 2 s");
    while (!t->descheduled_) {
        current()->yield();
    }
    proc::free(t);
}

}  // namespace

KTEST(sched_preempt) {
    ktest_run_on_cpus(on_cpu0, nullptr, 1);
}
