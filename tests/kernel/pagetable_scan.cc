// pagetable_scan.cc — pagetable_next_present, which skips empty entries four
// at a time, agrees with a plain scan for every start and limit, whatever
// the pattern (present entries at group edges, non-present entries that are
// not zero); and ptiter, which uses it, visits exactly the tables a plain
// recursive walk finds, over the kernel's own page table with its large
// pages.
//! expect: ktest pagetable_scan: passed
#include "kalloc.hh"
#include "ktest.hh"
#include "kaddr.hh"
#include "vm.hh"

namespace {

int plain_next_present(const x86_64_pagetable* t, int i, int limit) {
    while (i < limit && !(t->entry[i] & PTE_P)) {
        ++i;
    }
    return i;
}

// Page-table pages below `t` at `depth` (0 = root), `t` included; large
// pages and the entries of leaf tables lead nowhere.
size_t plain_count_tables(const x86_64_pagetable* t, int depth, int limit) {
    size_t n = 1;
    for (int i = 0; depth < 3 && i < limit; ++i) {
        x86_64_pageentry_t e = t->entry[i];
        if ((e & PTE_P) && !(e & PTE_PS)) {
            n += plain_count_tables(pa2kptr<x86_64_pagetable>(e & PTE_PAMASK), depth + 1, 512);
        }
    }
    return n;
}

}  // namespace

KTEST(pagetable_scan) {
    auto* t = static_cast<x86_64_pagetable*>(kalloc_page());
    assert(t);
    const int patterns[][6] = {
        {-1, -1, -1, -1, -1, -1},           // empty
        {0, -1, -1, -1, -1, -1},
        {511, -1, -1, -1, -1, -1},
        {3, 4, -1, -1, -1, -1},             // both sides of a group edge
        {1, 2, 255, 256, 510, -1},
        {5, 7, 100, 257, 508, 511},
    };
    for (auto& pattern : patterns) {
        for (int i = 0; i < 512; ++i) {
            // Non-present but not zero: must be skipped like zero.
            t->entry[i] = (i % 3 == 0) ? 0x5000 | PTE_W : 0;
        }
        for (int i : pattern) {
            if (i >= 0) {
                t->entry[i] = 0x7000 | PTE_P;
            }
        }
        const int limits[] = {512, 256, 9, 1, 0};
        for (int limit : limits) {
            for (int i = 0; i <= limit; ++i) {
                assert_eq(pagetable_next_present(t, i, limit), plain_next_present(t, i, limit));
            }
        }
    }
    kfree(t);

    // ptiter over the whole kernel page table (both halves): the direct map
    // uses 2 MiB or 1 GiB pages, which it must not descend into.
    size_t visited = 0;
    for (ptiter it(kernel_pagetable, true); !it.done(); it.next()) {
        ++visited;
    }
    assert_eq(visited, plain_count_tables(kernel_pagetable, 0, 512));
    assert_gt(visited, size_t(1));
}
