// alloc_exhaustion.cc — kalloc returns nullptr when memory runs out, and
// every page comes back once everything is freed.
//
// Allocations are chained through their own first word, so the test needs
// no table of its own while memory is exhausted. Sizes go largest first so
// each drains what the bigger ones left; the pages left over after the
// large blocks become 2048- and 16-byte objects. Easy to get wrong: the
// last small object must fail only when no page at all is left.
//! lab: alloc 20
//! expect: ktest alloc_exhaustion: passed
//! expect: alloc_exhaustion: .* allocations
#include <new>
#include "kalloc.hh"
#include "ktest.hh"
#include "log.hh"
#include "kaddr.hh"

namespace {
struct chain_link {
    chain_link* next;
};

// Allocates `size` bytes until kalloc fails; returns how many succeeded.
size_t drain(size_t size, chain_link*& head) {
    size_t n = 0;
    while (void* p = kalloc(size)) {
        auto link = static_cast<chain_link*>(p);
        link->next = head;
        head = link;
        ++n;
    }
    return n;
}
}  // namespace

KTEST(alloc_exhaustion) {
    size_t free_before = kalloc_free_pages(), used_before = kalloc_allocated_pages();
    assert(kalloc(kalloc_max_size + 1) == nullptr, "oversized request succeeded");

    chain_link* head = nullptr;
    size_t n = 0;
    const size_t sizes[] = {kalloc_max_size, 64 << 10, 2048, 16, PAGESIZE};
    for (size_t size : sizes) {
        n += drain(size, head);
    }
    assert_eq(kalloc_free_pages(), 0u);
    assert(kalloc(1) == nullptr);
    assert(kalloc(PAGESIZE) == nullptr);
    assert(kalloc_page() == nullptr);
    auto failed = new (std::nothrow) uint64_t[100];
    assert(failed == nullptr);
    auto plain = new uint64_t[1000];       // plain new returns nullptr too
    assert(plain == nullptr);

    // Free the newest allocation and the same size fits again, once.
    chain_link* first = head;
    size_t first_size = kalloc_usable_size(first);
    head = head->next;
    kfree(first);
    void* again = kalloc(first_size);
    assert(again, "a freed allocation could not be reused");
    assert(kalloc(first_size) == nullptr);
    kfree(again);
    --n;

    while (head) {
        chain_link* next = head->next;
        kfree(head);
        head = next;
    }
    assert_eq(kalloc_free_pages(), free_before);
    assert_eq(kalloc_allocated_pages(), used_before);
    kalloc_check();
    void* big = kalloc(kalloc_max_size);
    assert(big, "largest block unavailable after recovery");
    kfree(big);
    log_printf(log_level::info, "alloc_exhaustion: %lu allocations, %lu pages recovered\n",
               (unsigned long) n, (unsigned long) free_before);
}
