// page-accounting.hh — helpers for user tests that check the kernel frees
// everything: the free-page count, and waiting for it to come back.
//
// Easy to get wrong: memory is freed by the parent's waitpid and by the
// CPU that leaves an exiting task, a little after the wait returns; poll,
// don't read once. And take the starting count with start_free_pages():
// the kernel maps an activation slot's page the first time it delivers a
// tick to the process, so a count read before this process's first
// activation is one page higher than any count read after it.
#pragma once
#include "abi/activation.h"
#include "u-lib.hh"
#include "abi/activation.h"

inline size_t free_pages() {
    usage u;
    assert_eq(sys_getusage(&u), 0);
    return u.free_pages;
}

// Polls (10 ms apart, at most ~5 s) until at least `target` pages are free;
// returns the last count.
inline size_t wait_free_pages(size_t target) {
    size_t n = free_pages();
    for (int i = 0; i < 500 && n < target; ++i) {
        sys_msleep(10);
        n = free_pages();
    }
    return n;
}

// Spins in user mode (where ticks become activations) until this process's
// first thread has taken a timer activation, for at most ~20 ticks: a
// kernel that delivers none (the act lab's handout) just goes on. The
// kernel maps an activation slot's page the first time it delivers into
// that slot, so a count taken before the first activation would see that
// page as a leak later; call this before the first count.
inline void wait_first_activation() {
    auto* h = reinterpret_cast<volatile act_header*>(ACTIVATION_SEGMENT_BASE);
    usage u;
    assert_eq(sys_getusage(&u), 0);
    unsigned long deadline = u.time + 20;
    while (h->threads[0].delivered == 0 && u.time < deadline) {
        assert_eq(sys_getusage(&u), 0);
    }
}

// The free-page count once the first activation has happened: the
// baseline for wait_free_pages.
inline size_t start_free_pages() {
    wait_first_activation();
    return free_pages();
}
