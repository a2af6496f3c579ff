// ktest.cc — finding registered in-kernel tests (see ktest.hh).
#include "ktest.hh"
#include <atomic>
#include "cpustate.hh"
#include "string.hh"
#include "waitqueue.hh"

extern "C" const ktest ktests_start[], ktests_end[];

const ktest* ktest_find(const char* name) {
    for (const ktest* t = ktests_start; t < ktests_end; ++t) {
        if (strcmp(t->name, name) == 0) {
            return t;
        }
    }
    return nullptr;
}

namespace {
struct parallel_run {
    void (*fn)(int, void*);
    void* arg;
    std::atomic<int> remaining;
    wait_queue done;
    proc* tasks[MAXCPU];
};

void parallel_task(void* p) {
    auto* run = static_cast<parallel_run*>(p);
    int cpu;
    {
        irqstate s = irqstate::save_and_disable();
        cpu = this_cpu()->index_;
        s.restore();
    }
    run->fn(cpu, run->arg);
    current()->pstate_ = ps_exited;
    --run->remaining;
    run->done.wake_all();
    current()->yield_noreturn();
}
}  // namespace

void ktest_run_on_cpus(void (*fn)(int, void*), void* arg, int count) {
    if (count <= 0 || count > ncpu) {
        count = ncpu;
    }
    parallel_run run;
    run.fn = fn;
    run.arg = arg;
    run.remaining = count;
    for (int i = 0; i < count; ++i) {
        run.tasks[i] = spawn_kernel_task(i, parallel_task, &run, "ktest worker");
        assert(run.tasks[i], "out of memory starting a test task");
    }
    waiter w;
    w.block_until(run.done, [&] { return run.remaining == 0; });
    // Each task marks itself exited before leaving its CPU; wait until every
    // CPU has really left its stack, then reclaim it.
    for (int i = 0; i < count; ++i) {
        while (!run.tasks[i]->descheduled_) {
            pause();
        }
        proc::free(run.tasks[i]);
    }
}
