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

namespace {
struct task_run {
    void (*fn)(int, int, void*);
    void* arg;
    int ncpus;
    std::atomic<int> remaining;
    wait_queue done;
};

struct task_slot {
    task_run* run;
    int index;
    proc* task;
};

void task_body(void* p) {
    auto* slot = static_cast<task_slot*>(p);
    task_run* run = slot->run;
    run->fn(slot->index % run->ncpus, slot->index, run->arg);
    current()->pstate_ = ps_exited;
    --run->remaining;
    run->done.wake_all();
    current()->yield_noreturn();
}
}  // namespace

void ktest_run_tasks(void (*fn)(int, int, void*), void* arg, int per_cpu, int count) {
    if (count <= 0 || count > ncpu) {
        count = ncpu;
    }
    assert(per_cpu >= 1);
    int ntasks = count * per_cpu;
    auto* slots = new task_slot[ntasks];
    assert(slots, "out of memory starting test tasks");
    task_run run;
    run.fn = fn;
    run.arg = arg;
    run.ncpus = count;
    run.remaining = ntasks;
    for (int i = 0; i < ntasks; ++i) {
        slots[i].run = &run;
        slots[i].index = i;
        slots[i].task = spawn_kernel_task(i % count, task_body, &slots[i], "ktest task");
        assert(slots[i].task, "out of memory starting a test task");
    }
    waiter w;
    w.block_until(run.done, [&] { return run.remaining == 0; });
    for (int i = 0; i < ntasks; ++i) {
        while (!slots[i].task->descheduled_) {
            pause();
        }
        proc::free(slots[i].task);
    }
    delete[] slots;
}
