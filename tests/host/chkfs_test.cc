// chkfs_test.cc — the disk format tools: images mkfs_build() makes pass
// chkfs_check() clean (also from the real kernel and programs); every kind
// of corruption is reported as its own problem; the journal replays
// committed-but-incomplete transactions (idempotently) and nothing else;
// the indirect extent; a full disk; and the obj/mkchkfs and obj/chkfsck
// binaries end to end (exit status, write-back, nothing changed on error).
#include "abi/chickadeefs.hh"
#include "chkfs-fsck.hh"
#include "chkfs-mkfs.hh"
#include "test_files.hh"
#include <gtest/gtest.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <random>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);

using namespace chkfs;

namespace {

std::vector<unsigned char> bytes(const std::string& s) {
    return std::vector<unsigned char>(s.begin(), s.end());
}
std::vector<unsigned char> pattern(size_t n, unsigned seed) {
    std::vector<unsigned char> v(n);
    for (size_t i = 0; i != n; ++i) {
        v[i] = (unsigned char) (i * 7 + seed * 13 + (i >> 12));
    }
    return v;
}

// An image and accessors into it.
struct image {
    std::vector<unsigned char> d;
    superblock sb() const {
        superblock s;
        memcpy(&s, d.data() + superblock_offset, sizeof(s));
        return s;
    }
    void set_sb(const superblock& s) {
        memcpy(d.data() + superblock_offset, &s, sizeof(s));
    }
    unsigned char* block(uint64_t bn) {
        return d.data() + bn * blocksize;
    }
    inode& ino(inum_t i) {
        return reinterpret_cast<inode*>(block(sb().inode_bn))[i];
    }
    // Root directory entry `i` (the root is contiguous in images mkfs makes).
    chkfs::dirent& entry(unsigned i) {
        return reinterpret_cast<chkfs::dirent*>(block(ino(root_inum).direct[0].first))[i];
    }
    unsigned char* fbb() {
        return block(sb().fbb_bn);
    }
    bool is_free(blocknum_t b) {
        return bitmap_is_free(fbb(), b);
    }
    void set_free(blocknum_t b, bool f) {
        bitmap_set_free(fbb(), b, f);
    }
    // A file's contents, following its extents (direct, then indirect).
    std::vector<unsigned char> read(inum_t i) {
        inode& in = ino(i);
        std::vector<extent> ex(in.direct, in.direct + ndirect);
        if (in.indirect.count) {
            auto* ind = reinterpret_cast<extent*>(block(in.indirect.first));
            ex.insert(ex.end(), ind, ind + size_t(in.indirect.count) * extentsperblock);
        }
        std::vector<unsigned char> out;
        for (auto& e : ex) {
            if (!e.count) {
                break;
            }
            for (uint32_t k = 0; k != e.count && out.size() < in.size; ++k) {
                if (e.first == 0) {
                    out.insert(out.end(), blocksize, 0);        // a hole
                } else {
                    out.insert(out.end(), block(e.first + k), block(e.first + k) + blocksize);
                }
            }
        }
        out.resize(std::min<size_t>(out.size(), in.size));
        return out;
    }
    size_t free_blocks() {
        size_t n = 0;
        for (blocknum_t b = 0; b != sb().nblocks; ++b) {
            n += is_free(b);
        }
        return n;
    }
};

mkfs_options small_options() {
    mkfs_options o;
    o.nblocks = 256;
    o.ninodes = 64;
    o.njournal = 16;
    return o;
}

std::vector<mkfs_file> sample_files() {
    return {{"hello.txt", bytes("Hello, disk!\n")},
            {"empty", {}},
            {"exact", pattern(blocksize, 1)},
            {"big", pattern(5 * blocksize + 100, 2)}};
}

image make(const std::vector<mkfs_file>& files = sample_files(), mkfs_options o = small_options()) {
    image im;
    std::string why = mkfs_build(o, files, im.d);
    EXPECT_EQ(why, "");
    return im;
}

fsck_report check(image& im, fsck_options o = {}) {
    return chkfs_check(im.d, o);
}

#define EXPECT_CLEAN(rep) \
    EXPECT_EQ((rep).messages.size(), 0u) << (rep).summary()
#define EXPECT_PROBLEM(rep, kind) do { \
        EXPECT_TRUE((rep).has(fsck_problem::kind)) << "expected " #kind ", got:\n" << (rep).summary(); \
        EXPECT_GT((rep).errors(), 0u) << (rep).summary(); \
    } while (0)


// ---- mkfs, then a clean check ----

TEST(ChkfsMkfs, DefaultGeometryIsChickadees) {
    image im = make({}, mkfs_options{});
    superblock sb = im.sb();
    EXPECT_EQ(sb.magic, chkfs::magic);
    EXPECT_EQ(sb.nblocks, 32768u);
    EXPECT_EQ(sb.swap_bn, 1u);
    EXPECT_EQ(sb.nswap, 0u);
    EXPECT_EQ(sb.fbb_bn, 1u);
    EXPECT_EQ(sb.inode_bn, 2u);
    EXPECT_EQ(sb.ninodes, 896);
    EXPECT_EQ(sb.data_bn, 16u);
    EXPECT_EQ(sb.njournal, 64u);
    EXPECT_EQ(sb.journal_bn, 32768u - 64);
    EXPECT_EQ(im.d[510], 0) << "no boot sector signature unless a boot sector is given";
    EXPECT_CLEAN(check(im));
}

TEST(ChkfsMkfs, FilesReadBackAndCheckClean) {
    auto files = sample_files();
    image im = make(files);
    superblock sb = im.sb();
    EXPECT_EQ(im.ino(2).direct[0].first, sb.data_bn) << "first file at the first data block";
    for (size_t i = 0; i != files.size(); ++i) {
        EXPECT_EQ(std::string(im.entry(i).name), files[i].name);
        inum_t inum = im.entry(i).inum;
        EXPECT_EQ(im.ino(inum).type, type_regular);
        EXPECT_EQ(im.ino(inum).nlink, 1u);
        EXPECT_EQ(im.read(inum), files[i].data) << files[i].name;
    }
    EXPECT_EQ(im.ino(root_inum).type, type_directory);
    EXPECT_EQ(im.ino(root_inum).size % blocksize, 0u);
    EXPECT_EQ(im.ino(im.entry(1).inum).direct[0].count, 0u) << "an empty file has no extent";
    EXPECT_EQ(im.ino(im.entry(2).inum).direct[0].count, 1u) << "exactly one block, not two";
    // Free: everything after the root directory, up to the journal.
    uint64_t used_data = 1 + 0 + 1 + 6 + 1;
    EXPECT_EQ(im.free_blocks(), sb.journal_bn - sb.data_bn - used_data);
    EXPECT_FALSE(im.is_free(sb.journal_bn));
    EXPECT_CLEAN(check(im));
}

TEST(ChkfsMkfs, RealKernelAndProgramsCheckClean) {
    std::vector<mkfs_file> files;
    files.push_back({"kernel", read_build_file("obj/kernel.elf")});
    ASSERT_GT(files[0].data.size(), 0u) << "obj/kernel.elf missing";
    DIR* dir = opendir("obj/user");
    ASSERT_TRUE(dir);
    while (struct ::dirent* de = readdir(dir)) {
        if (de->d_name[0] != '.') {
            files.push_back({de->d_name, read_build_file(std::string("obj/user/") + de->d_name)});
        }
    }
    closedir(dir);
    ASSERT_GT(files.size(), 10u);
    mkfs_options o;
    o.first_data = 16;
    image im = make(files, o);
    ASSERT_FALSE(im.d.empty());
    EXPECT_EQ(im.ino(2).direct[0].first, 16u);
    EXPECT_EQ(im.read(2), files[0].data);
    EXPECT_EQ(im.read(inum_t(files.size() + 1)), files.back().data);
    EXPECT_CLEAN(check(im));
}

TEST(ChkfsMkfs, BootSectorAndSignature) {
    mkfs_options o = small_options();
    o.has_bootsector = true;
    o.bootsector = bytes("\xEB\xFE boot");
    image im = make({}, o);
    EXPECT_EQ(im.d[0], 0xEB);
    EXPECT_EQ(im.d[510], 0x55);
    EXPECT_EQ(im.d[511], 0xAA);
    EXPECT_CLEAN(check(im));
    o.bootsector.assign(511, 1);
    std::vector<unsigned char> out;
    EXPECT_NE(mkfs_build(o, {}, out), "");
    EXPECT_TRUE(out.empty());
}

TEST(ChkfsMkfs, BadInputIsRefusedAndBuildsNothing) {
    std::vector<unsigned char> out;
    auto refused = [&](const std::vector<mkfs_file>& f, mkfs_options o) {
        std::string why = mkfs_build(o, f, out);
        return !why.empty() && out.empty();
    };
    mkfs_options o = small_options();
    EXPECT_TRUE(refused({{"a/b", {}}}, o));
    EXPECT_TRUE(refused({{".", {}}}, o));
    EXPECT_TRUE(refused({{"..", {}}}, o));
    EXPECT_TRUE(refused({{"", {}}}, o));
    EXPECT_TRUE(refused({{std::string(124, 'x'), {}}}, o));
    EXPECT_FALSE(refused({{std::string(123, 'x'), {}}}, o));
    EXPECT_TRUE(refused({{"same", {}}, {"same", {}}}, o));
    mkfs_options tiny = o;
    tiny.nblocks = 16;          // 1 + 1 + 1 inode block + 16 journal blocks > 16
    EXPECT_TRUE(refused({}, tiny));
    mkfs_options first = o;
    first.first_data = 99;
    EXPECT_TRUE(refused({}, first));
    mkfs_options few = o;
    few.ninodes = 12;           // 10 files + inode 0 + root > 12
    std::vector<mkfs_file> many;
    for (int i = 0; i != 11; ++i) {
        many.push_back({"f" + std::to_string(i), {}});
    }
    EXPECT_TRUE(refused(many, few));
    many.pop_back();
    EXPECT_FALSE(refused(many, few));
    EXPECT_CLEAN(chkfs_check(out));
}

TEST(ChkfsMkfs, HolesGetNoBlocks) {
    // 11 blocks (the last partly used); blocks 2-5 and 10 are holes, the
    // data runs are cut into extents of at most 3: [2][hole 4][3][1][hole 1],
    // five extents, so one indirect block.
    auto d = pattern(10 * blocksize + 50, 7);
    std::fill(d.begin() + 2 * blocksize, d.begin() + 6 * blocksize, 0);
    std::fill(d.begin() + 10 * blocksize, d.end(), 0);
    mkfs_options o = small_options();
    o.max_extent = 3;
    image im = make({{"h", d, {{2, 4}, {10, 1}}}, {"after", bytes("x")}}, o);
    inum_t h = im.entry(0).inum;
    const inode& in = im.ino(h);
    superblock sb = im.sb();
    EXPECT_EQ(in.direct[0].first, sb.data_bn);
    EXPECT_EQ(in.direct[0].count, 2u);
    EXPECT_EQ(in.direct[1].first, 0u);
    EXPECT_EQ(in.direct[1].count, 4u);
    EXPECT_EQ(in.direct[2].first, sb.data_bn + 2) << "data continues right after";
    EXPECT_EQ(in.direct[2].count, 3u);
    EXPECT_EQ(in.direct[3].count, 1u);
    ASSERT_EQ(in.indirect.count, 1u);
    EXPECT_EQ(in.indirect.first, sb.data_bn + 6) << "indirect block after the 6 data blocks";
    auto* ind = reinterpret_cast<extent*>(im.block(in.indirect.first));
    EXPECT_EQ(ind[0].first, 0u);
    EXPECT_EQ(ind[0].count, 1u);
    EXPECT_EQ(ind[1].count, 0u);
    EXPECT_EQ(im.read(h), d);
    EXPECT_EQ(im.read(im.entry(1).inum), bytes("x"));
    // Used: 6 data + 1 indirect + "after" + the root directory.
    EXPECT_EQ(im.free_blocks(), sb.journal_bn - sb.data_bn - 9);
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_TRUE(rep.has(fsck_problem::hole)) << rep.summary();

    // Refused: a non-zero byte in a hole, a hole past the file, empty,
    // overlapping or out of order.
    std::vector<unsigned char> out;
    auto refused = [&](std::vector<std::pair<uint32_t, uint32_t>> holes, size_t poke = 0) {
        auto data = d;
        if (poke) {
            data[poke] = 1;
        }
        std::string why = mkfs_build(o, {{"h", data, holes}}, out);
        return !why.empty() && out.empty();
    };
    EXPECT_FALSE(refused({{2, 4}}));
    EXPECT_TRUE(refused({{2, 4}}, 5 * blocksize + 4095));
    EXPECT_TRUE(refused({{10, 2}}));
    EXPECT_TRUE(refused({{2, 0}}));
    EXPECT_TRUE(refused({{2, 3}, {4, 1}}));
    EXPECT_TRUE(refused({{4, 1}, {2, 1}}));
}


// ---- full disk, large files, the indirect extent ----

TEST(ChkfsMkfs, FullDiskExactlyAndOneBlockTooMany) {
    mkfs_options o = small_options();
    superblock sb = make({}, o).sb();
    // Data area minus one root-directory block.
    size_t room = sb.journal_bn - sb.data_bn - 1;
    image im = make({{"fill", pattern(room * blocksize, 3)}}, o);
    ASSERT_FALSE(im.d.empty());
    EXPECT_EQ(im.free_blocks(), 0u);
    EXPECT_CLEAN(check(im));
    std::vector<unsigned char> out;
    std::string why = mkfs_build(o, {{"fill", pattern(room * blocksize + 1, 3)}}, out);
    EXPECT_NE(why.find("out of space"), std::string::npos) << why;
    EXPECT_TRUE(out.empty());
}

TEST(ChkfsMkfs, LargeFileInOneExtent) {
    mkfs_options o = small_options();
    o.nblocks = 2048;
    auto data = pattern(3 * 1024 * 1024 + 17, 4);
    image im = make({{"large", data}}, o);
    EXPECT_EQ(im.ino(2).direct[0].count, 769u);
    EXPECT_EQ(im.ino(2).direct[1].count, 0u);
    EXPECT_EQ(im.read(2), data);
    EXPECT_CLEAN(check(im));
}

TEST(ChkfsMkfs, IndirectExtentHoldsTheRest) {
    mkfs_options o = small_options();
    o.nblocks = 1024;
    o.max_extent = 1;           // one extent per block: 600 extents, 596 in 2 indirect blocks
    auto data = pattern(600 * blocksize, 5);
    image im = make({{"large", data}, {"small", bytes("after the large one")}}, o);
    inode& in = im.ino(2);
    EXPECT_EQ(in.direct[3].count, 1u);
    EXPECT_EQ(in.indirect.count, 2u);
    EXPECT_EQ(in.indirect.first, in.direct[0].first + 600) << "indirect blocks follow the data";
    EXPECT_EQ(im.read(2), data);
    EXPECT_EQ(im.read(3), bytes("after the large one"));
    EXPECT_CLEAN(check(im));

    // Corrupt an extent in the second indirect block: out of range.
    auto* ind = reinterpret_cast<extent*>(im.block(in.indirect.first));
    image bad = im;
    reinterpret_cast<extent*>(bad.block(in.indirect.first))[extentsperblock + 3].first = 1;   // the bitmap
    EXPECT_PROBLEM(check(bad), extent_out_of_range);
    // Two indirect entries naming the same block.
    bad = im;
    reinterpret_cast<extent*>(bad.block(in.indirect.first))[7] = ind[6];
    EXPECT_PROBLEM(check(bad), block_used_twice);
    // Indirect extent pointing into the inode table.
    bad = im;
    bad.ino(2).indirect.first = bad.sb().inode_bn;
    EXPECT_PROBLEM(check(bad), indirect_bad);
    // Indirect extent shortened: the file's size is past its extents.
    bad = im;
    bad.ino(2).indirect.count = 1;
    EXPECT_PROBLEM(check(bad), size_past_extents);
}

TEST(ChkfsMkfs, DirectoryThroughTheIndirectExtent) {
    mkfs_options o = small_options();
    o.nblocks = 512;
    o.ninodes = 256;
    o.max_extent = 1;
    std::vector<mkfs_file> files;
    for (int i = 0; i != 200; ++i) {    // 200 entries: 7 directory blocks, 7 extents
        files.push_back({"file" + std::to_string(i), bytes(std::to_string(i))});
    }
    image im = make(files, o);
    EXPECT_EQ(im.ino(root_inum).indirect.count, 1u);
    EXPECT_CLEAN(check(im));
}


// ---- corruptions: each reported as its own kind ----

TEST(ChkfsCheck, BadMagic) {
    image im = make();
    superblock sb = im.sb();
    sb.magic ^= 1;
    im.set_sb(sb);
    EXPECT_PROBLEM(check(im), bad_magic);
}

TEST(ChkfsCheck, BadGeometry) {
    image im = make();
    superblock sb = im.sb();
    sb.inode_bn += 1;
    im.set_sb(sb);
    EXPECT_PROBLEM(check(im), bad_geometry);
    im = make();
    sb = im.sb();
    sb.journal_bn -= 1;         // njournal no longer matches
    im.set_sb(sb);
    EXPECT_PROBLEM(check(im), bad_geometry);
    im = make();
    sb = im.sb();
    sb.ninodes = 1000000;       // inodes run into the data area
    im.set_sb(sb);
    EXPECT_PROBLEM(check(im), bad_geometry);
}

TEST(ChkfsCheck, ImageShorterThanSuperblockSays) {
    image im = make();
    im.d.resize(im.d.size() - blocksize);
    EXPECT_PROBLEM(check(im), image_size);
    im.d.resize(100);
    EXPECT_PROBLEM(check(im), image_size);
}

TEST(ChkfsCheck, UsedBlockMarkedFree) {
    image im = make();
    im.set_free(im.ino(5).direct[0].first + 2, true);
    EXPECT_PROBLEM(check(im), used_block_free);
}

TEST(ChkfsCheck, MetadataBlockMarkedFree) {
    image im = make();
    im.set_free(im.sb().inode_bn, true);
    EXPECT_PROBLEM(check(im), reserved_block_free);
    im = make();
    im.set_free(im.sb().journal_bn + 3, true);
    EXPECT_PROBLEM(check(im), reserved_block_free);
}

TEST(ChkfsCheck, FreeBlockMarkedUsed) {
    image im = make();
    im.set_free(im.sb().journal_bn - 1, false);
    EXPECT_PROBLEM(check(im), leaked_block);
}

TEST(ChkfsCheck, BitmapBitPastTheDisk) {
    image im = make();
    im.set_free(im.sb().nblocks + 5, true);
    EXPECT_PROBLEM(check(im), bitmap_tail_free);
}

TEST(ChkfsCheck, BlockUsedTwice) {
    image im = make();
    // "exact" (inode 4) now claims a block of "big" (inode 5).
    im.ino(4).direct[0].first = im.ino(5).direct[0].first + 1;
    auto rep = check(im);
    EXPECT_PROBLEM(rep, block_used_twice);
    EXPECT_TRUE(rep.has(fsck_problem::leaked_block)) << "exact's own block is now unused";
}

TEST(ChkfsCheck, BadLinkCount) {
    image im = make();
    im.ino(2).nlink = 2;
    EXPECT_PROBLEM(check(im), link_count);
    im = make();
    im.ino(root_inum).nlink = 0;
    EXPECT_PROBLEM(check(im), link_count);
}

TEST(ChkfsCheck, DanglingDirectoryEntry) {
    image im = make();
    im.ino(2) = inode{};        // freed, but "hello.txt" still names it
    EXPECT_PROBLEM(check(im), dirent_free_inode);
}

TEST(ChkfsCheck, EntryInodeOutOfRange) {
    image im = make();
    im.entry(0).inum = 64;      // ninodes is 64
    EXPECT_PROBLEM(check(im), dirent_bad_inum);
    im = make();
    im.entry(0).inum = -3;
    EXPECT_PROBLEM(check(im), dirent_bad_inum);
}

TEST(ChkfsCheck, BadNames) {
    for (const char* name : {".", "..", "a/b", ""}) {
        image im = make();
        memset(im.entry(0).name, 0, sizeof(im.entry(0).name));
        strcpy(im.entry(0).name, name);
        EXPECT_PROBLEM(check(im), dirent_bad_name);
    }
    image im = make();
    memset(im.entry(0).name, 'x', sizeof(im.entry(0).name));    // no NUL
    EXPECT_PROBLEM(check(im), dirent_bad_name);
}

TEST(ChkfsCheck, DuplicateName) {
    image im = make();
    strcpy(im.entry(1).name, "hello.txt");
    EXPECT_PROBLEM(check(im), dirent_duplicate);
}

TEST(ChkfsCheck, SizePastExtents) {
    image im = make();
    im.ino(5).size += blocksize;
    EXPECT_PROBLEM(check(im), size_past_extents);
    im = make();
    im.ino(3).size = 1;         // "empty" has no blocks
    EXPECT_PROBLEM(check(im), size_past_extents);
}

TEST(ChkfsCheck, BlocksPastSizeIsAWarning) {
    image im = make();
    im.ino(5).size = 10;        // 6 blocks for 10 bytes
    auto rep = check(im);
    EXPECT_TRUE(rep.has(fsck_problem::blocks_past_size)) << rep.summary();
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
}

TEST(ChkfsCheck, ExtentOutOfRange) {
    image im = make();
    im.ino(5).direct[0].first = im.sb().journal_bn - 2;    // 6 blocks run into the journal
    EXPECT_PROBLEM(check(im), extent_out_of_range);
    im = make();
    im.ino(5).direct[0].first = 1;                         // the bitmap
    EXPECT_PROBLEM(check(im), extent_out_of_range);
}

TEST(ChkfsCheck, ExtentAfterAnEmptyOne) {
    mkfs_options o = small_options();
    o.max_extent = 2;
    image im = make(sample_files(), o);
    ASSERT_EQ(im.ino(5).direct[2].count, 2u);
    im.ino(5).direct[1].count = 0;
    EXPECT_PROBLEM(check(im), extent_after_end);
}

TEST(ChkfsCheck, HoleIsAWarning) {
    image im = make();
    im.ino(5).direct[0].first = 0;      // a 6-block hole; its blocks are now unused
    auto rep = check(im);
    EXPECT_TRUE(rep.has(fsck_problem::hole)) << rep.summary();
    EXPECT_FALSE(rep.has(fsck_problem::size_past_extents)) << rep.summary();
    EXPECT_TRUE(rep.has(fsck_problem::leaked_block)) << rep.summary();
}

TEST(ChkfsCheck, DirectorySize) {
    image im = make();
    im.ino(root_inum).size = 1000;
    EXPECT_PROBLEM(check(im), dir_size);
}

TEST(ChkfsCheck, RootNotADirectory) {
    image im = make();
    im.ino(root_inum).type = type_regular;
    EXPECT_PROBLEM(check(im), root_not_directory);
}

TEST(ChkfsCheck, InodeZeroInUse) {
    image im = make();
    im.ino(0).type = type_regular;
    EXPECT_PROBLEM(check(im), inode_zero_used);
}

TEST(ChkfsCheck, UnknownInodeType) {
    image im = make();
    im.ino(2).type = 7;
    EXPECT_PROBLEM(check(im), bad_inode_type);
}

TEST(ChkfsCheck, DirectoryNamedTwice) {
    image im = make();
    im.entry(30).inum = root_inum;
    strcpy(im.entry(30).name, "loop");
    EXPECT_PROBLEM(check(im), dir_multiply_linked);
}

TEST(ChkfsCheck, LostInodeAndOrphan) {
    image im = make();
    im.entry(3).inum = 0;               // "big" loses its only name
    auto rep = check(im);
    EXPECT_PROBLEM(rep, lost_inode);
    EXPECT_FALSE(rep.has(fsck_problem::leaked_block)) << "a lost inode's blocks count as used";
    im.ino(5).nlink = 0;                // unlinked while open, then a crash
    rep = check(im);
    EXPECT_TRUE(rep.has(fsck_problem::orphan_inode)) << rep.summary();
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
}


// ---- the journal ----

// Writes journal records the way a kernel would.
struct journal_writer {
    image& im;
    unsigned pos = 0;                   // next journal block index
    bool checksums = true;

    struct ref {
        blocknum_t bn;
        std::vector<unsigned char> data;    // empty: non-journaled
        bool escaped = false;
        bool bad_checksum = false;
    };

    unsigned char* jblock(unsigned i) {
        superblock sb = im.sb();
        return im.block(sb.journal_bn + i % sb.njournal);
    }
    // One metablock and its data blocks.
    void record(tid_t seq, tid_t tid, tid_t commit_b, tid_t complete_b, uint16_t flags,
                std::vector<ref> refs = {}) {
        jmetablock mb = {};
        mb.magic = journalmagic;
        mb.seq = seq;
        mb.tid = tid;
        mb.commit_boundary = commit_b;
        mb.complete_boundary = complete_b;
        mb.flags = flags | jf_meta;
        mb.nref = uint16_t(refs.size());
        unsigned data_at = pos + 1;
        for (size_t i = 0; i != refs.size(); ++i) {
            mb.ref[i].bn = refs[i].bn;
            if (refs[i].data.empty()) {
                mb.ref[i].bflags = jbf_nonjournaled;
                mb.ref[i].bchecksum = nochecksum;
                continue;
            }
            std::vector<unsigned char> stored = refs[i].data;
            stored.resize(blocksize);
            if (refs[i].escaped) {
                memset(stored.data(), 0, 8);
                mb.ref[i].bflags = jbf_escaped;
            }
            mb.ref[i].bchecksum = checksums ? crc32c(0, stored.data(), blocksize) : nochecksum;
            if (refs[i].bad_checksum) {
                mb.ref[i].bchecksum ^= 1;
            }
            memcpy(jblock(data_at++), stored.data(), blocksize);
        }
        mb.checksum = checksums ? crc32c(0, reinterpret_cast<unsigned char*>(&mb) + 16, blocksize - 16)
                                : nochecksum;
        memcpy(jblock(pos), &mb, blocksize);
        pos = data_at;
    }
};

std::vector<unsigned char> block_copy(image& im, blocknum_t bn) {
    return std::vector<unsigned char>(im.block(bn), im.block(bn) + blocksize);
}

TEST(ChkfsJournal, EmptyJournalReplaysNothing) {
    image im = make();
    auto rep = check(im);
    EXPECT_EQ(rep.replayed_transactions, 0u);
    EXPECT_TRUE(rep.log.empty());
}

TEST(ChkfsJournal, CommittedTransactionIsApplied) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first + 1;
    auto fresh = pattern(blocksize, 9);
    journal_writer j{im};
    j.record(1, 1, 1, 1, jf_start, {{bn, fresh}});
    j.record(2, 1, 2, 1, jf_commit);
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 1u);
    EXPECT_EQ(rep.replayed_blocks, std::vector<blocknum_t>{bn});
    EXPECT_EQ(block_copy(im, bn), fresh);
    ASSERT_EQ(rep.log.size(), 1u);
    EXPECT_NE(rep.log[0].find("replayed transaction 1"), std::string::npos) << rep.log[0];
}

TEST(ChkfsJournal, UncommittedTransactionIsIgnored) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first + 1;
    auto before = block_copy(im, bn);
    journal_writer j{im};
    j.record(1, 1, 1, 1, jf_start, {{bn, pattern(blocksize, 9)}});
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 0u);
    EXPECT_EQ(rep.ignored_transactions, 1u);
    EXPECT_EQ(block_copy(im, bn), before);
}

TEST(ChkfsJournal, CompleteTransactionIsNotReplayed) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first + 1;
    auto before = block_copy(im, bn);
    journal_writer j{im};
    j.record(1, 1, 1, 1, jf_start, {{bn, pattern(blocksize, 9)}});
    j.record(2, 1, 2, 1, jf_commit);
    j.record(3, 1, 2, 2, jf_complete);
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 0u);
    EXPECT_EQ(block_copy(im, bn), before);
}

TEST(ChkfsJournal, IncompleteCommittedTransactionReplaysIdempotently) {
    // A transaction over three metablocks moves "exact" to a free block:
    // new data block, inode and bitmap; the crash came after the first of
    // the three blocks was written home.
    image im = make();
    superblock sb = im.sb();
    blocknum_t newbn = sb.journal_bn - 1;
    image after = im;
    memcpy(after.block(newbn), pattern(blocksize, 11).data(), blocksize);
    after.set_free(after.ino(4).direct[0].first, true);
    after.set_free(newbn, false);
    after.ino(4).direct[0].first = newbn;
    blocknum_t inode_block = sb.inode_bn + 4 / inodesperblock;
    ASSERT_EQ(check(after).errors(), 0u);

    journal_writer j{im};
    j.record(7, 3, 3, 3, jf_start, {{newbn, block_copy(after, newbn)}});
    j.record(8, 3, 3, 3, 0, {{inode_block, block_copy(after, inode_block)}});
    j.record(9, 3, 4, 3, jf_commit, {{sb.fbb_bn, block_copy(after, sb.fbb_bn)}});
    image nothing_home = im;
    memcpy(im.block(newbn), after.block(newbn), blocksize);     // written home before the crash

    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 1u);
    EXPECT_EQ(rep.replayed_blocks.size(), 3u);
    for (blocknum_t b = 0; b != sb.journal_bn; ++b) {
        ASSERT_EQ(block_copy(im, b), block_copy(after, b)) << "block " << b;
    }
    // Replaying again (the journal is still there) changes nothing.
    image again = im;
    rep = check(again);
    EXPECT_EQ(rep.replayed_transactions, 1u);
    EXPECT_EQ(again.d, im.d);
    // Nothing written home yet: the same result.
    check(nothing_home);
    EXPECT_EQ(nothing_home.d, im.d);
}

TEST(ChkfsJournal, LatestCopyWinsAndNonJournaledCancels) {
    image im = make();
    blocknum_t a = im.ino(5).direct[0].first, b = a + 1;
    auto a_before = block_copy(im, a);
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{b, pattern(blocksize, 1)}, {a, pattern(blocksize, 2)}});
    j.record(2, 2, 3, 1, jf_start | jf_commit, {{b, pattern(blocksize, 3)}});
    j.record(3, 3, 4, 1, jf_start | jf_commit, {{a, {}}});     // a no longer journaled
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 3u);
    EXPECT_EQ(block_copy(im, b), pattern(blocksize, 3));
    EXPECT_EQ(block_copy(im, a), a_before);
}

TEST(ChkfsJournal, EscapedBlockGetsItsMagicBack) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    auto data = pattern(blocksize, 4);
    uint64_t m = journalmagic;
    memcpy(data.data(), &m, 8);
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{bn, data, true}});
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(block_copy(im, bn), data);
}

TEST(ChkfsJournal, WrapsAroundTheJournalAndSequenceNumbers) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    journal_writer j{im};
    j.pos = im.sb().njournal - 2;       // metablock, first data block, then wrap to 0
    j.record(65534, 65535, 65535, 65535, jf_start,
             {{bn, pattern(blocksize, 5)}, {bn + 1, pattern(blocksize, 6)}});
    j.record(65535, 65535, 0, 65535, jf_commit);
    j.record(0, 0, 0, 65535, jf_start);  // uncommitted successor, seq wrapped to 0
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 1u);
    EXPECT_EQ(rep.ignored_transactions, 1u);
    EXPECT_EQ(block_copy(im, bn), pattern(blocksize, 5));
    EXPECT_EQ(block_copy(im, bn + 1), pattern(blocksize, 6));
}

TEST(ChkfsJournal, NoChecksumIsAccepted) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    journal_writer j{im};
    j.checksums = false;
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{bn, pattern(blocksize, 7)}});
    auto rep = check(im);
    EXPECT_EQ(rep.replayed_transactions, 1u) << rep.summary();
    EXPECT_EQ(block_copy(im, bn), pattern(blocksize, 7));
}

TEST(ChkfsJournal, CorruptDataBlockStopsTheReplay) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    auto before = block_copy(im, bn);
    journal_writer j{im};
    j.record(1, 1, 1, 1, jf_start, {{bn, pattern(blocksize, 8), false, true}});
    j.record(2, 1, 2, 1, jf_commit);
    auto rep = check(im);
    EXPECT_TRUE(rep.has(fsck_problem::journal_ignored)) << rep.summary();
    EXPECT_PROBLEM(rep, journal_bad);       // the commit's transaction has no start now
    EXPECT_EQ(block_copy(im, bn), before);
}

TEST(ChkfsJournal, MissingMetablockInsideATransaction) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    auto before = block_copy(im, bn);
    journal_writer j{im};
    j.record(1, 1, 1, 1, jf_start, {{bn, pattern(blocksize, 8)}});
    j.record(3, 1, 2, 1, jf_commit);        // seq 2 is missing
    auto rep = check(im);
    EXPECT_PROBLEM(rep, journal_bad);
    EXPECT_EQ(block_copy(im, bn), before);
}

TEST(ChkfsJournal, BoundariesMustNotMoveBack) {
    image im = make();
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit);
    j.record(2, 2, 1, 1, jf_start);
    EXPECT_PROBLEM(check(im), journal_bad);
    im = make();
    journal_writer k{im};
    k.record(1, 1, 1, 2, jf_start);         // complete past commit
    EXPECT_PROBLEM(check(im), journal_bad);
}

TEST(ChkfsJournal, NoReferencesAddedToACommittedOrCompleteTransaction) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{bn, pattern(blocksize, 1)}});
    j.record(2, 1, 2, 1, 0, {{bn + 1, pattern(blocksize, 2)}});    // tid 1 was committed
    EXPECT_PROBLEM(check(im), journal_bad);
    im = make();
    journal_writer k{im};
    k.record(1, 1, 2, 2, jf_start | jf_commit, {{bn, pattern(blocksize, 1)}});  // tid 1 is below complete
    EXPECT_PROBLEM(check(im), journal_bad);
}

TEST(ChkfsJournal, HomeBlockInTheJournalIsRefused) {
    image im = make();
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{im.sb().journal_bn + 5, pattern(blocksize, 1)}});
    EXPECT_PROBLEM(check(im), journal_bad);
}

TEST(ChkfsJournal, SkippedWhenAsked) {
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    auto before = block_copy(im, bn);
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{bn, pattern(blocksize, 1)}});
    fsck_options o;
    o.replay_journal = false;
    auto rep = check(im, o);
    EXPECT_EQ(rep.replayed_transactions, 0u);
    EXPECT_EQ(block_copy(im, bn), before);
}


TEST(ChkfsJournal, MkfsPendingTransactionIsReplayed) {
    // mkchkfs -J: the images the kernel's replay tests boot with.
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;      // "big"
    auto home = block_copy(im, bn);
    EXPECT_EQ(mkfs_journal_pending(im.d, "big"), "");
    EXPECT_EQ(block_copy(im, bn), home);            // not written home
    auto rep = check(im);
    EXPECT_EQ(rep.errors(), 0u) << rep.summary();
    EXPECT_EQ(rep.replayed_transactions, 1u);
    EXPECT_EQ(rep.replayed_blocks, std::vector<blocknum_t>{bn});
    EXPECT_EQ(block_copy(im, bn), mkfs_pending_block("big"));
    image other = make();
    EXPECT_NE(mkfs_journal_pending(other.d, "empty"), "");
    EXPECT_NE(mkfs_journal_pending(other.d, "nosuch"), "");
}

TEST(ChkfsJournal, RandomCorruptionIsReportedNotACrash) {
    // The image is input: random bytes in the superblock, bitmap, inodes,
    // directory, indirect-extent blocks and journal must never make the
    // checker read or write outside the image (ASan would stop the test).
    mkfs_options o = small_options();
    o.max_extent = 1;
    std::vector<mkfs_file> files = sample_files();
    files.push_back({"long", pattern(20 * blocksize, 6)});     // uses the indirect extent
    image base = make(files, o);
    superblock sb = base.sb();
    blocknum_t dir_first = base.ino(root_inum).direct[0].first;
    std::vector<blocknum_t> targets = {0, sb.fbb_bn, sb.inode_bn, dir_first,
                                       base.ino(6).indirect.first, sb.journal_bn, sb.journal_bn + 1};
    std::mt19937 rng(161);
    size_t reported = 0;
    for (int round = 0; round != 200; ++round) {
        image im = base;
        if (round % 2) {        // a plausible journal record to corrupt
            journal_writer j{im};
            j.record(1, 1, 2, 1, jf_start | jf_commit, {{dir_first, block_copy(im, dir_first)}});
        }
        int nflips = 1 + int(rng() % 8);
        for (int f = 0; f != nflips; ++f) {
            blocknum_t bn = targets[rng() % targets.size()];
            size_t off = bn == 0 ? superblock_offset + rng() % sizeof(superblock)
                : bn == sb.inode_bn ? rng() % (8 * inodesize) : rng() % blocksize;
            im.block(bn)[off] = (unsigned char) rng();
        }
        auto rep = check(im);
        reported += !rep.messages.empty();
    }
    EXPECT_GT(reported, 100u) << "most random corruptions are noticed";
}


// ---- the binaries ----

struct tempdir {
    std::string path;
    tempdir() {
        char t[] = "/tmp/chkfs-test-XXXXXX";
        path = mkdtemp(t);
    }
    ~tempdir() {
        std::string cmd = "rm -rf " + path;
        (void) !system(cmd.c_str());
    }
    std::string operator/(const std::string& f) const {
        return path + "/" + f;
    }
};

int run(const std::string& cmd, std::string* out = nullptr) {
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
        text.append(buf, n);
    }
    int status = pclose(p);
    if (out) {
        *out = text;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void write_file(const std::string& path, const std::vector<unsigned char>& data) {
    FILE* f = fopen(path.c_str(), "wb");
    ASSERT_TRUE(f);
    fwrite(data.data(), 1, data.size(), f);
    fclose(f);
}

TEST(ChkfsTools, MkfsThenFsckEndToEnd) {
    tempdir t;
    write_file(t / "a.txt", bytes("alpha\n"));
    write_file(t / "b.bin", pattern(9000, 1));
    std::string out;
    ASSERT_EQ(run("obj/mkchkfs -b 300 -i 64 -j 16 -o " + (t / "d.img") + " " + (t / "a.txt") + " "
                  + (t / "b.bin") + ":renamed"), 0);
    EXPECT_EQ(run("obj/chkfsck " + (t / "d.img"), &out), 0) << out;
    EXPECT_NE(out.find("clean"), std::string::npos) << out;
    EXPECT_EQ(run("obj/chkfsck -V " + (t / "d.img"), &out), 0) << out;
    EXPECT_NE(out.find("\"renamed\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"a.txt\""), std::string::npos) << out;

    image im;
    im.d = read_build_file(t / "d.img");
    ASSERT_EQ(im.d.size(), 300 * blocksize);
    EXPECT_EQ(im.read(3), pattern(9000, 1));

    // A failed mkfs leaves the old image alone.
    EXPECT_EQ(run("obj/mkchkfs -b 300 -o " + (t / "d.img") + " " + (t / "a.txt") + " "
                  + (t / "a.txt"), &out), 1);
    EXPECT_NE(out.find("two files with this name"), std::string::npos) << out;
    EXPECT_EQ(read_build_file(t / "d.img"), im.d);
    EXPECT_EQ(run("obj/mkchkfs -b 30x -o " + (t / "x.img")), 2);
    EXPECT_EQ(run("obj/mkchkfs -o " + (t / "x.img") + " " + (t / "missing")), 1);
    EXPECT_NE(access((t / "x.img").c_str(), F_OK), 0);
    EXPECT_EQ(run("obj/chkfsck " + (t / "missing")), 2);
}

TEST(ChkfsTools, FsckReportsErrorsWithStatusOne) {
    tempdir t;
    image im = make();
    im.ino(2).nlink = 3;
    write_file(t / "d.img", im.d);
    std::string out;
    EXPECT_EQ(run("obj/chkfsck " + (t / "d.img"), &out), 1) << out;
    EXPECT_NE(out.find("error: inode 2 (\"hello.txt\"): nlink is 3"), std::string::npos) << out;
    EXPECT_EQ(read_build_file(t / "d.img"), im.d) << "checking changes nothing";
}

TEST(ChkfsTools, FsckWritesTheReplayBackWithW) {
    tempdir t;
    image im = make();
    blocknum_t bn = im.ino(5).direct[0].first;
    journal_writer j{im};
    j.record(1, 1, 2, 1, jf_start | jf_commit, {{bn, pattern(blocksize, 1)}});
    write_file(t / "d.img", im.d);
    std::string out;
    EXPECT_EQ(run("obj/chkfsck " + (t / "d.img"), &out), 0) << out;
    EXPECT_NE(out.find("replayed transaction 1"), std::string::npos) << out;
    EXPECT_EQ(read_build_file(t / "d.img"), im.d) << "without -w the image is not written";
    EXPECT_EQ(run("obj/chkfsck -w " + (t / "d.img"), &out), 0) << out;
    image after;
    after.d = read_build_file(t / "d.img");
    EXPECT_EQ(block_copy(after, bn), pattern(blocksize, 1));
    EXPECT_EQ(run("obj/chkfsck " + (t / "d.img"), &out), 0) << out;
    EXPECT_NE(out.find("nothing to replay"), std::string::npos) << out;
}

}  // namespace
