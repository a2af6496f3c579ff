// page-accounting.hh — helpers for user tests that check the kernel frees
// everything: the free-page count, and waiting for it to come back.
//
// Easy to get wrong: memory is freed by the parent's waitpid and by the
// CPU that leaves an exiting task, a little after the wait returns; poll,
// don't read once.
#pragma once
#include "u-lib.hh"

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
