// kalloc_use_after_free.cc — in a SAN=1 kernel, a write to a freed small
// object is caught when the object is handed out again. Skipped unless
// built SAN=1.
//! requires: san
//! result: fail
//! ncpu: 1
//! expect: PANIC: kalloc: 64-byte object 0x[0-9a-f]+ written after it was freed \(byte 40 is 0x2a
#include "kalloc.hh"
#include "ktest.hh"

namespace {
void* held[4096];
}

KTEST(kalloc_use_after_free) {
    // Two live neighbours keep the object's page from going back to the
    // buddy (which would re-poison it whole).
    void* before = kalloc(64);
    auto* p = static_cast<volatile unsigned char*>(kalloc(64));
    void* after = kalloc(64);
    assert(before && p && after);
    kfree(const_cast<unsigned char*>(p));
    p[40] = 42;                             // the bug
    // Allocate until the object comes back (it panics then).
    for (auto& h : held) {
        h = kalloc(64);
        assert(h != const_cast<unsigned char*>(p), "the written freed object was handed out");
    }
}
