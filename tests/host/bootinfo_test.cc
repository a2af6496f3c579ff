// bootinfo_test.cc — parse_boot_info on synthetic Multiboot 1 and 2 data.
//
// A fake phys_reader exposes exactly one byte buffer at a chosen physical
// address; anything outside it is "not readable", and because the buffer is
// heap memory sized exactly, ASan catches any read the reader did not allow.
// Every malformed case must be rejected (an error message) or clamped
// (a warning), never crash.
#include "bootinfo.hh"
#include <gtest/gtest.h>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// Physical memory: one readable window [base, base + bytes.size()).
struct fake_memory {
    uint64_t base;
    std::vector<uint8_t> bytes;
    std::unique_ptr<uint8_t[]> exact;   // copy of `bytes`, exactly sized
    size_t exact_size = 0;

    fake_memory(uint64_t b, size_t size) : base(b), bytes(size, 0) {}

    static const void* map(void* context, uint64_t pa, size_t len) {
        auto* m = static_cast<fake_memory*>(context);
        if (pa < m->base || pa - m->base > m->exact_size
            || len > m->exact_size - (pa - m->base)) {
            return nullptr;
        }
        return m->exact.get() + (pa - m->base);
    }
    // Freezes `bytes` into the exactly sized buffer and returns a reader.
    phys_reader reader() {
        exact_size = bytes.size();
        exact.reset(new uint8_t[exact_size ? exact_size : 1]);
        memcpy(exact.get(), bytes.data(), exact_size);
        return phys_reader{map, this};
    }
    void put32(uint64_t pa, uint32_t v) { memcpy(&bytes.at(pa - base), &v, 4); }
    void put64(uint64_t pa, uint64_t v) { memcpy(&bytes.at(pa - base + 7) - 7, &v, 8); }
    void put_string(uint64_t pa, const std::string& s, bool nul = true) {
        memcpy(&bytes.at(pa - base + s.size() - 1 + nul) - (s.size() - 1 + nul), s.data(),
               s.size());
        if (nul) {
            bytes.at(pa - base + s.size()) = 0;
        }
    }
};

// ---------------------------------------------------------------------------
// Multiboot 2 builder: a tag list with 8-byte padding and an end tag.

struct mb2_builder {
    std::vector<uint8_t> data = std::vector<uint8_t>(8, 0);

    void raw_tag(uint32_t type, uint32_t size, const std::vector<uint8_t>& body) {
        size_t at = data.size();
        data.resize(at + 8);
        memcpy(&data[at], &type, 4);
        memcpy(&data[at + 4], &size, 4);
        data.insert(data.end(), body.begin(), body.end());
        while (data.size() % 8) {
            data.push_back(0);
        }
    }
    void tag(uint32_t type, const std::vector<uint8_t>& body) {
        raw_tag(type, uint32_t(8 + body.size()), body);
    }
    static void add32(std::vector<uint8_t>& v, uint32_t x) {
        v.insert(v.end(), (uint8_t*) &x, (uint8_t*) &x + 4);
    }
    static void add64(std::vector<uint8_t>& v, uint64_t x) {
        v.insert(v.end(), (uint8_t*) &x, (uint8_t*) &x + 8);
    }
    void string_tag(uint32_t type, const std::string& s, bool nul = true) {
        std::vector<uint8_t> body(s.begin(), s.end());
        if (nul) {
            body.push_back(0);
        }
        tag(type, body);
    }
    struct entry {
        uint64_t base, size;
        uint32_t type;
    };
    void mmap(const std::vector<entry>& entries, uint32_t entry_size = 24) {
        std::vector<uint8_t> body;
        add32(body, entry_size);
        add32(body, 0);
        for (auto& e : entries) {
            size_t at = body.size();
            add64(body, e.base);
            add64(body, e.size);
            add32(body, e.type);
            add32(body, 0);
            body.resize(at + entry_size);
        }
        tag(6, body);
    }
    void efi_mmap(const std::vector<entry>& entries, uint32_t desc_size = 48) {
        std::vector<uint8_t> body;
        add32(body, desc_size);
        add32(body, 1);
        for (auto& e : entries) {
            size_t at = body.size();
            add32(body, e.type);
            add32(body, 0);
            add64(body, e.base);
            add64(body, 0);
            add64(body, e.size / 4096);
            add64(body, 0xF);
            body.resize(at + desc_size);
        }
        tag(17, body);
    }
    void basic(uint32_t lower_kib, uint32_t upper_kib) {
        std::vector<uint8_t> body;
        add32(body, lower_kib);
        add32(body, upper_kib);
        tag(4, body);
    }
    void module(uint32_t start, uint32_t end, const std::string& name) {
        std::vector<uint8_t> body;
        add32(body, start);
        add32(body, end);
        body.insert(body.end(), name.begin(), name.end());
        body.push_back(0);
        tag(3, body);
    }
    // Ends the list; `total` overrides the recorded total_size.
    std::vector<uint8_t> finish(int64_t total = -1) {
        raw_tag(0, 8, {});
        uint32_t t = total < 0 ? uint32_t(data.size()) : uint32_t(total);
        memcpy(&data[0], &t, 4);
        return data;
    }
};

constexpr uint64_t mb2_pa = 0x10000;

struct parsed {
    const char* error;
    std::unique_ptr<boot_info> info = std::make_unique<boot_info>();
};

parsed parse_mb2(const std::vector<uint8_t>& image, size_t readable = SIZE_MAX) {
    fake_memory mem(mb2_pa, std::min(readable, image.size()));
    memcpy(mem.bytes.data(), image.data(), mem.bytes.size());
    auto reader = mem.reader();
    parsed p;
    p.error = parse_boot_info(MULTIBOOT2_LOADER_MAGIC, mb2_pa, reader, p.info.get());
    return p;
}

void expect_sorted_disjoint(const boot_info& b) {
    for (unsigned i = 0; i < b.nregions; ++i) {
        EXPECT_GT(b.regions[i].size, 0u);
        EXPECT_LE(b.regions[i].end(), boot_info::max_physical);
        if (b.regions[i].type == memory_type::usable) {
            EXPECT_EQ(b.regions[i].base % 4096, 0u);
            EXPECT_EQ(b.regions[i].size % 4096, 0u);
        }
        if (i > 0) {
            EXPECT_LE(b.regions[i - 1].end(), b.regions[i].base) << "region " << i;
        }
    }
}

// The type of the region containing `pa`, or 0 if none.
int type_at(const boot_info& b, uint64_t pa) {
    for (unsigned i = 0; i < b.nregions; ++i) {
        if (b.regions[i].base <= pa && pa < b.regions[i].end()) {
            return int(b.regions[i].type);
        }
    }
    return 0;
}

TEST(BootInfoMb2, ValidMap) {
    mb2_builder m;
    m.string_tag(1, "run=hello ncpu=2");
    m.string_tag(2, "GRUB 2.06");
    m.mmap({{0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0xF0000, 0x10000, 2},
            {0x100000, 127 * MiB, 1}});
    m.module(0x200000, 0x201000, "initfs");
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr) << p.error;
    auto& b = *p.info;
    EXPECT_EQ(b.loader_version, 2u);
    EXPECT_STREQ(b.cmdline, "run=hello ncpu=2");
    EXPECT_STREQ(b.loader_name, "GRUB 2.06");
    ASSERT_EQ(b.nmodules, 1u);
    EXPECT_EQ(b.modules[0].start, 0x200000u);
    EXPECT_EQ(b.modules[0].end, 0x201000u);
    EXPECT_STREQ(b.modules[0].name, "initfs");
    EXPECT_EQ(b.warnings, 0u);
    expect_sorted_disjoint(b);
    EXPECT_EQ(b.usable_bytes(), 0x9F000 + 127 * MiB);
    EXPECT_EQ(b.usable_end(), 0x100000 + 127 * MiB);
}

TEST(BootInfoMb2, OverlappingUnsortedReservedWins) {
    mb2_builder m;
    m.mmap({{0x100000, 64 * MiB, 1},
            {0x0, 0x80000, 1},
            {0x800000, 0x3000, 2},          // reserved hole inside usable
            {0x2000000, 4 * MiB, 1},        // duplicate usable, overlapping
            {0x2100000, 0x1800, 4},         // NVS inside usable, not page-sized
            {0x50000, 0x40000, 1}});        // overlaps the first low region
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    auto& b = *p.info;
    expect_sorted_disjoint(b);
    EXPECT_EQ(type_at(b, 0x800000), 2);
    EXPECT_EQ(type_at(b, 0x802FFF), 2);
    EXPECT_EQ(type_at(b, 0x803000), 1);
    EXPECT_EQ(type_at(b, 0x7FFFFF), 1);
    EXPECT_EQ(type_at(b, 0x2100000), 4);
    EXPECT_EQ(type_at(b, 0x21017FF), 4);
    EXPECT_EQ(type_at(b, 0x2101800), 0);    // usable remainder trimmed to page
    EXPECT_EQ(type_at(b, 0x2102000), 1);
    EXPECT_EQ(type_at(b, 0x8FFFF), 1);      // the two low regions merged
    EXPECT_EQ(type_at(b, 0x90000), 0);
    EXPECT_EQ(b.usable_bytes(), 0x90000 + 64 * MiB - 0x3000 - 0x2000);
}

TEST(BootInfoMb2, RegionsWrappingOrBeyond52Bits) {
    mb2_builder m;
    m.mmap({{0x100000, 16 * MiB, 1},
            {0xFFFFFFFFFFFFF000, 0x2000, 1},                 // wraps past 2^64
            {(uint64_t(1) << 52) - 0x4000, uint64_t(1) << 60, 1},  // runs past 2^52
            {uint64_t(1) << 53, 0x1000, 1},                  // entirely beyond
            {0x40000000, ~uint64_t(0), 2}});                 // size wraps
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    auto& b = *p.info;
    expect_sorted_disjoint(b);
    EXPECT_GE(b.warnings, 3u);
    EXPECT_LE(b.usable_end(), boot_info::max_physical);
    EXPECT_EQ(type_at(b, 0x100000), 1);
    EXPECT_EQ(type_at(b, 0x40000000), 2);   // the reserved range wins above 1 GiB
    EXPECT_EQ(type_at(b, (uint64_t(1) << 52) - 0x1000), 2);
    EXPECT_EQ(b.usable_bytes(), 16 * MiB);
}

TEST(BootInfoMb2, ZeroLengthMapIsRejected) {
    mb2_builder m;
    m.mmap({});
    auto p = parse_mb2(m.finish());
    EXPECT_NE(p.error, nullptr);
    mb2_builder z;
    z.mmap({{0x100000, 0, 1}, {0x200000, 0, 1}});
    EXPECT_NE(parse_mb2(z.finish()).error, nullptr);
}

TEST(BootInfoMb2, EntrySizeTooSmall) {
    mb2_builder m;
    m.mmap({{0x100000, 16 * MiB, 1}}, 16);   // cannot hold base+length+type
    auto p = parse_mb2(m.finish());
    EXPECT_NE(p.error, nullptr);            // no usable memory left
    EXPECT_GE(p.info->warnings, 1u);
}

TEST(BootInfoMb2, LargerEntrySizeIsHonoured) {
    mb2_builder m;
    m.mmap({{0x100000, 16 * MiB, 1}, {0x2000000, 16 * MiB, 1}}, 40);
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->usable_bytes(), 32 * MiB);
}

TEST(BootInfoMb2, EntrySizeLargerThanTag) {
    mb2_builder m;
    std::vector<uint8_t> body;
    mb2_builder::add32(body, 0x10000000);   // entry size far past the tag
    mb2_builder::add32(body, 0);
    mb2_builder::add64(body, 0x100000);
    mb2_builder::add64(body, 16 * MiB);
    mb2_builder::add32(body, 1);
    mb2_builder::add32(body, 0);
    m.tag(6, body);
    m.basic(639, 65536);
    auto p = parse_mb2(m.finish());
    // The map tag exists, so it is authoritative; it yields nothing.
    EXPECT_NE(p.error, nullptr);
}

TEST(BootInfoMb2, EfiMapOnly) {
    mb2_builder m;
    m.efi_mmap({{0x0, 0xA0000, 7},          // conventional
                {0x100000, 0x700000, 7},
                {0x800000, 0x100000, 4},    // boot services data: usable
                {0x900000, 0x10000, 0},     // reserved
                {0xA00000, 0x100000, 9},    // ACPI reclaim
                {0xB00000, 0x100000, 10},   // ACPI NVS
                {0x1000000, 0x1000000, 2}});  // loader data
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    auto& b = *p.info;
    expect_sorted_disjoint(b);
    EXPECT_EQ(type_at(b, 0x800000), 1);
    EXPECT_EQ(type_at(b, 0x900000), 2);
    EXPECT_EQ(type_at(b, 0xA00000), 3);
    EXPECT_EQ(type_at(b, 0xB00000), 4);
    EXPECT_EQ(b.usable_bytes(), 0xA0000 + 0x800000 + 0x1000000);
}

TEST(BootInfoMb2, EfiMapIgnoredWhenOrdinaryMapPresent) {
    mb2_builder m;
    m.efi_mmap({{0x100000, 64 * MiB, 7}});
    m.mmap({{0x100000, 8 * MiB, 1}});
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->usable_bytes(), 8 * MiB);
}

TEST(BootInfoMb2, EfiBadDescriptorSizeAndHugePageCount) {
    mb2_builder bad;
    bad.efi_mmap({{0x100000, 64 * MiB, 7}}, 24);
    auto p = parse_mb2(bad.finish());
    EXPECT_NE(p.error, nullptr);
    EXPECT_GE(p.info->warnings, 1u);

    mb2_builder huge;
    std::vector<uint8_t> body;
    mb2_builder::add32(body, 40);
    mb2_builder::add32(body, 1);
    for (uint64_t pages : {uint64_t(0x800), ~uint64_t(0), uint64_t(1) << 50}) {
        mb2_builder::add32(body, 7);
        mb2_builder::add32(body, 0);
        mb2_builder::add64(body, 0x100000);
        mb2_builder::add64(body, 0);
        mb2_builder::add64(body, pages);
        mb2_builder::add64(body, 0);
    }
    huge.tag(17, body);
    auto q = parse_mb2(huge.finish());
    ASSERT_EQ(q.error, nullptr);
    EXPECT_EQ(q.info->usable_bytes(), 0x800u * 4096);
    EXPECT_GE(q.info->warnings, 2u);
}

TEST(BootInfoMb2, BasicMeminfoWithoutMap) {
    mb2_builder m;
    m.basic(639, 127 * 1024);
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    auto& b = *p.info;
    expect_sorted_disjoint(b);
    EXPECT_EQ(b.usable_bytes(), 0x9F000 + 127 * MiB);
}

TEST(BootInfoMb2, TruncatedTagKeepsEarlierTags) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    m.raw_tag(1, 4096, {'a', 'b', 'c', 0});   // claims to run far past the end
    m.string_tag(2, "never seen");
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_GE(p.info->warnings, 1u);
    EXPECT_STREQ(p.info->cmdline, "");
    EXPECT_STREQ(p.info->loader_name, "");
    EXPECT_EQ(p.info->usable_bytes(), 32 * MiB);
}

TEST(BootInfoMb2, TagSizeBelowHeader) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    m.raw_tag(1, 3, {});
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_GE(p.info->warnings, 1u);
}

TEST(BootInfoMb2, TotalSizeCutsTheLastTag) {
    mb2_builder m;
    m.string_tag(1, "cmd");
    m.mmap({{0x100000, 32 * MiB, 1}});
    auto image = m.finish();
    // total_size ends in the middle of the map tag.
    uint32_t cut = uint32_t(image.size() - 20);
    memcpy(&image[0], &cut, 4);
    auto p = parse_mb2(image);
    EXPECT_NE(p.error, nullptr);            // the map was cut off: no memory
    EXPECT_STREQ(p.info->cmdline, "cmd");
    EXPECT_GE(p.info->warnings, 1u);
}

TEST(BootInfoMb2, TotalSizePastReadableMemory) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    auto image = m.finish();
    EXPECT_NE(parse_mb2(image, image.size() - 1).error, nullptr);
    auto big = image;
    uint32_t huge = 0xFFFFFFF0;
    memcpy(&big[0], &huge, 4);
    EXPECT_NE(parse_mb2(big).error, nullptr);
    EXPECT_NE(parse_mb2(image, 4).error, nullptr);   // header itself unreadable
}

TEST(BootInfoMb2, TotalSizeTooSmallAndMisaligned) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    EXPECT_NE(parse_mb2(m.finish(8)).error, nullptr);
    EXPECT_NE(parse_mb2(m.finish(0)).error, nullptr);

    auto image = m.finish();
    fake_memory mem(mb2_pa, image.size() + 4);
    memcpy(mem.bytes.data() + 4, image.data(), image.size());
    auto reader = mem.reader();
    boot_info b;
    EXPECT_NE(parse_boot_info(MULTIBOOT2_LOADER_MAGIC, mb2_pa + 4, reader, &b), nullptr);
}

TEST(BootInfoMb2, CommandLineWithoutNulOrTooLong) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    m.string_tag(1, "abc", false);          // no NUL; padding follows
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_STREQ(p.info->cmdline, "abc");

    mb2_builder l;
    l.mmap({{0x100000, 32 * MiB, 1}});
    l.string_tag(1, std::string(2000, 'x'), false);
    l.string_tag(2, std::string(200, 'y'), false);
    auto q = parse_mb2(l.finish());
    ASSERT_EQ(q.error, nullptr);
    EXPECT_EQ(strlen(q.info->cmdline), sizeof(q.info->cmdline) - 1);
    EXPECT_EQ(strlen(q.info->loader_name), sizeof(q.info->loader_name) - 1);
}

TEST(BootInfoMb2, TooManyModulesAndBadModules) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    for (unsigned i = 0; i < boot_info::max_modules + 5; ++i) {
        m.module(0x1000000 + i * 0x1000, 0x1001000 + i * 0x1000, std::string(100, 'm'));
    }
    m.module(0x5000, 0x5000, "empty");     // end <= start
    m.tag(3, {1, 2, 3});                    // too short for start/end
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->nmodules, boot_info::max_modules);
    EXPECT_GE(p.info->warnings, 7u);
    EXPECT_EQ(strlen(p.info->modules[0].name), sizeof(p.info->modules[0].name) - 1);
}

TEST(BootInfoMb2, TooManyRegions) {
    mb2_builder m;
    std::vector<mb2_builder::entry> entries;
    for (uint64_t i = 0; i < 600; ++i) {
        // Alternate types so neighbours never merge.
        entries.push_back({0x100000 + i * 0x2000, 0x1000, uint32_t(i % 2 ? 2 : 1)});
    }
    m.mmap(entries);
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_LE(p.info->nregions, boot_info::max_regions);
    EXPECT_GT(p.info->warnings, 0u);
    expect_sorted_disjoint(*p.info);
}

TEST(BootInfoMb2, RsdpTags) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    std::vector<uint8_t> v1(20, 0x11), v2(36, 0x22);
    m.tag(14, v1);
    m.tag(15, v2);
    m.tag(14, v1);                          // a later v1 does not replace v2
    m.tag(15, {1, 2});                      // short: warning
    auto p = parse_mb2(m.finish());
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->rsdp_size, 36u);
    EXPECT_EQ(p.info->rsdp[35], 0x22);
    EXPECT_GE(p.info->warnings, 1u);
}

TEST(BootInfoMb2, RandomCorruptionNeverCrashes) {
    mb2_builder m;
    m.string_tag(1, "cmdline here");
    m.mmap({{0, 0x9FC00, 1}, {0x100000, 64 * MiB, 1}, {0xFEC00000, 0x1000, 2}});
    m.efi_mmap({{0x100000, 64 * MiB, 7}});
    m.module(0x200000, 0x300000, "mod");
    m.basic(639, 65536);
    auto image = m.finish();
    std::mt19937_64 rng(161);
    for (int round = 0; round < 3000; ++round) {
        auto copy = image;
        int flips = 1 + int(rng() % 8);
        for (int f = 0; f < flips; ++f) {
            size_t at = rng() % copy.size();
            copy[at] = uint8_t(rng() % 3 == 0 ? 0xFF : rng());
        }
        auto p = parse_mb2(copy, copy.size() - rng() % 2 * (rng() % copy.size()));
        if (!p.error) {
            expect_sorted_disjoint(*p.info);
        }
        EXPECT_LT(strlen(p.info->cmdline), sizeof(p.info->cmdline));
    }
}

// ---------------------------------------------------------------------------
// Multiboot 1

constexpr uint64_t mb1_pa = 0x8000;

struct mb1_image {
    fake_memory mem{mb1_pa, 0x2000};
    uint32_t flags = 0;
    uint64_t info = mb1_pa;
    uint64_t strings = mb1_pa + 0x100;
    uint64_t mmap = mb1_pa + 0x400;
    uint64_t mods = mb1_pa + 0x1000;
    uint32_t mmap_bytes = 0;

    void cmdline(const std::string& s, bool nul = true) {
        flags |= 1U << 2;
        mem.put_string(strings, s, nul);
        mem.put32(info + 16, uint32_t(strings));
    }
    void loader(const std::string& s) {
        flags |= 1U << 9;
        mem.put_string(strings + 0x80, s);
        mem.put32(info + 64, uint32_t(strings + 0x80));
    }
    void map_entry(uint64_t base, uint64_t size, uint32_t type, uint32_t entry_size = 20) {
        flags |= 1U << 6;
        uint64_t at = mmap + mmap_bytes;
        mem.put32(at, entry_size);
        mem.put64(at + 4, base);
        mem.put64(at + 12, size);
        mem.put32(at + 20, type);
        mmap_bytes += entry_size + 4;
        mem.put32(info + 44, mmap_bytes);
        mem.put32(info + 48, uint32_t(mmap));
    }
    void basic(uint32_t lower, uint32_t upper) {
        flags |= 1U;
        mem.put32(info + 4, lower);
        mem.put32(info + 8, upper);
    }
    void modules(uint32_t count, uint32_t addr) {
        flags |= 1U << 3;
        mem.put32(info + 20, count);
        mem.put32(info + 24, addr);
    }
    parsed parse() {
        mem.put32(info, flags);
        auto reader = mem.reader();
        parsed p;
        p.error = parse_boot_info(MULTIBOOT1_LOADER_MAGIC, info, reader, p.info.get());
        return p;
    }
};

TEST(BootInfoMb1, ValidMap) {
    mb1_image m;
    m.cmdline("run=hello");
    m.loader("qemu");
    m.map_entry(0, 0x9FC00, 1);
    m.map_entry(0x9FC00, 0x400, 2);
    m.map_entry(0x100000, 127 * MiB, 1);
    m.map_entry(0xFFFC0000, 0x40000, 2);
    m.modules(1, uint32_t(m.mods));
    m.mem.put32(m.mods, 0x400000);
    m.mem.put32(m.mods + 4, 0x500000);
    m.mem.put32(m.mods + 8, uint32_t(m.strings + 0x200));
    m.mem.put_string(m.strings + 0x200, "initfs.img");
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr) << p.error;
    auto& b = *p.info;
    EXPECT_EQ(b.loader_version, 1u);
    EXPECT_STREQ(b.cmdline, "run=hello");
    EXPECT_STREQ(b.loader_name, "qemu");
    ASSERT_EQ(b.nmodules, 1u);
    EXPECT_STREQ(b.modules[0].name, "initfs.img");
    EXPECT_EQ(b.warnings, 0u);
    expect_sorted_disjoint(b);
    EXPECT_EQ(b.usable_bytes(), 0x9F000 + 127 * MiB);
    EXPECT_EQ(type_at(b, 0xFFFC0000), 2);
}

TEST(BootInfoMb1, BasicMeminfoOnly) {
    mb1_image m;
    m.basic(640, 64 * 1024);
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->usable_bytes(), 640 * KiB + 64 * MiB);
    expect_sorted_disjoint(*p.info);
}

TEST(BootInfoMb1, NoMemoryInformationIsRejected) {
    mb1_image m;
    m.cmdline("x");
    EXPECT_NE(m.parse().error, nullptr);
}

TEST(BootInfoMb1, EntrySizeTooSmallStopsTheMap) {
    mb1_image m;
    m.map_entry(0x100000, 32 * MiB, 1);
    m.map_entry(0x4000000, 32 * MiB, 1, 8);     // bad size: rest ignored
    m.map_entry(0x8000000, 32 * MiB, 1);
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->usable_bytes(), 32 * MiB);
    EXPECT_GE(p.info->warnings, 1u);
}

TEST(BootInfoMb1, MapRunsPastReadableMemory) {
    mb1_image m;
    m.map_entry(0x100000, 32 * MiB, 1);
    m.mem.put32(m.info + 44, 0xFFFFFF00);       // length far past the window
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->usable_bytes(), 32 * MiB);
    EXPECT_GE(p.info->warnings, 1u);
}

TEST(BootInfoMb1, WrappingRegions) {
    mb1_image m;
    m.map_entry(0x100000, 32 * MiB, 1);
    m.map_entry(0xFFFFFFFFFFFFF000, 0x10000, 1);
    m.map_entry(0x200000, ~uint64_t(0), 2);
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    expect_sorted_disjoint(*p.info);
    EXPECT_EQ(p.info->usable_bytes(), 1 * MiB);  // reserved from 2 MiB up wins
    EXPECT_GE(p.info->warnings, 2u);
}

TEST(BootInfoMb1, CommandLineWithoutNulAtEndOfMemory) {
    mb1_image m;
    m.basic(640, 1024);
    // The command line occupies the last bytes of readable memory, no NUL.
    uint64_t at = mb1_pa + m.mem.bytes.size() - 5;
    m.mem.put_string(at, "tail!", false);
    m.flags |= 1U << 2;
    m.mem.put32(m.info + 16, uint32_t(at));
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    EXPECT_STREQ(p.info->cmdline, "tail!");
}

TEST(BootInfoMb1, UnreadablePointers) {
    mb1_image m;
    m.basic(640, 1024);
    m.flags |= (1U << 2) | (1U << 9);
    m.mem.put32(m.info + 16, 0xDEAD0000);
    m.mem.put32(m.info + 64, 0xFFFFFFFF);
    m.modules(3, 0xFFFFFFF8);
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    EXPECT_STREQ(p.info->cmdline, "");
    EXPECT_STREQ(p.info->loader_name, "");
    EXPECT_EQ(p.info->nmodules, 0u);
}

TEST(BootInfoMb1, TooManyModules) {
    mb1_image m;
    m.basic(640, 1024);
    m.modules(1000000, uint32_t(m.mods));
    for (unsigned i = 0; i < 0x1000 / 16; ++i) {
        m.mem.put32(m.mods + i * 16, 0x400000 + i * 0x1000);
        m.mem.put32(m.mods + i * 16 + 4, 0x401000 + i * 0x1000);
        m.mem.put32(m.mods + i * 16 + 8, 0);
    }
    auto p = m.parse();
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.info->nmodules, boot_info::max_modules);
    EXPECT_GT(p.info->warnings, 0u);
}

TEST(BootInfoMb1, InfoUnreadable) {
    fake_memory mem(mb1_pa, 40);            // shorter than the 88-byte structure
    auto reader = mem.reader();
    boot_info b;
    EXPECT_NE(parse_boot_info(MULTIBOOT1_LOADER_MAGIC, mb1_pa, reader, &b), nullptr);
    EXPECT_NE(parse_boot_info(MULTIBOOT1_LOADER_MAGIC, 0xFFFFFFFFFFFFFFF0, reader, &b),
              nullptr);
}

TEST(BootInfo, BadMagic) {
    mb2_builder m;
    m.mmap({{0x100000, 32 * MiB, 1}});
    auto image = m.finish();
    fake_memory mem(mb2_pa, image.size());
    memcpy(mem.bytes.data(), image.data(), image.size());
    auto reader = mem.reader();
    boot_info b;
    EXPECT_NE(parse_boot_info(0x1BADB002, mb2_pa, reader, &b), nullptr);
    EXPECT_NE(parse_boot_info(0, mb2_pa, reader, &b), nullptr);
    EXPECT_EQ(b.nregions, 0u);
}

TEST(NormalizeMemoryMap, MergesTrimsAndSorts) {
    boot_memory_region r[8] = {
        {0x3000, 0x1000, memory_type::usable},
        {0x1000, 0x2000, memory_type::usable},      // adjacent: merges
        {0x10010, 0x2000, memory_type::usable},     // trimmed to one page
        {0x20000, 0x800, memory_type::usable},      // vanishes when trimmed
        {0x30000, 0x1000, memory_type::bad},
        {0x30000, 0x1000, memory_type::usable},     // bad wins
        {0x40000, 0, memory_type::reserved},        // empty: dropped
    };
    unsigned n = normalize_memory_map(r, 7, 8);
    ASSERT_EQ(n, 3u);
    EXPECT_EQ(r[0].base, 0x1000u);
    EXPECT_EQ(r[0].size, 0x3000u);
    EXPECT_EQ(r[1].base, 0x11000u);
    EXPECT_EQ(r[1].size, 0x1000u);
    EXPECT_EQ(r[2].type, memory_type::bad);
}

TEST(NormalizeMemoryMap, CapacityIsRespected) {
    boot_memory_region r[4] = {
        {0x0000, 0x1000, memory_type::usable},
        {0x2000, 0x1000, memory_type::reserved},
        {0x4000, 0x1000, memory_type::usable},
        {0x6000, 0x1000, memory_type::reserved},
    };
    EXPECT_EQ(normalize_memory_map(r, 4, 2), 2u);
    EXPECT_EQ(r[0].base, 0x0u);
    EXPECT_EQ(r[1].base, 0x2000u);
}

}  // namespace
