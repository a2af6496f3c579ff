// elf_test.cc — kernel/elf.cc on the real user programs and on corrupted
// copies of them. Every corruption must give E_NOEXEC, never a crash.
#include "abi/errno.hh"
#include "abi/memlayout.hh"
#include "elf.hh"
#include "x86-64.hh"
#include "test_files.hh"
#include <gtest/gtest.h>
#include <cstring>
#include <algorithm>
#include <functional>
#include <random>

namespace {

struct elf_bytes {
    std::vector<uint8_t> b;
    template <typename T> T get(size_t at) const {
        T v;
        memcpy(&v, &b.at(at + sizeof(T) - 1) - (sizeof(T) - 1), sizeof(T));
        return v;
    }
    template <typename T> void set(size_t at, T v) {
        memcpy(&b.at(at + sizeof(T) - 1) - (sizeof(T) - 1), &v, sizeof(T));
    }
    uint64_t phoff() const { return get<uint64_t>(32); }
    uint16_t phnum() const { return get<uint16_t>(56); }
    size_t ph(unsigned i, size_t field) const { return phoff() + i * 56 + field; }
    // Index of the i-th PT_LOAD program header.
    unsigned load(unsigned which) const {
        for (unsigned i = 0, seen = 0; i < phnum(); ++i) {
            if (get<uint32_t>(ph(i, 0)) == 1 && seen++ == which) {
                return i;
            }
        }
        ADD_FAILURE() << "no PT_LOAD " << which;
        return 0;
    }
    int parse(elf_program* p) const { return elf_parse(b.data(), b.size(), p); }
};

elf_bytes program(const char* name) {
    return {read_build_file(std::string("obj/user/") + name)};
}

// Program header field offsets.
constexpr size_t P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32,
                 P_MEMSZ = 40;

TEST(Elf, RealProgramsAreAccepted) {
    for (const char* name : {"hello", "compat"}) {
        auto e = program(name);
        ASSERT_FALSE(e.b.empty()) << name << " not built";
        elf_program p;
        ASSERT_EQ(e.parse(&p), 0) << name;
        EXPECT_EQ(p.entry, e.get<uint64_t>(24));
        ASSERT_GE(p.nsegments, 2u);
        EXPECT_EQ(p.segments[0].va, USER_TEXT_BASE);
        EXPECT_TRUE(p.segments[0].executable);
        EXPECT_FALSE(p.segments[0].writable);
        bool any_writable = false;
        for (unsigned i = 0; i < p.nsegments; ++i) {
            auto& s = p.segments[i];
            EXPECT_LE(s.filesz, s.memsz);
            EXPECT_LE(s.offset + s.filesz, e.b.size());
            EXPECT_GE(s.va, USER_TEXT_BASE);
            any_writable |= s.writable;
            EXPECT_FALSE(s.writable && s.executable);
        }
        EXPECT_TRUE(any_writable);
    }
}

TEST(Elf, CorruptionsAreRejected) {
    auto good = program("hello");
    ASSERT_FALSE(good.b.empty());
    unsigned text = good.load(0), data = good.load(2);
    uint64_t entry = good.get<uint64_t>(24);
    std::vector<std::pair<std::string, std::function<void(elf_bytes&)>>> cases = {
        {"magic", [](elf_bytes& e) { e.b[1] = 'X'; }},
        {"class 32", [](elf_bytes& e) { e.b[4] = 1; }},
        {"big endian", [](elf_bytes& e) { e.b[5] = 2; }},
        {"ident version", [](elf_bytes& e) { e.b[6] = 0; }},
        {"type ET_DYN", [](elf_bytes& e) { e.set<uint16_t>(16, 3); }},
        {"type ET_REL", [](elf_bytes& e) { e.set<uint16_t>(16, 1); }},
        {"machine i386", [](elf_bytes& e) { e.set<uint16_t>(18, 3); }},
        {"version", [](elf_bytes& e) { e.set<uint32_t>(20, 2); }},
        {"ehsize", [](elf_bytes& e) { e.set<uint16_t>(52, 52); }},
        {"phentsize", [](elf_bytes& e) { e.set<uint16_t>(54, 32); }},
        {"phnum 0", [](elf_bytes& e) { e.set<uint16_t>(56, 0); }},
        {"phnum huge", [](elf_bytes& e) { e.set<uint16_t>(56, 0xFFFF); }},
        {"phoff past end", [](elf_bytes& e) { e.set<uint64_t>(32, e.b.size()); }},
        {"phoff wraps", [](elf_bytes& e) { e.set<uint64_t>(32, ~uint64_t(0) - 8); }},
        {"phdrs run past end", [](elf_bytes& e) { e.set<uint64_t>(32, e.b.size() - 60); }},
        {"entry outside", [](elf_bytes& e) { e.set<uint64_t>(24, 0x400000000); }},
        {"entry zero", [](elf_bytes& e) { e.set<uint64_t>(24, 0); }},
        {"entry in data", [=](elf_bytes& e) {
             e.set<uint64_t>(24, e.get<uint64_t>(e.ph(data, P_VADDR))); }},
        {"entry in non-exec text", [=](elf_bytes& e) { e.set<uint32_t>(e.ph(text, P_FLAGS), 4); }},
        {"entry past filesz", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(text, P_MEMSZ), e.get<uint64_t>(e.ph(text, P_MEMSZ)) + 0x100);
             e.set<uint64_t>(24, e.get<uint64_t>(e.ph(text, P_VADDR))
                                     + e.get<uint64_t>(e.ph(text, P_FILESZ)) + 8); }},
        {"filesz > memsz", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_FILESZ), e.get<uint64_t>(e.ph(data, P_MEMSZ)) + 1); }},
        {"file range past end", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(text, P_FILESZ), e.b.size() + 1);
             e.set<uint64_t>(e.ph(text, P_MEMSZ), e.b.size() + 1); }},
        {"offset past end", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_OFFSET), e.b.size() + 0x1000); }},
        {"offset wraps", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_OFFSET), ~uint64_t(0xFFF) | 0); }},
        {"va + memsz wraps", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_MEMSZ), ~uint64_t(0) - 0x1000); }},
        {"va below 0x100000", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), 0x0); }},
        {"va just below base", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), 0xFF000); }},
        {"va non-canonical", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), 0xFFFF800000000000); }},
        {"ends past VA_LOWEND", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), 0x7FFFFFFFF000);
             e.set<uint64_t>(e.ph(data, P_MEMSZ), 0x2000); }},
        {"stack page", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), USER_STACK_PAGE
                             + e.get<uint64_t>(e.ph(data, P_VADDR)) % 4096); }},
        {"bss runs into the stack page", [=](elf_bytes& e) {
             uint64_t va = e.get<uint64_t>(e.ph(data, P_VADDR));
             e.set<uint64_t>(e.ph(data, P_MEMSZ), USER_STACK_PAGE - va + 8); }},
        {"console page", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), CONSOLE_PAGE); }},
        {"activation segment", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), ACTIVATION_SEGMENT_BASE + 0x10000
                             + e.get<uint64_t>(e.ph(data, P_VADDR)) % 4096); }},
        {"runs into activation segment", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), ACTIVATION_SEGMENT_BASE - 0x1000
                             + e.get<uint64_t>(e.ph(data, P_VADDR)) % 4096);
             e.set<uint64_t>(e.ph(data, P_MEMSZ), 0x2000); }},
        {"overlapping segments", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_VADDR), e.get<uint64_t>(e.ph(text, P_VADDR))
                             + e.get<uint64_t>(e.ph(data, P_VADDR)) % 4096); }},
        {"sharing a page", [=](elf_bytes& e) {
             uint64_t text_end = e.get<uint64_t>(e.ph(text, P_VADDR))
                                 + e.get<uint64_t>(e.ph(text, P_MEMSZ));
             e.set<uint64_t>(e.ph(data, P_OFFSET), text_end % 4096);
             e.set<uint64_t>(e.ph(data, P_VADDR), text_end); }},
        {"misaligned offset", [=](elf_bytes& e) {
             e.set<uint64_t>(e.ph(data, P_OFFSET), e.get<uint64_t>(e.ph(data, P_OFFSET)) + 1); }},
        {"PT_INTERP", [=](elf_bytes& e) { e.set<uint32_t>(e.ph(data, P_TYPE), 3); }},
        {"PT_DYNAMIC", [=](elf_bytes& e) { e.set<uint32_t>(e.ph(data, P_TYPE), 2); }},
        {"PT_TLS", [=](elf_bytes& e) { e.set<uint32_t>(e.ph(data, P_TYPE), 7); }},
        {"no loadable text", [=](elf_bytes& e) { e.set<uint32_t>(e.ph(text, P_TYPE), 4); }},
    };
    for (auto& [what, corrupt] : cases) {
        auto e = good;
        corrupt(e);
        elf_program p;
        EXPECT_EQ(e.parse(&p), E_NOEXEC) << what;
        EXPECT_EQ(p.nsegments, 0u) << what;
    }
    (void) entry;
}

// The stack lives at [0x2FF000, 0x300000), so the rest of the user half is
// ordinary: a segment just below the stack page, or on the last user page
// (the old stack's place), is accepted.
TEST(Elf, SegmentsAroundTheStackPage) {
    auto good = program("hello");
    ASSERT_FALSE(good.b.empty());
    unsigned data = good.load(2);
    uint64_t offset_in_page = good.get<uint64_t>(good.ph(data, P_VADDR)) % 4096;
    for (uint64_t page : {USER_STACK_PAGE - 0x1000, VA_LOWEND - 0x1000, USER_STACK_TOP}) {
        auto e = good;
        e.set<uint64_t>(e.ph(data, P_VADDR), page + offset_in_page);
        e.set<uint64_t>(e.ph(data, P_MEMSZ), 0x1000 - offset_in_page);
        e.set<uint64_t>(e.ph(data, P_FILESZ),
                        std::min<uint64_t>(e.get<uint64_t>(e.ph(data, P_FILESZ)),
                                           0x1000 - offset_in_page));
        elf_program p;
        EXPECT_EQ(e.parse(&p), 0) << std::hex << page;
    }
    EXPECT_TRUE(user_range_overlaps_image_reserved(USER_STACK_PAGE, USER_STACK_PAGE + 1));
    EXPECT_TRUE(user_range_overlaps_image_reserved(USER_STACK_TOP - 1, USER_STACK_TOP));
    EXPECT_FALSE(user_range_overlaps_image_reserved(USER_STACK_PAGE - 0x1000, USER_STACK_PAGE));
    EXPECT_FALSE(user_range_overlaps_reserved(USER_STACK_PAGE, USER_STACK_TOP));
}

TEST(Elf, TruncatedImages) {
    auto good = program("hello");
    ASSERT_FALSE(good.b.empty());
    elf_program p;
    for (size_t n : {size_t(0), size_t(4), size_t(63), size_t(64), size_t(100), size_t(0x1000)}) {
        EXPECT_EQ(elf_parse(good.b.data(), n, &p), E_NOEXEC) << n;
    }
    EXPECT_EQ(elf_parse(nullptr, 1000, &p), E_NOEXEC);
}

// exec reads only the first page and passes the file's size separately.
TEST(Elf, HeadersFromTheFirstPage) {
    auto good = program("hello");
    ASSERT_GT(good.b.size(), 4096u);
    elf_program whole, head;
    ASSERT_EQ(elf_parse(good.b.data(), good.b.size(), &whole), 0);
    ASSERT_EQ(elf_parse_headers(good.b.data(), 4096, good.b.size(), &head), 0);
    EXPECT_EQ(head.entry, whole.entry);
    ASSERT_EQ(head.nsegments, whole.nsegments);
    for (unsigned i = 0; i < head.nsegments; ++i) {
        EXPECT_EQ(head.segments[i].offset, whole.segments[i].offset);
        EXPECT_EQ(head.segments[i].filesz, whole.segments[i].filesz);
    }
    // Program headers past the bytes read, a file shorter than its
    // segments, or more head than file: rejected.
    uint64_t phoff = good.get<uint64_t>(32);
    EXPECT_EQ(elf_parse_headers(good.b.data(), phoff + 8, good.b.size(), &head), E_NOEXEC);
    EXPECT_EQ(elf_parse_headers(good.b.data(), 4096, 4096, &head), E_NOEXEC);
    EXPECT_EQ(elf_parse_headers(good.b.data(), 4096, 4000, &head), E_NOEXEC);
    EXPECT_EQ(head.nsegments, 0u);
}

TEST(Elf, EmptySegmentsAreIgnored) {
    auto e = program("hello");
    ASSERT_FALSE(e.b.empty());
    unsigned data = e.load(2);
    e.set<uint64_t>(e.ph(data, P_VADDR), 0);   // would be illegal if it had a size
    e.set<uint64_t>(e.ph(data, P_FILESZ), 0);
    e.set<uint64_t>(e.ph(data, P_MEMSZ), 0);
    elf_program p;
    EXPECT_EQ(e.parse(&p), 0);
    EXPECT_EQ(p.nsegments, 2u);
}

TEST(Elf, TooManySegments) {
    // A header whose phnum points at many PT_LOAD copies of one segment:
    // rejected either as overlapping or as too many.
    auto e = program("hello");
    ASSERT_FALSE(e.b.empty());
    unsigned text = e.load(0);
    std::vector<uint8_t> ph(e.b.begin() + e.ph(text, 0), e.b.begin() + e.ph(text, 0) + 56);
    size_t table = e.b.size();
    for (unsigned i = 0; i < 20; ++i) {
        e.b.insert(e.b.end(), ph.begin(), ph.end());
        uint64_t va = 0x10000000 + i * 0x100000;
        e.set<uint64_t>(table + i * 56 + P_VADDR, va);
        e.set<uint64_t>(table + i * 56 + P_OFFSET, 0);
    }
    e.set<uint64_t>(32, table);
    e.set<uint16_t>(56, 20);
    elf_program p;
    EXPECT_EQ(e.parse(&p), E_NOEXEC);
}

TEST(Elf, RandomCorruptionNeverCrashes) {
    auto good = program("compat");
    ASSERT_FALSE(good.b.empty());
    std::mt19937_64 rng(4);
    size_t header_span = good.phoff() + good.phnum() * 56;
    for (int round = 0; round < 5000; ++round) {
        auto e = good;
        for (int f = 0; f < 1 + int(rng() % 6); ++f) {
            e.b[rng() % header_span] = uint8_t(rng());
        }
        elf_program p;
        if (e.parse(&p) == 0) {
            for (unsigned i = 0; i < p.nsegments; ++i) {
                auto& s = p.segments[i];
                EXPECT_LE(s.filesz, s.memsz);
                EXPECT_LE(s.filesz, e.b.size() - s.offset);
                EXPECT_GE(s.va, USER_TEXT_BASE);
                EXPECT_LE(s.memsz, VA_LOWEND - s.va);
                EXPECT_FALSE(user_range_overlaps_image_reserved(s.va, s.va + s.memsz));
            }
        }
    }
}

}  // namespace
