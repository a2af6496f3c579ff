// ktest.hh — in-kernel tests.
//
// A test is a function registered with KTEST(name) in a file under
// tests/kernel/. Booting with `test=name harness` runs it after the kernel
// is up; returning means it passed (the kernel prints "ktest NAME: passed"
// and exits QEMU with the pass code), a failed assertion or panic means it
// failed. The harness reads each test file's `//! ` lines for its
// expectations (see scripts/harness.py).
#pragma once
#include "assert.hh"

struct ktest {
    const char* name;
    void (*function)();
};

#define KTEST(name)                                                         \
    static void ktest_function_##name();                                    \
    [[gnu::section(".ktests"), gnu::used]]                                  \
    static const ktest ktest_descriptor_##name = {#name, ktest_function_##name}; \
    static void ktest_function_##name()

// The registered test named `name`, or nullptr.
const ktest* ktest_find(const char* name);

// Run `fn(cpu, arg)` in a new kernel task on each of the first `count` CPUs
// (all CPUs if count <= 0) at the same time; return when all have finished.
void ktest_run_on_cpus(void (*fn)(int cpu, void* arg), void* arg, int count = 0);
// Run `fn(cpu, index, arg)` in `per_cpu` new kernel tasks on each of the
// first `count` CPUs (all if count <= 0): index 0 .. count × per_cpu − 1
// (task `index` runs on CPU index % count). Returns when all have finished.
// Several tasks per CPU make races happen on one CPU too (a task that
// sleeps or yields lets the others in).
void ktest_run_tasks(void (*fn)(int cpu, int index, void* arg), void* arg, int per_cpu,
                     int count = 0);
