// bootinfo.cc — Multiboot 1 and 2 parsing (see bootinfo.hh).
//
// Easy to get wrong: every length in the structures comes from the loader
// (or from a corrupted structure) and is checked against what was read so
// far before it is used to find the next item.
#include "unaligned.hh"
#include "bootinfo.hh"
#include <new>

namespace {

// Copies a NUL-terminated string at physical `pa` into `dst`, reading at
// most `cap - 1` bytes; bytes not readable end the string.
void copy_phys_string(const phys_reader& r, uint64_t pa, char* dst, size_t cap) {
    size_t i = 0;
    for (; i + 1 < cap; ++i) {
        auto* p = static_cast<const char*>(r.get(pa + i, 1));
        if (!p || *p == '\0') {
            break;
        }
        dst[i] = *p;
    }
    dst[i] = '\0';
}

void copy_bounded_string(const char* src, size_t srclen, char* dst, size_t cap) {
    size_t i = 0;
    for (; i + 1 < cap && i < srclen && src[i]; ++i) {
        dst[i] = src[i];
    }
    dst[i] = '\0';
}

memory_type multiboot_type(uint32_t t) {
    switch (t) {
    case 1: return memory_type::usable;
    case 3: return memory_type::acpi_reclaimable;
    case 4: return memory_type::acpi_nvs;
    case 5: return memory_type::bad;
    default: return memory_type::reserved;
    }
}

// UEFI memory types (UEFI spec, EFI_MEMORY_TYPE). After ExitBootServices,
// loader and boot-services memory is free for the OS to use.
memory_type efi_type(uint32_t t) {
    switch (t) {
    case 1: case 2: case 3: case 4: case 7: return memory_type::usable;
    case 9: return memory_type::acpi_reclaimable;
    case 10: return memory_type::acpi_nvs;
    case 8: return memory_type::bad;
    default: return memory_type::reserved;
    }
}

// Collects raw regions before normalisation; counts the ones that do not fit.
struct region_collector {
    boot_info* out;
    boot_memory_region raw[boot_info::max_regions * 2];
    unsigned n = 0;

    void add(uint64_t base, uint64_t size, memory_type type) {
        if (size == 0) {
            return;
        }
        if (base >= boot_info::max_physical) {
            ++out->warnings;
            return;
        }
        if (size > boot_info::max_physical - base) {
            size = boot_info::max_physical - base;  // clamp wrap / overflow
            ++out->warnings;
        }
        if (n == sizeof(raw) / sizeof(raw[0])) {
            ++out->warnings;
            return;
        }
        raw[n++] = {base, size, type};
    }
    void finish() {
        unsigned count = normalize_memory_map(raw, n, sizeof(raw) / sizeof(raw[0]));
        if (count > boot_info::max_regions) {
            out->warnings += count - boot_info::max_regions;
            count = boot_info::max_regions;
        }
        for (unsigned i = 0; i < count; ++i) {
            out->regions[i] = raw[i];
        }
        out->nregions = count;
    }
};

void add_module(boot_info* out, uint64_t start, uint64_t end) {
    if (end <= start || out->nmodules == boot_info::max_modules) {
        ++out->warnings;
        return;
    }
    auto& m = out->modules[out->nmodules++];
    m.start = start;
    m.end = end;
    m.name[0] = '\0';
}

const char* parse_multiboot1(uint64_t info_pa, const phys_reader& r, boot_info* out,
                             region_collector& regions) {
    constexpr size_t info_size = 88;
    const void* info = r.get(info_pa, info_size);
    if (!info) {
        return "Multiboot 1 information is not readable";
    }
    out->loader_version = 1;
    out->info_pa = info_pa;
    out->info_size = info_size;
    uint32_t flags = read_unaligned<uint32_t>(info, 0);
    if (flags & (1U << 2)) {
        copy_phys_string(r, read_unaligned<uint32_t>(info, 16), out->cmdline, sizeof(out->cmdline));
    }
    if (flags & (1U << 9)) {
        copy_phys_string(r, read_unaligned<uint32_t>(info, 64), out->loader_name,
                         sizeof(out->loader_name));
    }
    if (flags & (1U << 3)) {
        uint32_t count = read_unaligned<uint32_t>(info, 20);
        uint32_t addr = read_unaligned<uint32_t>(info, 24);
        for (uint32_t i = 0; i < count && i < boot_info::max_modules * 4; ++i) {
            const void* mod = r.get(uint64_t(addr) + i * 16, 16);
            if (!mod) {
                ++out->warnings;
                break;
            }
            unsigned before = out->nmodules;
            add_module(out, read_unaligned<uint32_t>(mod, 0), read_unaligned<uint32_t>(mod, 4));
            if (out->nmodules > before) {
                copy_phys_string(r, read_unaligned<uint32_t>(mod, 8),
                                 out->modules[before].name, sizeof(out->modules[before].name));
            }
        }
    }
    if (flags & (1U << 6)) {
        uint64_t pa = read_unaligned<uint32_t>(info, 48);
        uint64_t end = pa + read_unaligned<uint32_t>(info, 44);
        while (pa + 24 <= end) {
            const void* e = r.get(pa, 24);
            if (!e) {
                ++out->warnings;
                break;
            }
            uint32_t size = read_unaligned<uint32_t>(e, 0);
            if (size < 20) {            // entry cannot hold base, length, type
                ++out->warnings;
                break;
            }
            regions.add(read_unaligned<uint64_t>(e, 4), read_unaligned<uint64_t>(e, 12),
                        multiboot_type(read_unaligned<uint32_t>(e, 20)));
            pa += uint64_t(size) + 4;
        }
    } else if (flags & 1U) {
        // No map: the two classic sizes (KiB below 1 MiB, KiB above 1 MiB).
        regions.add(0, uint64_t(read_unaligned<uint32_t>(info, 4)) * 1024, memory_type::usable);
        regions.add(0x100000, uint64_t(read_unaligned<uint32_t>(info, 8)) * 1024,
                    memory_type::usable);
    }
    return nullptr;
}

const char* parse_multiboot2(uint64_t info_pa, const phys_reader& r, boot_info* out,
                             region_collector& regions) {
    const void* head = r.get(info_pa, 8);
    if (!head || (info_pa & 7)) {
        return "Multiboot 2 information is not readable";
    }
    uint32_t total = read_unaligned<uint32_t>(head, 0);
    if (total < 16) {
        return "Multiboot 2 information is too short";
    }
    const char* info = static_cast<const char*>(r.get(info_pa, total));
    if (!info) {
        return "Multiboot 2 information extends past readable memory";
    }
    out->loader_version = 2;
    out->info_pa = info_pa;
    out->info_size = total;

    bool have_mmap = false, have_efi_mmap = false;
    uint64_t basic_lower = 0, basic_upper = 0;
    bool have_basic = false;
    // EFI map is only used if there is no ordinary map; remember where it is.
    size_t efi_offset = 0, efi_size = 0;

    size_t off = 8;
    while (off + 8 <= total) {
        uint32_t type = read_unaligned<uint32_t>(info, off);
        uint32_t size = read_unaligned<uint32_t>(info, off + 4);
        if (type == 0) {
            break;                      // end tag
        }
        if (size < 8 || size > total - off) {
            ++out->warnings;            // truncated tag: stop here
            break;
        }
        const char* body = info + off + 8;
        size_t body_size = size - 8;
        switch (type) {
        case 1:
            copy_bounded_string(body, body_size, out->cmdline, sizeof(out->cmdline));
            break;
        case 2:
            copy_bounded_string(body, body_size, out->loader_name, sizeof(out->loader_name));
            break;
        case 3:
            if (body_size >= 8) {
                unsigned before = out->nmodules;
                add_module(out, read_unaligned<uint32_t>(body, 0), read_unaligned<uint32_t>(body, 4));
                if (out->nmodules > before) {
                    copy_bounded_string(body + 8, body_size - 8, out->modules[before].name,
                                        sizeof(out->modules[before].name));
                }
            } else {
                ++out->warnings;
            }
            break;
        case 4:
            if (body_size >= 8) {
                have_basic = true;
                basic_lower = read_unaligned<uint32_t>(body, 0);
                basic_upper = read_unaligned<uint32_t>(body, 4);
            }
            break;
        case 6: {
            if (body_size < 8) {
                ++out->warnings;
                break;
            }
            uint32_t entry_size = read_unaligned<uint32_t>(body, 0);
            if (entry_size < 20) {
                ++out->warnings;
                break;
            }
            have_mmap = true;
            for (size_t e = 8; e + entry_size <= body_size; e += entry_size) {
                regions.add(read_unaligned<uint64_t>(body, e), read_unaligned<uint64_t>(body, e + 8),
                            multiboot_type(read_unaligned<uint32_t>(body, e + 16)));
            }
            break;
        }
        case 14:
        case 15: {
            // RSDP copy: prefer the ACPI 2.0+ one (tag 15) when both appear.
            size_t want = type == 15 ? 36 : 20;
            if (body_size >= want && (type == 15 || out->rsdp_size == 0)) {
                __builtin_memcpy(out->rsdp, body, want);
                out->rsdp_size = want;
            } else if (body_size < want) {
                ++out->warnings;
            }
            break;
        }
        case 17:
            if (body_size >= 8 && read_unaligned<uint32_t>(body, 0) >= 40) {
                have_efi_mmap = true;
                efi_offset = off + 8;
                efi_size = body_size;
            } else {
                ++out->warnings;
            }
            break;
        default:
            break;
        }
        off += (size_t(size) + 7) & ~size_t(7);
    }

    if (!have_mmap && have_efi_mmap) {
        const char* body = info + efi_offset;
        uint32_t desc_size = read_unaligned<uint32_t>(body, 0);
        for (size_t e = 8; e + desc_size <= efi_size; e += desc_size) {
            uint64_t pages = read_unaligned<uint64_t>(body, e + 24);
            if (pages > (boot_info::max_physical >> 12)) {
                ++out->warnings;
                continue;
            }
            regions.add(read_unaligned<uint64_t>(body, e + 8), pages << 12,
                        efi_type(read_unaligned<uint32_t>(body, e)));
        }
    } else if (!have_mmap && have_basic) {
        regions.add(0, basic_lower * 1024, memory_type::usable);
        regions.add(0x100000, basic_upper * 1024, memory_type::usable);
    }
    return nullptr;
}

}  // namespace

unsigned normalize_memory_map(boot_memory_region* regions, unsigned n, unsigned capacity) {
    // Elementary intervals between all boundaries; each takes the strongest
    // type that covers it. O(n^2) on at most a few hundred entries.
    static constexpr unsigned max_points = boot_info::max_regions * 4 + 2;
    uint64_t points[max_points];
    unsigned npoints = 0;
    for (unsigned i = 0; i < n && npoints + 2 <= max_points; ++i) {
        if (regions[i].size == 0) {
            continue;
        }
        points[npoints++] = regions[i].base;
        points[npoints++] = regions[i].base + regions[i].size;
    }
    // Insertion sort; the lists are small.
    for (unsigned i = 1; i < npoints; ++i) {
        uint64_t v = points[i];
        unsigned j = i;
        for (; j > 0 && points[j - 1] > v; --j) {
            points[j] = points[j - 1];
        }
        points[j] = v;
    }
    auto rank = [](memory_type t) {
        switch (t) {
        case memory_type::usable: return 1;
        case memory_type::acpi_reclaimable: return 2;
        case memory_type::acpi_nvs: return 3;
        case memory_type::bad: return 4;
        default: return 5;  // reserved, and anything unknown
        }
    };
    static boot_memory_region out[max_points];  // boot stack is small
    unsigned nout = 0;
    for (unsigned p = 0; p + 1 < npoints; ++p) {
        uint64_t lo = points[p], hi = points[p + 1];
        if (lo == hi) {
            continue;
        }
        int best = 0;
        memory_type type = memory_type::reserved;
        for (unsigned i = 0; i < n; ++i) {
            if (regions[i].size != 0 && regions[i].base <= lo
                && hi <= regions[i].base + regions[i].size && rank(regions[i].type) > best) {
                best = rank(regions[i].type);
                type = regions[i].type;
            }
        }
        if (best == 0) {
            continue;                   // a hole: not in the map at all
        }
        if (nout > 0 && out[nout - 1].type == type && out[nout - 1].end() == lo) {
            out[nout - 1].size += hi - lo;
        } else {
            out[nout++] = {lo, hi - lo, type};
        }
    }
    // Trim usable regions inward to whole pages; drop what vanishes.
    unsigned count = 0;
    for (unsigned i = 0; i < nout; ++i) {
        auto r = out[i];
        if (r.type == memory_type::usable) {
            uint64_t b = (r.base + 4095) & ~uint64_t(4095);
            uint64_t e = r.end() & ~uint64_t(4095);
            if (e <= b) {
                continue;
            }
            r = {b, e - b, r.type};
        }
        if (count < capacity) {
            regions[count] = r;
        }
        ++count;
    }
    return count < capacity ? count : capacity;
}

uint64_t boot_info::usable_bytes() const {
    uint64_t total = 0;
    for (unsigned i = 0; i < nregions; ++i) {
        if (regions[i].type == memory_type::usable) {
            total += regions[i].size;
        }
    }
    return total;
}

uint64_t boot_info::usable_end() const {
    uint64_t end = 0;
    for (unsigned i = 0; i < nregions; ++i) {
        if (regions[i].type == memory_type::usable && regions[i].end() > end) {
            end = regions[i].end();
        }
    }
    return end;
}

const char* parse_boot_info(uint32_t magic, uint64_t info_pa, const phys_reader& reader,
                            boot_info* out) {
    // Both are large: construct them in place, never as a temporary on the
    // boot stack (`*out = boot_info()` made one of 5 KiB).
    new (out) boot_info();
    static region_collector regions;
    new (&regions) region_collector();
    regions.out = out;
    const char* error;
    if (magic == MULTIBOOT1_LOADER_MAGIC) {
        error = parse_multiboot1(info_pa, reader, out, regions);
    } else if (magic == MULTIBOOT2_LOADER_MAGIC) {
        error = parse_multiboot2(info_pa, reader, out, regions);
    } else {
        return "not started by a Multiboot loader (bad magic)";
    }
    if (error) {
        return error;
    }
    regions.finish();
    if (out->usable_bytes() == 0) {
        return "the loader gave no usable memory";
    }
    return nullptr;
}
