// thread-util.hh — helpers for the kernel-thread tests (sys_clone): stacks
// for new threads, and waiting on shared counters.
//
// Easy to get wrong: a new thread's stack must be mapped before the clone
// (the thread pushes on it at once), and two live threads must never share
// one. Stacks come from a region far above any test's image and heap.
#pragma once
#include <atomic>
#include "u-lib.hh"

// Stacks are carved from pages mapped on demand at 0x10000000 and up.
constexpr uintptr_t thread_stack_region = 0x10000000;

// A fresh stack of `size` bytes (a divisor of PAGESIZE, at least 1024: the
// activation runtime's fast-path restore writes a few hundred bytes below
// the interrupted RSP, user/u-activation.S):
// returns its top, or nullptr if no page could be mapped.
inline char* thread_stack(size_t size = PAGESIZE) {
    static uintptr_t next = thread_stack_region;
    uintptr_t base = next;
    if (base % PAGESIZE == 0 || size >= PAGESIZE) {
        base = round_up(base, PAGESIZE);
        size_t pages = round_up(size, PAGESIZE) / PAGESIZE;
        for (size_t i = 0; i < pages; ++i) {
            if (sys_page_alloc(reinterpret_cast<void*>(base + i * PAGESIZE)) < 0) {
                return nullptr;
            }
        }
    }
    next = base + size;
    return reinterpret_cast<char*>(base + size);
}

// Yield until `counter` reaches at least `target`.
inline void wait_for_count(const std::atomic<int>& counter, int target) {
    while (counter.load() < target) {
        sys_yield();
    }
}
