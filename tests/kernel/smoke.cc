// smoke.cc — the kernel boots, sees a sane memory map and its command line.
//! expect: ktest smoke: passed
//! expect: ^Nuthatch
//! expect: command line: .*test=smoke
#include "bootinfo.hh"
#include "cmdline.hh"
#include "ktest.hh"
#include "kaddr.hh"

extern boot_info kernel_boot_info;

KTEST(smoke) {
    const boot_info& info = kernel_boot_info;
    assert(info.loader_version == 1 || info.loader_version == 2);
    assert(info.nregions > 0);
    // The map is sorted and non-overlapping.
    for (unsigned i = 1; i < info.nregions; ++i) {
        assert_le(info.regions[i - 1].end(), info.regions[i].base);
    }
    // The kernel image lies in usable memory.
    uint64_t kstart = kva2pa(kernel_image_start), kend = kva2pa(kernel_image_end);
    bool covered = false;
    for (unsigned i = 0; i < info.nregions; ++i) {
        auto& r = info.regions[i];
        covered |= r.type == memory_type::usable && r.base <= kstart && kend <= r.end();
    }
    assert(covered, "kernel image not inside a usable region");
    // The harness runs us with at least 32 MiB.
    assert_ge(info.usable_bytes(), uint64_t(32) << 20);
    assert(cmdline_flag("harness"));
    assert(cmdline_flag("test"));
}
