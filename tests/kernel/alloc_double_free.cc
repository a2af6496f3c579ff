// alloc_double_free.cc — freeing a small object twice is caught: the
// kernel panics instead of corrupting its free lists.
//
// A second object stays live on the same page so the page is not returned
// to the buddy in between (that case is caught by the buddy instead).
//! lab: alloc 10
//! result: fail
//! expect: PANIC: .*double free of a small object
#include "kalloc.hh"
#include "ktest.hh"

KTEST(alloc_double_free) {
    void* a = kalloc(64);
    void* b = kalloc(64);
    assert(a && b);
    kfree(a);
    kfree(a);
    kfree(b);
}
