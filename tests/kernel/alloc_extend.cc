// alloc_extend.cc — kalloc_extend hands out exactly the usable memory above
// the old limit, once. With -m 128M there is none; with -m 6G (4 GiB of it
// above the 4 GiB boot direct map) it is every page up there.
//
// Easy to get wrong: the pages added lie beyond the boot direct map, so
// this test must never write to them (it only counts).
//! expect: ktest alloc_extend: passed
#include "bootinfo.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "log.hh"
#include "x86-64.hh"

extern boot_info kernel_boot_info;

KTEST(alloc_extend) {
    const boot_info& info = kernel_boot_info;
    uint64_t above = 0;
    for (unsigned i = 0; i < info.nregions; ++i) {
        const boot_memory_region& r = info.regions[i];
        if (r.type == memory_type::usable && r.end() > boot_direct_map_end) {
            uint64_t start = r.base > boot_direct_map_end ? r.base : boot_direct_map_end;
            above += (r.end() - start) / PAGESIZE;
        }
    }
    size_t free_before = kalloc_free_pages();
    assert_eq(kalloc_extend(boot_direct_map_end), 0u);
    size_t added = kalloc_extend(info.usable_end());
    assert_eq(added, above);
    assert_eq(kalloc_free_pages(), free_before + above);
    assert_eq(kalloc_extend(info.usable_end()), 0u);
    kalloc_check();
    log_printf(log_level::info, "alloc_extend: %lu pages added\n", (unsigned long) added);
}
