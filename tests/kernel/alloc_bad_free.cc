// alloc_bad_free.cc — freeing a pointer into the middle of a multi-page
// block is caught by the buddy and reported, not treated as a block.
//! lab: alloc 10
//! result: fail
//! expect: PANIC: .*not the start of an allocated block
#include "kalloc.hh"
#include "ktest.hh"
#include "x86-64.hh"

KTEST(alloc_bad_free) {
    auto block = static_cast<char*>(kalloc(4 * PAGESIZE));
    assert(block);
    kfree(block + PAGESIZE);
}
