// kalloc.hh — placeholder interface until the buddy allocator lands
// (branch `memory`); replaced by that branch's header on merge.
#pragma once
#include <stddef.h>
void* kalloc(size_t size);
void kfree(void* ptr);
void* kalloc_zeroed_page();
