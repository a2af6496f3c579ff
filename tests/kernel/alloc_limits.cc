// alloc_limits.cc — kalloc never hands out reserved memory.
//
// Takes every free page, one at a time, and checks each against what
// kalloc_init promises to keep: [0, 1 MiB), the kernel image, the loader's
// information structure, boot modules, and anything the memory map does
// not call usable. Pages are chained through their first word, so the
// check needs no memory of its own. Easy to get wrong: compare whole pages,
// since a reserved range may start or end in the middle of one.
//! expect: ktest alloc_limits: passed
#include "bootinfo.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "kaddr.hh"

extern boot_info kernel_boot_info;

namespace {
struct chain_link {
    chain_link* next;
};

bool overlaps(uint64_t pa, uint64_t start, uint64_t end) {
    return start < end && start < pa + PAGESIZE && pa < end;
}

void check_page(const boot_info& info, uint64_t pa) {
    assert_eq(pa % PAGESIZE, 0u);
    assert_ge(pa, uint64_t(0x100000));
    assert(!overlaps(pa, kva2pa(kernel_image_start), kva2pa(kernel_image_end)),
           "page inside the kernel image");
    assert(!overlaps(pa, info.info_pa, info.info_pa + info.info_size),
           "page inside the boot information");
    for (unsigned i = 0; i < info.nmodules; ++i) {
        assert(!overlaps(pa, info.modules[i].start, info.modules[i].end),
               "page inside a boot module");
    }
    bool usable = false;
    for (unsigned i = 0; i < info.nregions; ++i) {
        const boot_memory_region& r = info.regions[i];
        usable |= r.type == memory_type::usable && r.base <= pa && pa + PAGESIZE <= r.end();
    }
    assert(usable, "page outside usable memory");
}
}  // namespace

KTEST(alloc_limits) {
    const boot_info& info = kernel_boot_info;
    size_t free_before = kalloc_free_pages();
    chain_link* head = nullptr;
    size_t n = 0;
    while (void* p = kalloc(PAGESIZE)) {
        check_page(info, kva2pa(p));
        auto link = static_cast<chain_link*>(p);
        link->next = head;
        head = link;
        ++n;
    }
    // Every free page was handed out one by one: nothing hidden, nothing extra.
    assert_eq(n, free_before);
    assert_eq(kalloc_free_pages(), 0u);
    while (head) {
        chain_link* next = head->next;
        kfree(head);
        head = next;
    }
    assert_eq(kalloc_free_pages(), free_before);
    kalloc_check();
}
