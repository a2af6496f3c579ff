// vm_iterators.cc — vmiter maps, finds and unmaps pages with the right
// permissions; ptiter frees a whole tree; no page leaks.
//! expect: ktest vm_iterators: passed
#include "kalloc.hh"
#include "ktest.hh"
#include "kaddr.hh"
#include "vm.hh"

namespace {
// Addresses that exercise every level: neighbours, a page-directory
// boundary, distant PML4 slots, the top of the low half.
const uintptr_t addresses[] = {
    0x100000, 0x101000, 0x1FF000, 0x200000, 0x3FE00000, 0x40000000,
    0x7F0000000000, 0x7FFFFFFFF000, 0x8000000000,
};
}

KTEST(vm_iterators) {
    size_t free_before = kalloc_free_pages();
    x86_64_pagetable* pt = pagetable_alloc();
    assert(pt);
    // Share the kernel half as process page tables will.
    for (int i = 256; i < 512; ++i) {
        pt->entry[i] = kernel_pagetable->entry[i];
    }

    void* pages[sizeof(addresses) / sizeof(addresses[0])];
    for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); ++i) {
        pages[i] = kalloc_page();
        assert(pages[i]);
        uint64_t perm = (i % 2) ? PTE_PWU : (PTE_P | PTE_U);
        assert_eq(vmiter(pt, addresses[i]).map(kva2pa(pages[i]), perm), 0);
    }
    for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); ++i) {
        vmiter it(pt, addresses[i] + 0x123);
        assert_eq(it.pa(), kva2pa(pages[i]) + 0x123);
        assert(it.present());
        assert_eq(it.user_writable(), bool(i % 2));
        assert_eq(it.kptr<char>(), static_cast<char*>(pages[i]) + 0x123);
        // The neighbouring page is not mapped (unless it is in the list).
        assert(!vmiter(pt, 0x5000).present());
    }
    // Kernel half: the direct map is present but not user-accessible.
    vmiter k(pt, KERNEL_DIRECT_BASE + 0x100000);
    assert(k.present());
    assert_eq(k.perm() & PTE_U, 0u);
    assert_eq(k.pa(), 0x100000u);
    // Non-canonical addresses are never mapped.
    assert(!vmiter(pt, 0x0000800000000000).present());

    // Unmap half; the others stay.
    for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i += 2) {
        assert_eq(vmiter(pt, addresses[i]).unmap(), kva2pa(pages[i]));
        assert(!vmiter(pt, addresses[i]).present());
        assert_eq(vmiter(pt, addresses[i]).unmap(), UINT64_MAX);
    }
    assert(vmiter(pt, addresses[1]).present());

    // ptiter visits each table page once, children before parents.
    int tables = 0, leaves = 0;
    for (ptiter it(pt); !it.done(); it.next()) {
        ++tables;
        leaves += it.level() == 0;
    }
    assert_gt(tables, 4);
    assert_gt(leaves, 3);

    pagetable_free_tree(pt);
    for (void* p : pages) {
        kfree(p);
    }
    assert_eq(kalloc_free_pages(), free_before);
}
