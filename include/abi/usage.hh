// abi/usage.hh — the structure sys_getusage fills in.
//
// Layout is ABI: the kernel copies exactly sizeof(usage) bytes to the user
// buffer (E_FAULT if any of it is not writable user memory).
#pragma once
#include <stddef.h>

struct usage {
    unsigned long time;         // timer ticks since boot
    size_t free_pages;          // physical pages free
    size_t allocated_pages;     // physical pages in use
};
static_assert(sizeof(usage) == 24, "usage is part of the ABI");
static_assert(offsetof(usage, free_pages) == 8 && offsetof(usage, allocated_pages) == 16);
