// initfs_test.cc — kernel/core/initfs.cc against images built here, the real
// obj/initfs.img, and corrupted copies of both.
#include "abi/initfs.h"
#include "initfs.hh"
#include "test_files.hh"
#include <gtest/gtest.h>
#include <cstring>
#include <random>
#include <string>
#include <vector>

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);

namespace {

// Builds an image the way scripts/mkinitfs.py does. Kept in a
// uint64_t vector so the data is 8-byte aligned like the kernel's copy.
struct image {
    std::vector<uint64_t> words;
    size_t size = 0;
    uint8_t* bytes() { return reinterpret_cast<uint8_t*>(words.data()); }
    initfs_header& header() { return *reinterpret_cast<initfs_header*>(bytes()); }
    initfs_entry& entry(unsigned i) {
        return reinterpret_cast<initfs_entry*>(bytes() + sizeof(initfs_header))[i];
    }
    const char* validate() { return initfs_validate(bytes(), size); }
    void resize(size_t n) {
        size = n;
        words.resize((n + 7) / 8 + 1, 0);
    }
};

image build(const std::vector<std::pair<std::string, std::string>>& files) {
    auto align = [](size_t x) { return (x + INITFS_ALIGN - 1) / INITFS_ALIGN * INITFS_ALIGN; };
    size_t offset = align(sizeof(initfs_header) + files.size() * sizeof(initfs_entry));
    std::vector<size_t> offsets;
    for (auto& f : files) {
        offsets.push_back(offset);
        offset = align(offset + f.second.size());
    }
    image im;
    im.resize(files.empty() ? sizeof(initfs_header) : offset);
    im.header() = {INITFS_MAGIC, INITFS_VERSION, uint32_t(files.size()), im.size,
                   sizeof(initfs_entry), 0};
    for (size_t i = 0; i < files.size(); ++i) {
        initfs_entry e = {};
        strncpy(e.name, files[i].first.c_str(), sizeof(e.name));
        e.offset = offsets[i];
        e.size = files[i].second.size();
        e.crc32c = crc32c(0, files[i].second.data(), e.size);
        im.entry(i) = e;
        memcpy(im.bytes() + offsets[i], files[i].second.data(), e.size);
    }
    return im;
}

image sample() {
    return build({{"hello", "HELLO PROGRAM"}, {"init", std::string(5000, 'i')}, {"empty", ""}});
}

TEST(Initfs, ValidImageAndLookup) {
    auto im = sample();
    ASSERT_EQ(im.validate(), nullptr);
    const uint8_t* data;
    size_t size;
    ASSERT_TRUE(initfs_find(im.bytes(), im.size, "hello", &data, &size));
    EXPECT_EQ(std::string((const char*) data, size), "HELLO PROGRAM");
    EXPECT_EQ((data - im.bytes()) % INITFS_ALIGN, 0);
    ASSERT_TRUE(initfs_find(im.bytes(), im.size, "init", &data, &size));
    EXPECT_EQ(size, 5000u);
    ASSERT_TRUE(initfs_find(im.bytes(), im.size, "empty", &data, &size));
    EXPECT_EQ(size, 0u);
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, "missing", &data, &size));
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, "hell", &data, &size));
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, "hello!", &data, &size));
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, "", &data, &size));
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, nullptr, &data, &size));
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, std::string(200, 'x').c_str(), &data, &size));
}

TEST(Initfs, EmptyImage) {
    auto im = build({});
    EXPECT_EQ(im.validate(), nullptr);
    const uint8_t* data;
    size_t size;
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, "x", &data, &size));
}

TEST(Initfs, LongestName) {
    std::string name(INITFS_NAME_MAX, 'n');
    auto im = build({{name, "data"}});
    ASSERT_EQ(im.validate(), nullptr);
    const uint8_t* data;
    size_t size;
    EXPECT_TRUE(initfs_find(im.bytes(), im.size, name.c_str(), &data, &size));
    EXPECT_FALSE(initfs_find(im.bytes(), im.size, (name + "n").c_str(), &data, &size));
}

// Each corruption must be rejected.
TEST(Initfs, CorruptionsAreRejected) {
    std::vector<std::pair<const char*, void (*)(image&)>> cases = {
        {"magic", [](image& im) { im.header().magic ^= 1; }},
        {"version", [](image& im) { im.header().version = 2; }},
        {"entry size", [](image& im) { im.header().entry_size = 80; }},
        {"reserved", [](image& im) { im.header().reserved = 1; }},
        {"image size", [](image& im) { im.header().image_size += 4096; }},
        {"count huge", [](image& im) { im.header().count = 0xFFFFFFFF; }},
        {"count past table", [](image& im) { im.header().count = 200; }},
        {"offset past end", [](image& im) { im.entry(0).offset = im.size + 4096; }},
        {"size past end", [](image& im) { im.entry(1).size = im.size; }},
        {"offset+size wraps", [](image& im) {
             im.entry(1).size = ~uint64_t(0) - im.entry(1).offset + 2; }},
        {"misaligned", [](image& im) { im.entry(0).offset += 8; }},
        {"inside the table", [](image& im) { im.entry(0).offset = 0; }},
        {"overlap", [](image& im) { im.entry(1).offset = im.entry(0).offset; }},
        {"empty name", [](image& im) { im.entry(0).name[0] = '\0'; }},
        {"unterminated name", [](image& im) { memset(im.entry(0).name, 'a', 64); }},
        {"garbage after name", [](image& im) { im.entry(0).name[40] = 'z'; }},
        {"duplicate", [](image& im) { memcpy(im.entry(1).name, "hello", 6); }},
        {"checksum", [](image& im) { im.bytes()[im.entry(0).offset] ^= 0x40; }},
        {"entry reserved", [](image& im) { im.entry(2).reserved = 7; }},
    };
    for (auto& [what, corrupt] : cases) {
        auto im = sample();
        ASSERT_EQ(im.validate(), nullptr);
        corrupt(im);
        EXPECT_NE(im.validate(), nullptr) << what;
    }
}

TEST(Initfs, TruncatedAndMisalignedImages) {
    auto im = sample();
    for (size_t n : {size_t(0), size_t(8), sizeof(initfs_header) - 1, sizeof(initfs_header),
                     size_t(200), im.size - 1}) {
        EXPECT_NE(initfs_validate(im.bytes(), n), nullptr) << n;
    }
    EXPECT_NE(initfs_validate(nullptr, 100), nullptr);
    std::vector<uint64_t> shifted(im.words.size() + 1);
    memcpy(reinterpret_cast<uint8_t*>(shifted.data()) + 4, im.bytes(), im.size);
    EXPECT_NE(initfs_validate(reinterpret_cast<uint8_t*>(shifted.data()) + 4, im.size), nullptr);
}

TEST(Initfs, RandomCorruptionNeverCrashes) {
    auto good = sample();
    std::mt19937_64 rng(61);
    for (int round = 0; round < 2000; ++round) {
        auto im = good;
        // Corrupt the header and entry table, where the structure lives.
        size_t span = sizeof(initfs_header) + 3 * sizeof(initfs_entry);
        for (int f = 0; f < 1 + int(rng() % 4); ++f) {
            im.bytes()[rng() % span] = uint8_t(rng());
        }
        if (!im.validate()) {
            const uint8_t* data;
            size_t size;
            for (const char* name : {"hello", "init", "empty"}) {
                if (initfs_find(im.bytes(), im.size, name, &data, &size)) {
                    EXPECT_LE(data + size, im.bytes() + im.size);
                }
            }
        }
    }
}

TEST(Initfs, RealImage) {
    auto bytes = read_build_file("obj/initfs.img");
    if (bytes.empty()) {
        GTEST_SKIP() << "obj/initfs.img not built";
    }
    std::vector<uint64_t> aligned((bytes.size() + 7) / 8);
    memcpy(aligned.data(), bytes.data(), bytes.size());
    EXPECT_EQ(initfs_validate(aligned.data(), bytes.size()), nullptr);
    const uint8_t* data;
    size_t size;
    ASSERT_TRUE(initfs_find(aligned.data(), bytes.size(), "hello", &data, &size));
    EXPECT_EQ(memcmp(data, "\x7f" "ELF", 4), 0);
    // The packed copy is obj/user/hello without its debug information.
    EXPECT_EQ(read_build_file("obj/initfs/hello"), std::vector<uint8_t>(data, data + size));
}

TEST(Initfs, NoEmbeddedImageOnTheHost) {
    const uint8_t* data;
    size_t size;
    EXPECT_FALSE(initfs_lookup("hello", &data, &size));
    EXPECT_EQ(initfs_name(0), nullptr);
}

}  // namespace
