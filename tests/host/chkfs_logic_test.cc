// chkfs_logic_test.cc — the kernel's chickadeefs logic (kernel/core/
// chkfs-logic.*) run on images mkfs_build() makes, in memory: reads across
// block, extent and indirect boundaries; growth that extends the last
// extent, takes direct slots, then the indirect extent (which grows in
// place or moves); shrinking; truncate to 0 and regrow; E_NOSPC leaving the
// file and the free count exactly as they were; E_FBIG; writes into holes
// (the hole's extent split, merged, the extents after it moved); directory
// entries; inode allocation; and random sequences against a model.
// After every changing operation the image must pass chkfs_check() with no
// message at all, every block must have been released, and every change
// must have been made inside a transaction.
#include "chkfs-logic.hh"
#include "chkfs-fsck.hh"
#include "chkfs-mkfs.hh"
#include <gtest/gtest.h>
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace chkfs;

namespace {

// Block access on an image in memory, checking the rules of blockio:
// blocks are released, changes happen only between write_begin and
// write_end (a snapshot taken at each bracket's end must still match at
// the next bracket or put), brackets never nest, the bitmap lock is not
// taken twice, and no operation holds more than max_held_blocks.
struct mem_io : blockio {
    std::vector<unsigned char>& img_;
    std::map<blocknum_t, int> held_;        // hold counts
    std::map<blocknum_t, std::vector<unsigned char>> snap_;   // held blocks' last known bytes
    int holding_ = 0, max_holding_ = 0;
    long writing_ = -1;                      // block inside a bracket
    int tx_depth_ = 0;
    int write_outside_tx_ = 0;
    bool bitmap_locked_ = false;
    long fail_after_ = -1;                   // fail the get after this many (E_IO)
    long gets_ = 0;

    explicit mem_io(std::vector<unsigned char>& img) : img_(img) {}

    unsigned char* at(blocknum_t bn) {
        return img_.data() + size_t(bn) * blocksize;
    }
    void check_unchanged(blocknum_t bn, const char* where) {
        auto it = snap_.find(bn);
        if (it != snap_.end()) {
            EXPECT_EQ(memcmp(it->second.data(), at(bn), blocksize), 0)
                << "block " << bn << " changed outside write_begin/write_end (seen at " << where << ")";
        }
    }
    void snapshot(blocknum_t bn) {
        snap_[bn].assign(at(bn), at(bn) + blocksize);
    }

    int get(blocknum_t bn, blockref& ref, bool load) override {
        EXPECT_EQ(writing_, -1) << "get inside a write bracket";
        if (uint64_t(bn + 1) * blocksize > img_.size()) {
            ADD_FAILURE() << "get past the end: " << bn;
            return E_INVAL;
        }
        if (fail_after_ >= 0 && gets_++ >= fail_after_) {
            return E_IO;
        }
        if (held_.count(bn)) {
            check_unchanged(bn, "get");
        }
        ref.data = at(bn);
        ref.bn = bn;
        ref.handle = this;
        if (!load && !held_.count(bn)) {
            // Whoever asked not to load must overwrite all of it: garbage
            // here shows a caller that reads first.
            memset(ref.data, 0xA5, blocksize);
        }
        ++held_[bn];
        snapshot(bn);
        max_holding_ = std::max(max_holding_, ++holding_);
        return 0;
    }
    void write_begin(blockref& ref) override {
        EXPECT_GT(held_[ref.bn], 0) << "write_begin of an unheld block " << ref.bn;
        EXPECT_EQ(writing_, -1) << "nested write_begin";
        check_unchanged(ref.bn, "write_begin");
        writing_ = ref.bn;
        if (tx_depth_ == 0) {
            ++write_outside_tx_;
        }
    }
    void write_end(blockref& ref, dirty_kind) override {
        EXPECT_EQ(writing_, long(ref.bn)) << "write_end without write_begin";
        writing_ = -1;
        snapshot(ref.bn);
    }
    void put(blockref& ref) override {
        EXPECT_EQ(writing_, -1) << "put inside a write bracket";
        EXPECT_GT(held_[ref.bn], 0) << "put of an unheld block " << ref.bn;
        check_unchanged(ref.bn, "put");
        --holding_;
        if (--held_[ref.bn] == 0) {
            held_.erase(ref.bn);
            snap_.erase(ref.bn);
        }
    }
    void lock_bitmap() override {
        EXPECT_FALSE(bitmap_locked_) << "bitmap lock taken twice";
        bitmap_locked_ = true;
    }
    void unlock_bitmap() override {
        EXPECT_TRUE(bitmap_locked_);
        bitmap_locked_ = false;
    }
    void tx_begin() override { ++tx_depth_; }
    void tx_end() override {
        EXPECT_GT(tx_depth_, 0);
        --tx_depth_;
    }

    // The root's name index, when a test turns it on (chkfs-dirindex.hh),
    // with memory that counts what is live and can be made to fail.
    struct test_memory : index_memory {
        long live_ = 0, allocs_ = 0;
        long fail_from_ = -1;           // allocations from this one on fail
        void* allocate(size_t n) override {
            if (fail_from_ >= 0 && allocs_ >= fail_from_) {
                return nullptr;
            }
            ++allocs_;
            ++live_;
            return malloc(n);
        }
        void release(void* p) override {
            --live_;
            free(p);
        }
    } mem_;
    std::unique_ptr<dir_index> index_;
    dir_index* index_of(inum_t dir) override { return dir == root_inum ? index_.get() : nullptr; }
};

// A transfer between the logic and a std::string, failing (E_FAULT) at
// byte `fault_at` of the transfer if set.
struct str_transfer : transfer {
    std::string& s_;
    size_t fault_at_;
    explicit str_transfer(std::string& s, size_t fault_at = size_t(-1))
        : s_(s), fault_at_(fault_at) {}
    int to_buffer(size_t pos, const unsigned char* src, size_t n) override {
        if (pos + n > fault_at_) {
            return E_FAULT;
        }
        if (s_.size() < pos + n) {
            s_.resize(pos + n);
        }
        memcpy(&s_[pos], src, n);
        return 0;
    }
    int from_buffer(size_t pos, unsigned char* dst, size_t n) override {
        if (pos + n > fault_at_) {
            return E_FAULT;
        }
        EXPECT_LE(pos + n, s_.size());
        memcpy(dst, s_.data() + pos, n);
        return 0;
    }
};

std::string pattern(size_t n, unsigned seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i != n; ++i) {
        s[i] = char(i * 31 + seed * 7 + (i >> 12) * 3 + 1);
    }
    return s;
}

std::vector<unsigned char> bytes(const std::string& s) {
    return std::vector<unsigned char>(s.begin(), s.end());
}

struct Fs : ::testing::Test {
    std::vector<unsigned char> img_;
    std::unique_ptr<mem_io> io_;
    std::unique_ptr<fs> fs_;

    void make(const std::vector<mkfs_file>& files, uint32_t nblocks = 1024,
              int32_t ninodes = 64, uint32_t max_extent = 0) {
        mkfs_options o;
        o.nblocks = nblocks;
        o.ninodes = ninodes;
        o.njournal = 16;
        o.max_extent = max_extent;
        ASSERT_EQ(mkfs_build(o, files, img_), "");
        io_ = std::make_unique<mem_io>(img_);
        if (indexed_) {
            io_->index_ = std::make_unique<dir_index>(io_->mem_);
        }
        superblock sb;
        memcpy(&sb, img_.data() + superblock_offset, sizeof(sb));
        ASSERT_EQ(check_superblock(sb, nblocks), nullptr);
        fs_ = std::make_unique<fs>(*io_, sb);
    }

    // Every block released, no change outside a transaction, and a
    // checker with nothing to say.
    void expect_clean(const char* when = "") {
        EXPECT_TRUE(io_->held_.empty()) << when << ": blocks still held, first "
                                        << io_->held_.begin()->first;
        EXPECT_EQ(io_->write_outside_tx_, 0) << when;
        EXPECT_LE(io_->max_holding_, int(max_held_blocks)) << when;
        EXPECT_EQ(io_->tx_depth_, 0) << when;
        std::vector<unsigned char> copy = img_;
        fsck_report rep = chkfs_check(copy);
        size_t said = rep.messages.size();
        if (holes_ok_) {
            said -= std::count_if(rep.messages.begin(), rep.messages.end(),
                                  [](auto& m) { return m.kind == fsck_problem::hole; });
        }
        EXPECT_EQ(said, 0u) << when << ":\n" << rep.summary();
        expect_index_in_step(when);
    }
    bool holes_ok_ = false;             // the checker's hole warnings are expected
    bool indexed_ = false;              // the root has a name index

    // When the root's index is ready, it says exactly what the disk says:
    // every used slot's name is found at its slot, no other slot is used.
    void expect_index_in_step(const char* when = "") {
        dir_index* ix = io_->index_.get();
        if (!ix || !ix->ready()) {
            return;
        }
        inode root = ino(root_inum);
        uint32_t nslots = root.size / direntsize;
        EXPECT_EQ(ix->nslots(), nslots) << when;
        uint32_t used = 0;
        for (uint32_t s = 0; s != nslots; ++s) {
            blocknum_t bn;
            uint32_t run;
            ASSERT_EQ(fs_->map(root, s * direntsize / blocksize, &bn, &run), 0);
            auto* de = reinterpret_cast<const dirent*>(img_.data() + size_t(bn) * blocksize
                                                       + s * direntsize % blocksize);
            EXPECT_EQ(ix->slot_used(s), de->inum != 0) << when << ": slot " << s;
            if (de->inum != 0) {
                ++used;
                uint32_t cursor = 0, got;
                bool found = false;
                while (ix->find(name_hash(de->name), cursor, &got)) {
                    found = found || got == s;
                }
                EXPECT_TRUE(found) << when << ": slot " << s << " " << de->name;
            }
        }
        EXPECT_EQ(ix->count(), used) << when;
    }

    // Does every block of file `i` have a disk block (no hole left)?
    bool no_holes(inum_t i) {
        inode in = ino(i);
        for (uint32_t b = 0; uint64_t(b) * blocksize < in.size; ++b) {
            blocknum_t bn;
            uint32_t run;
            EXPECT_EQ(fs_->map(in, b, &bn, &run), 0);
            if (bn == 0) {
                return false;
            }
        }
        return true;
    }
    // Extent `idx` of file `i` (direct, then indirect).
    extent ext(inum_t i, uint32_t idx) {
        inode in = ino(i);
        if (idx < ndirect) {
            return in.direct[idx];
        }
        const extent* ind = reinterpret_cast<const extent*>(img_.data()
                                                            + size_t(in.indirect.first) * blocksize);
        return ind[idx - ndirect];
    }

    inum_t lookup(const std::string& name) {
        inum_t i = 0;
        EXPECT_EQ(fs_->dir_lookup(root_inum, name.c_str(), &i), 0) << name;
        return i;
    }
    std::string read_all(inum_t i) {
        int64_t sz = fs_->size(i);
        EXPECT_GE(sz, 0);
        std::string out;
        str_transfer xf(out);
        EXPECT_EQ(fs_->read(i, 0, size_t(sz) + 100, xf), sz);
        return out;
    }
    ssize_t write(inum_t i, uint64_t off, const std::string& data) {
        std::string d = data;
        str_transfer xf(d);
        return fs_->write(i, off, d.size(), xf);
    }
    inum_t create(const std::string& name) {
        inum_t i = 0;
        EXPECT_EQ(fs_->create(root_inum, name.c_str(), type_regular, &i), 0) << name;
        return i;
    }
    inode ino(inum_t i) {
        inode_ref ir(*io_);
        EXPECT_EQ(fs_->get_inode(i, ir), 0);
        return *ir;
    }
    uint32_t nextents(inum_t i) {
        uint32_t b, n;
        inode in = ino(i);
        EXPECT_EQ(fs_->count_blocks(in, &b, &n), 0);
        return n;
    }
    int64_t free_blocks() {
        return fs_->count_free();
    }
    // Makes every later one-block append to a file need a new extent:
    // `nfiles` one-block spacer files sit between the blocks it gets.
    void fragment(unsigned nfiles) {
        blocknum_t first = 0;
        for (unsigned k = 0; k != nfiles; ++k) {
            blocknum_t b;
            uint32_t c;
            // Keep the next free block for the grower; the spacer takes
            // the one after it.
            io_->tx_begin();
            ASSERT_EQ(fs_->alloc_run(fs_->alloc_hint_, 1, true, &b, &c), 0);
            io_->tx_end();
            inum_t i = create("f" + std::to_string(k));
            ASSERT_EQ(write(i, 0, std::string(100, 'f')), 100);
            io_->tx_begin();
            ASSERT_EQ(fs_->free_run(b, 1), 0);
            io_->tx_end();
            first = first ? first : b;
        }
        fs_->alloc_hint_ = first;       // the grower starts at the first hole
    }
};

// The directory tests run twice: scanning the root's blocks, and with the
// root's name index (chkfs-dirindex.hh), which every check then compares
// with the disk (expect_clean).
struct FsDir : Fs, ::testing::WithParamInterface<bool> {
    void SetUp() override { indexed_ = GetParam(); }
};

// ---- reading ----

TEST_F(Fs, SuperblockChecks) {
    make({});
    superblock sb = fs_->sb_;
    EXPECT_EQ(check_superblock(sb, sb.nblocks), nullptr);
    EXPECT_NE(check_superblock(sb, sb.nblocks - 1), nullptr);   // disk too small
    superblock bad = sb;
    bad.magic ^= 1;
    EXPECT_NE(check_superblock(bad, sb.nblocks), nullptr);
    bad = sb;
    bad.inode_bn += 1;
    EXPECT_NE(check_superblock(bad, sb.nblocks), nullptr);
    bad = sb;
    bad.ninodes = 1 << 20;
    EXPECT_NE(check_superblock(bad, sb.nblocks), nullptr);
    bad = sb;
    bad.njournal += 1;
    EXPECT_NE(check_superblock(bad, sb.nblocks), nullptr);
    bad = sb;
    bad.data_bn = bad.journal_bn + 1;
    EXPECT_NE(check_superblock(bad, sb.nblocks), nullptr);
}

TEST_F(Fs, ReadsCrossBlocksExtentsAndIndirect) {
    // Extents of 2 blocks: a 1100-block file needs 550 extents, so 546 of
    // them are in two indirect blocks.
    std::string big = pattern(1100 * blocksize - 77, 3);
    std::string small = pattern(9000, 4);
    make({{"small", bytes(small)}, {"big", bytes(big)}}, 2048, 64, 2);
    inum_t b = lookup("big");
    EXPECT_EQ(ino(b).indirect.count, 2u);
    EXPECT_EQ(nextents(b), 550u);
    EXPECT_EQ(read_all(lookup("small")), small);
    EXPECT_EQ(read_all(b), big);
    // Reads at awkward places: across a block, across an extent (2-block
    // extents: every 8192 bytes), across the direct/indirect boundary
    // (byte 4 * 8192) and between indirect blocks (extent 516).
    for (uint64_t off : {uint64_t(4090), uint64_t(8190), uint64_t(4 * 8192 - 3),
                         uint64_t(516 * 8192 - 5), uint64_t(big.size() - 10)}) {
        std::string out;
        str_transfer xf(out);
        ssize_t n = fs_->read(b, off, 20, xf);
        size_t want = std::min<size_t>(20, big.size() - off);
        ASSERT_EQ(n, ssize_t(want)) << off;
        EXPECT_EQ(out, big.substr(off, want)) << off;
    }
    std::string out;
    str_transfer xf(out);
    EXPECT_EQ(fs_->read(b, big.size(), 10, xf), 0);
    EXPECT_EQ(fs_->read(b, uint64_t(1) << 40, 10, xf), 0);
    expect_clean();
}

TEST_F(Fs, ReadFaultReturnsWhatWasCopied) {
    std::string data = pattern(3 * blocksize, 5);
    make({{"a", bytes(data)}});
    std::string out;
    str_transfer xf(out, 5000);         // the buffer "ends" at byte 5000
    EXPECT_EQ(fs_->read(lookup("a"), 0, data.size(), xf), 4096);
    str_transfer xf2(out, 0);
    EXPECT_EQ(fs_->read(lookup("a"), 0, data.size(), xf2), E_FAULT);
    expect_clean();
}

TEST_F(Fs, MapReportsContiguousRuns) {
    make({{"a", bytes(pattern(10 * blocksize, 1))}}, 1024, 64, 4);
    inode in = ino(lookup("a"));
    blocknum_t bn;
    uint32_t run;
    ASSERT_EQ(fs_->map(in, 0, &bn, &run), 0);
    EXPECT_EQ(bn, in.direct[0].first);
    EXPECT_EQ(run, 4u);
    ASSERT_EQ(fs_->map(in, 5, &bn, &run), 0);
    EXPECT_EQ(bn, in.direct[1].first + 1);
    EXPECT_EQ(run, 3u);
    ASSERT_EQ(fs_->map(in, 10, &bn, &run), 0);
    EXPECT_EQ(bn, 0u);
    expect_clean();
}

// ---- growing ----

TEST_F(Fs, AppendsExtendTheLastExtent) {
    make({{"a", {}}});
    inum_t a = lookup("a");
    std::string want;
    for (int k = 0; k != 20; ++k) {
        std::string piece = pattern(1000 + k * 300, k);
        ASSERT_EQ(write(a, want.size(), piece), ssize_t(piece.size()));
        want += piece;
        expect_clean("append");
    }
    EXPECT_EQ(read_all(a), want);
    EXPECT_EQ(nextents(a), 1u);         // one contiguous extent
    EXPECT_EQ(ino(a).direct[0].count, (want.size() + blocksize - 1) / blocksize);
}

TEST_F(Fs, GrowthTakesDirectSlotsThenTheIndirectExtent) {
    make({{"a", {}}});
    inum_t a = lookup("a");
    fragment(12);
    std::string want;
    for (int k = 0; k != 12; ++k) {
        std::string piece = pattern(blocksize, k + 10);
        ASSERT_EQ(write(a, want.size(), piece), ssize_t(blocksize));
        want += piece;
        inode in = ino(a);
        if (k < 4) {
            EXPECT_EQ(in.indirect.count, 0u) << k;
            EXPECT_EQ(in.direct[k].count, 1u) << k;
        } else {
            EXPECT_EQ(in.indirect.count, 1u) << k;
        }
        EXPECT_EQ(nextents(a), unsigned(k + 1));
        expect_clean("grow");
    }
    EXPECT_EQ(read_all(a), want);
}

TEST_F(Fs, IndirectExtentGrowsInPlaceOrMoves) {
    // 1100 one-block extents need three indirect blocks; with the disk
    // fragmented the indirect extent cannot always grow in place.
    make({{"a", {}}}, 4096, 64);
    inum_t a = lookup("a");
    std::string want;
    std::mt19937 rng(7);
    int64_t free0 = free_blocks();
    // Alternate: a block for `a`, a block for a spacer file, so every
    // extent of `a` is one block long.
    inum_t spacer = create("spacer");
    std::string sp;
    int moves = 0;
    while (nextents(a) < 1100) {
        std::string piece = pattern(blocksize, unsigned(rng()));
        extent ind = ino(a).indirect;
        ASSERT_EQ(write(a, want.size(), piece), ssize_t(blocksize));
        want += piece;
        if (ind.count && ino(a).indirect.first != ind.first) {
            ++moves;
        }
        ASSERT_EQ(write(spacer, sp.size(), piece), ssize_t(blocksize));
        sp += piece;
    }
    inode in = ino(a);
    EXPECT_EQ(in.indirect.count, 3u);
    expect_clean("1100 extents");
    EXPECT_EQ(read_all(a), want);
    EXPECT_EQ(read_all(spacer), sp);
    // Shrink across the indirect blocks: extents and indirect blocks go.
    ASSERT_EQ(fs_->truncate(a, 600 * blocksize + 1), 0);
    EXPECT_EQ(ino(a).indirect.count, 2u);
    EXPECT_EQ(read_all(a), want.substr(0, 600 * blocksize + 1));
    expect_clean("shrunk to 601 blocks");
    ASSERT_EQ(fs_->truncate(a, 3 * blocksize), 0);
    EXPECT_EQ(ino(a).indirect.count, 0u);
    EXPECT_EQ(ino(a).indirect.first, 0u);
    expect_clean("shrunk to 3 blocks");
    ASSERT_EQ(fs_->truncate(a, 0), 0);
    ASSERT_EQ(fs_->truncate(spacer, 0), 0);
    EXPECT_EQ(free_blocks(), free0);
    EXPECT_GE(moves, 1);
    expect_clean("empty");
}

TEST_F(Fs, IndirectExtentGrowsInPlaceWhenTheNextBlockIsFree) {
    make({{"a", {}}}, 2048, 64);
    inum_t a = lookup("a");
    inum_t spacer = create("spacer");
    std::string want;
    blocknum_t blocker = 0;
    while (nextents(a) < 516) {
        std::string piece = pattern(blocksize, unsigned(want.size() / blocksize));
        ASSERT_EQ(write(a, want.size(), piece), ssize_t(blocksize));
        want += piece;
        if (!blocker && ino(a).indirect.count == 1) {
            // Keep the block after the indirect block free for later.
            blocker = ino(a).indirect.first + 1;
            io_->tx_begin();
            ASSERT_EQ(fs_->alloc_at(blocker), 0);
            io_->tx_end();
        }
        ASSERT_EQ(write(spacer, fs_->size(spacer), std::string(blocksize, 's')),
                  ssize_t(blocksize));
    }
    extent ind = ino(a).indirect;
    ASSERT_EQ(ind.count, 1u);
    io_->tx_begin();
    ASSERT_EQ(fs_->free_run(blocker, 1), 0);
    io_->tx_end();
    ASSERT_EQ(write(a, want.size(), "tail"), 4);
    want += "tail";
    EXPECT_EQ(nextents(a), 517u);
    EXPECT_EQ(ino(a).indirect.first, ind.first);
    EXPECT_EQ(ino(a).indirect.count, 2u);
    EXPECT_EQ(read_all(a), want);
    expect_clean("in place");
}

TEST_F(Fs, TruncateToZeroAndRegrowReadsZeros) {
    std::string data = pattern(5 * blocksize + 100, 9);
    make({{"a", bytes(data)}});
    inum_t a = lookup("a");
    int64_t free0 = free_blocks();
    ASSERT_EQ(fs_->truncate(a, 0), 0);
    EXPECT_EQ(free_blocks(), free0 + 6);
    EXPECT_EQ(ino(a).direct[0].count, 0u);
    expect_clean("truncated");
    // Grow by truncate: zeros.
    ASSERT_EQ(fs_->truncate(a, 3 * blocksize + 5), 0);
    EXPECT_EQ(read_all(a), std::string(3 * blocksize + 5, '\0'));
    expect_clean("regrown");
    // Shrink into a block, then grow over the old bytes: zeros there too.
    ASSERT_EQ(write(a, 0, data.substr(0, 2 * blocksize)), ssize_t(2 * blocksize));
    ASSERT_EQ(fs_->truncate(a, 100), 0);
    ASSERT_EQ(fs_->truncate(a, 2 * blocksize), 0);
    EXPECT_EQ(read_all(a), data.substr(0, 100) + std::string(2 * blocksize - 100, '\0'));
    // A write past the end leaves a gap of zeros.
    ASSERT_EQ(fs_->truncate(a, 10), 0);
    ASSERT_EQ(write(a, 3 * blocksize + 7, "xyz"), 3);
    EXPECT_EQ(read_all(a), data.substr(0, 10) + std::string(3 * blocksize - 3, '\0') + "xyz");
    expect_clean("gap");
    EXPECT_EQ(free_blocks(), free0 + 6 - 4);
}

TEST_F(Fs, WriteFaultKeepsThePrefixAndNoExtraBlocks) {
    make({{"a", {}}});
    inum_t a = lookup("a");
    int64_t free0 = free_blocks();
    std::string d = pattern(10 * blocksize, 2);
    // The buffer faults inside the third block: two blocks are written
    // (a block's copy fails whole), the rest of the chunk's blocks go back.
    str_transfer xf(d, 2 * blocksize + 10);
    EXPECT_EQ(fs_->write(a, 0, d.size(), xf), ssize_t(2 * blocksize));
    EXPECT_EQ(fs_->size(a), int64_t(2 * blocksize));
    EXPECT_EQ(free_blocks(), free0 - 2);
    EXPECT_EQ(read_all(a), d.substr(0, 2 * blocksize));
    expect_clean("fault");
    // Nothing copied: the file is as it was, even for a write past its end.
    str_transfer xf0(d, 0);
    EXPECT_EQ(fs_->write(a, 5 * blocksize + 7, d.size(), xf0), E_FAULT);
    EXPECT_EQ(free_blocks(), free0 - 2);
    EXPECT_EQ(fs_->size(a), int64_t(2 * blocksize));
    expect_clean("fault at 0");
}

// ---- limits ----

TEST_F(Fs, NoSpaceChangesNothing) {
    make({{"a", {}}, {"b", bytes(pattern(1000, 1))}}, 256, 64);
    inum_t a = lookup("a");
    int64_t free0 = free_blocks();
    ASSERT_GT(free0, 10);
    // One chunk bigger than the free space: refused whole, nothing
    // allocated.
    ASSERT_LT(free0, int64_t(fs::write_chunk_blocks) * 8);
    EXPECT_EQ(write(a, uint64_t(fs::write_chunk_blocks) * 8 * blocksize - 10, std::string(5, 'x')),
              E_NOSPC);
    EXPECT_EQ(free_blocks(), free0);
    EXPECT_EQ(fs_->size(a), 0);
    expect_clean("too big");
    EXPECT_EQ(fs_->truncate(a, uint64_t(free0 + 1) * blocksize), E_NOSPC);
    EXPECT_EQ(free_blocks(), free0);
    EXPECT_EQ(fs_->size(a), 0);
    expect_clean("truncate too big");
    // Exactly the free space fits (the file stays in one extent, no
    // indirect block needed).
    ASSERT_EQ(fs_->truncate(a, uint64_t(free0) * blocksize), 0);
    EXPECT_EQ(free_blocks(), 0);
    expect_clean("full");
    // Full: a write past the end fails, one inside the file works.
    EXPECT_EQ(write(a, uint64_t(free0) * blocksize, "x"), E_NOSPC);
    EXPECT_EQ(write(a, 5, "hello"), 5);
    inum_t i;
    EXPECT_EQ(fs_->create(root_inum, "new", type_regular, &i), 0);  // root has room
    EXPECT_EQ(write(i, 0, "x"), E_NOSPC);
    EXPECT_EQ(fs_->size(i), 0);
    expect_clean("full writes");
    // Give back one block: a one-block write fits again.
    ASSERT_EQ(fs_->truncate(a, uint64_t(free0 - 1) * blocksize), 0);
    EXPECT_EQ(free_blocks(), 1);
    EXPECT_EQ(write(i, 0, "x"), 1);
    EXPECT_EQ(free_blocks(), 0);
    expect_clean("refilled");
}

TEST_F(Fs, LargeWritePartlyFittingReturnsWhatFit) {
    make({{"a", {}}}, 256, 64);
    inum_t a = lookup("a");
    int64_t free0 = free_blocks();
    ASSERT_GT(free0, int64_t(fs::write_chunk_blocks) + 5);
    // A write of many chunks: whole chunks land until one does not fit.
    std::string d = pattern(size_t(free0 + 40) * blocksize, 6);
    ssize_t n = write(a, 0, d);
    ASSERT_GT(n, 0);
    EXPECT_EQ(n % (ssize_t(fs::write_chunk_blocks) * blocksize), 0);
    EXPECT_EQ(fs_->size(a), n);
    EXPECT_EQ(free_blocks(), free0 - n / ssize_t(blocksize));
    EXPECT_EQ(read_all(a), d.substr(0, size_t(n)));
    expect_clean("partly");
}

TEST_F(Fs, NoSpaceForAnIndirectBlockChangesNothing) {
    make({{"a", {}}}, 256, 64);
    inum_t a = lookup("a");
    inum_t s = create("s");
    // Four one-block extents (a spacer block between them).
    std::string want, sp;
    for (int k = 0; k != 4; ++k) {
        ASSERT_EQ(write(a, want.size(), pattern(blocksize, k)), ssize_t(blocksize));
        want += pattern(blocksize, k);
        ASSERT_EQ(write(s, sp.size(), pattern(blocksize, 9)), ssize_t(blocksize));
        sp += pattern(blocksize, 9);
    }
    ASSERT_EQ(nextents(a), 4u);
    // Fill the disk but one block: the fifth extent would need an
    // indirect block as well, so growing `a` fails.
    int64_t f = free_blocks();
    ASSERT_EQ(write(s, sp.size(), std::string(size_t(f - 1) * blocksize, 's')),
              ssize_t(f - 1) * blocksize);
    ASSERT_EQ(free_blocks(), 1);
    inode before = ino(a);
    EXPECT_EQ(write(a, want.size(), "more"), E_NOSPC);
    inode after = ino(a);
    EXPECT_EQ(memcmp(&before, &after, sizeof(inode)), 0);
    EXPECT_EQ(free_blocks(), 1);
    EXPECT_EQ(read_all(a), want);
    expect_clean("no indirect");
}

// ---- holes (extents with first == 0) ----

// A string of `nblocks` blocks of pattern with blocks [first, first + n)
// zeroed for each hole.
std::string with_holes(uint32_t nblocks, unsigned seed,
                       std::vector<std::pair<uint32_t, uint32_t>> holes) {
    std::string s = pattern(size_t(nblocks) * blocksize, seed);
    for (auto& h : holes) {
        std::fill(s.begin() + size_t(h.first) * blocksize,
                  s.begin() + size_t(h.first + h.second) * blocksize, '\0');
    }
    return s;
}

TEST_F(Fs, HolesReadAsZerosAndWritesFillThem) {
    // "h": 10 blocks, blocks 2-7 a hole.
    std::string h = with_holes(10, 2, {{2, 6}});
    make({{"h", bytes(h), {{2, 6}}}, {"z", bytes("z")}}, 256, 64);
    holes_ok_ = true;
    inum_t i = lookup("h");
    EXPECT_EQ(ext(i, 1).first, 0u);
    EXPECT_EQ(ext(i, 1).count, 6u);
    EXPECT_EQ(nextents(i), 3u);
    EXPECT_EQ(read_all(i), h);
    expect_clean("image");
    int64_t free0 = free_blocks();

    // A few bytes inside block 4: one block; the hole splits in two
    // around it (hole 2, block, hole 3), five extents, so an indirect
    // block as well.
    std::string w = "written into the hole";
    ASSERT_EQ(write(i, 4 * blocksize + 100, w), ssize_t(w.size()));
    h.replace(4 * blocksize + 100, w.size(), w);
    EXPECT_EQ(read_all(i), h);
    EXPECT_EQ(nextents(i), 5u);
    EXPECT_EQ(ext(i, 1).first, 0u);
    EXPECT_EQ(ext(i, 1).count, 2u);
    EXPECT_EQ(ext(i, 2).count, 1u);
    EXPECT_EQ(ext(i, 3).first, 0u);
    EXPECT_EQ(ext(i, 3).count, 3u);
    EXPECT_EQ(ino(i).indirect.count, 1u);
    EXPECT_EQ(free_blocks(), free0 - 2);
    EXPECT_EQ(fs_->size(i), 10 * int64_t(blocksize));
    expect_clean("split");

    // One write over both holes and past the end (growth too).
    std::string big = pattern(9 * blocksize, 7);
    ASSERT_EQ(write(i, 2 * blocksize + 5, big), ssize_t(big.size()));
    h.resize(2 * blocksize + 5 + big.size());
    h.replace(2 * blocksize + 5, big.size(), big);
    EXPECT_EQ(read_all(i), h);
    EXPECT_TRUE(no_holes(i));
    holes_ok_ = false;
    expect_clean("filled");
}

TEST_F(Fs, FillingAHoleMergesWithTheRunsAroundIt) {
    // "gap" (one block) sits just before "h" = [hole 1][2 blocks][hole 1][1 block];
    // removing it frees the block before h's data, so filling h's first
    // block there joins the extent after it: the extents after move down.
    std::string h = with_holes(5, 3, {{0, 1}, {3, 1}});
    make({{"gap", bytes(pattern(blocksize, 4))}, {"h", bytes(h), {{0, 1}, {3, 1}}}}, 256, 64);
    holes_ok_ = true;
    inum_t i = lookup("h"), g;
    ASSERT_EQ(nextents(i), 4u);
    blocknum_t data = ext(i, 1).first;
    ASSERT_EQ(fs_->unlink(root_inum, "gap", &g), 0);
    ASSERT_EQ(fs_->free_inode(g), 0);
    fs_->alloc_hint_ = data - 1;
    int64_t free0 = free_blocks();
    ASSERT_EQ(write(i, 7, "first"), 5);
    h.replace(7, 5, "first");
    EXPECT_EQ(read_all(i), h);
    EXPECT_EQ(nextents(i), 3u);
    EXPECT_EQ(ext(i, 0).first, data - 1);
    EXPECT_EQ(ext(i, 0).count, 3u);
    EXPECT_EQ(ext(i, 1).first, 0u);
    EXPECT_EQ(ext(i, 2).count, 1u);
    EXPECT_EQ(free_blocks(), free0 - 1);
    expect_clean("merged with the next");

    // The last hole: its block goes elsewhere (the block after block 2's
    // is block 4's), no merge.
    holes_ok_ = false;
    ASSERT_EQ(write(i, 3 * blocksize, "x"), 1);
    h[3 * blocksize] = 'x';
    EXPECT_EQ(read_all(i), h);
    EXPECT_TRUE(no_holes(i));
    EXPECT_EQ(nextents(i), 3u);
    expect_clean("all filled");
}

TEST_F(Fs, FillingAHoleExtendsTheRunBeforeIt) {
    // "h" = [2 blocks][hole 2], then "gap" (one block) right after h's
    // data; with gap gone, h's block 2 lands there and joins the run.
    std::string h = with_holes(4, 8, {{2, 2}});
    make({{"h", bytes(h), {{2, 2}}}, {"gap", bytes(pattern(blocksize, 4))}}, 256, 64);
    holes_ok_ = true;
    inum_t i = lookup("h"), g;
    blocknum_t data = ext(i, 0).first;
    ASSERT_EQ(fs_->unlink(root_inum, "gap", &g), 0);
    ASSERT_EQ(fs_->free_inode(g), 0);
    ASSERT_EQ(write(i, 2 * blocksize + 10, "third"), 5);
    h.replace(2 * blocksize + 10, 5, "third");
    EXPECT_EQ(read_all(i), h);
    EXPECT_EQ(nextents(i), 2u);
    EXPECT_EQ(ext(i, 0).first, data);
    EXPECT_EQ(ext(i, 0).count, 3u);
    EXPECT_EQ(ext(i, 1).first, 0u);
    EXPECT_EQ(ext(i, 1).count, 1u);
    expect_clean("extended");
}

TEST_F(Fs, FillingAHoleShiftsManyIndirectExtents) {
    // One-block extents: 600 of them, 596 in two indirect blocks; a hole
    // of 3 at file block 300. Filling its middle block inserts two
    // extents, moving 300 of them (across the indirect-block boundary).
    std::string h = with_holes(603, 5, {{300, 3}});
    make({{"h", bytes(h), {{300, 3}}}}, 2048, 64, 1);
    holes_ok_ = true;
    inum_t i = lookup("h");
    ASSERT_EQ(nextents(i), 601u);
    ASSERT_EQ(ino(i).indirect.count, 2u);
    ASSERT_EQ(write(i, 301 * blocksize + 1, "mid"), 3);
    h.replace(301 * blocksize + 1, 3, "mid");
    EXPECT_EQ(read_all(i), h);
    EXPECT_EQ(nextents(i), 603u);
    EXPECT_EQ(ext(i, 300).first, 0u);
    EXPECT_EQ(ext(i, 300).count, 1u);
    EXPECT_NE(ext(i, 301).first, 0u);
    EXPECT_EQ(ext(i, 302).first, 0u);
    expect_clean("middle");
    holes_ok_ = false;
    ASSERT_EQ(write(i, 300 * blocksize, std::string(3 * blocksize, 'f')), ssize_t(3 * blocksize));
    h.replace(300 * blocksize, 3 * blocksize, std::string(3 * blocksize, 'f'));
    EXPECT_EQ(read_all(i), h);
    EXPECT_TRUE(no_holes(i));
    expect_clean("all");
}

TEST_F(Fs, NoSpaceForAHoleChangesNothing) {
    // "h" = [1 block][hole 6][1 block]; "fill" takes the rest of the disk.
    std::string h = with_holes(8, 6, {{1, 6}});
    make({{"h", bytes(h), {{1, 6}}}, {"fill", {}}}, 256, 64);
    holes_ok_ = true;
    inum_t i = lookup("h"), f = lookup("fill");
    int64_t free0 = free_blocks();
    ASSERT_EQ(fs_->truncate(f, uint64_t(free0) * blocksize), 0);
    ASSERT_EQ(free_blocks(), 0);
    inode before = ino(i);
    EXPECT_EQ(write(i, 3 * blocksize, "x"), E_NOSPC);
    inode after = ino(i);
    EXPECT_EQ(memcmp(&before, &after, sizeof(inode)), 0);
    EXPECT_EQ(free_blocks(), 0);
    EXPECT_EQ(read_all(i), h);
    expect_clean("full");
    // One block free: enough for the data but not for the indirect block
    // that five extents would need.
    ASSERT_EQ(fs_->truncate(f, uint64_t(free0 - 1) * blocksize), 0);
    ASSERT_EQ(free_blocks(), 1);
    EXPECT_EQ(write(i, 3 * blocksize, "x"), E_NOSPC);
    after = ino(i);
    EXPECT_EQ(memcmp(&before, &after, sizeof(inode)), 0);
    EXPECT_EQ(free_blocks(), 1);
    EXPECT_EQ(read_all(i), h);
    expect_clean("no indirect");
    // At the hole's start only four extents are needed: it fits.
    EXPECT_EQ(write(i, blocksize, "y"), 1);
    h[blocksize] = 'y';
    EXPECT_EQ(read_all(i), h);
    EXPECT_EQ(nextents(i), 4u);
    EXPECT_EQ(free_blocks(), 0);
    expect_clean("hole start");
}

TEST_F(Fs, RandomWritesIntoHolesMatchAModel) {
    // "h": 80 blocks, each fifth block and the next one data, three-block
    // holes between (16 holes), one-block data extents: 48 extents, so
    // the indirect extent is in use from the start. Random writes (some
    // running past the end) and shrinking truncates on a small disk that
    // runs out of space part way; the checker after each, the model
    // compared after each.
    std::vector<std::pair<uint32_t, uint32_t>> holes;
    for (uint32_t b = 0; b != 80; b += 5) {
        holes.push_back({b + 2, 3});
    }
    std::string h = with_holes(80, 9, holes);
    make({{"h", bytes(h), holes}}, 100, 16, 1);
    holes_ok_ = true;
    inum_t i = lookup("h");
    ASSERT_GT(ino(i).indirect.count, 0u);
    std::mt19937 rng(1201);
    int nospc = 0;
    for (int step = 0; step != 100; ++step) {
        std::string what = "step " + std::to_string(step);
        if (rng() % 40 == 0) {
            uint64_t sz = h.size() / 2 + rng() % (h.size() / 2 + 1);
            ASSERT_EQ(fs_->truncate(i, sz), 0) << what;
            h.resize(sz);
        } else {
            uint64_t off = rng() % (h.size() + 3 * blocksize);
            std::string d = pattern(rng() % (5 * blocksize), unsigned(step));
            inode before = ino(i);
            int64_t free_before = free_blocks();
            ssize_t n = write(i, off, d);
            if (n == E_NOSPC) {
                ++nospc;
                inode after = ino(i);
                EXPECT_EQ(memcmp(&before, &after, sizeof(inode)), 0) << what;
                EXPECT_EQ(free_blocks(), free_before) << what;
            } else {
                ASSERT_GT(n, 0) << what;
                if (h.size() < off + size_t(n)) {
                    h.resize(off + size_t(n), '\0');
                }
                h.replace(off, size_t(n), d.substr(0, size_t(n)));
            }
        }
        expect_clean(what.c_str());
        ASSERT_EQ(read_all(i), h) << what;
        if (::testing::Test::HasFailure()) {
            break;
        }
    }
    EXPECT_GT(nospc, 0) << "the disk never filled: E_NOSPC untested";
}

TEST_F(Fs, FileTooBig) {
    make({{"a", {}}});
    inum_t a = lookup("a");
    EXPECT_EQ(fs_->truncate(a, maxsize + 1), E_FBIG);
    EXPECT_EQ(write(a, maxsize, "x"), E_FBIG);
    EXPECT_EQ(write(a, uint64_t(1) << 40, "x"), E_FBIG);
    EXPECT_EQ(fs_->size(a), 0);
    // Room left at the end of the range: the disk runs out first.
    EXPECT_EQ(write(a, maxsize - 2, "xyz"), E_NOSPC);
    expect_clean();
}

// ---- directories and inodes ----

TEST_P(FsDir, DirectoryEntries) {
    make({{"a", bytes("A")}, {"b", bytes("B")}, {"c", bytes("C")}});
    char name[maxnamelen + 1];
    inum_t i;
    std::vector<std::string> names;
    for (size_t k = 0; fs_->dir_entry(root_inum, k, name, &i) == 1; ++k) {
        names.push_back(name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
    inum_t ib = lookup("b");
    int64_t free0 = free_blocks();
    // Unlink: the entry goes, nlink drops, the blocks stay until freed.
    inum_t got;
    ASSERT_EQ(fs_->unlink(root_inum, "b", &got), 0);
    EXPECT_EQ(got, ib);
    EXPECT_EQ(ino(ib).nlink, 0u);
    EXPECT_EQ(fs_->dir_lookup(root_inum, "b", &got), E_NOENT);
    EXPECT_EQ(fs_->unlink(root_inum, "b", &got), E_NOENT);
    ASSERT_EQ(fs_->free_inode(ib), 0);
    EXPECT_EQ(free_blocks(), free0 + 1);
    expect_clean("unlinked");
    // A new entry takes the first empty slot (b's), so it lists second.
    inum_t d = create("d");
    names.clear();
    for (size_t k = 0; fs_->dir_entry(root_inum, k, name, &i) == 1; ++k) {
        names.push_back(name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"a", "d", "c"}));
    EXPECT_EQ(d, ib);                   // and reuses the freed inode
    expect_clean("created");
    EXPECT_EQ(fs_->create(root_inum, "a", type_regular, &i), E_INVAL);
    EXPECT_EQ(fs_->create(root_inum, "x/y", type_regular, &i), E_INVAL);
    EXPECT_EQ(fs_->create(root_inum, "..", type_regular, &i), E_INVAL);
    EXPECT_EQ(fs_->create(root_inum, std::string(124, 'n').c_str(), type_regular, &i), E_INVAL);
    std::string longest(123, 'n');
    inum_t l = create(longest);
    EXPECT_EQ(lookup(longest), l);
    ASSERT_EQ(fs_->dir_entry(root_inum, 3, name, &i), 1);
    EXPECT_EQ(std::string(name), longest);
    EXPECT_EQ(fs_->dir_entry(root_inum, 4, name, &i), 0);
    expect_clean("longest");
}

TEST_P(FsDir, DirectoryGrowsIntoMoreBlocks) {
    make({}, 1024, 128);
    // 32 entries per block: 70 files need three directory blocks.
    for (int k = 0; k != 70; ++k) {
        create("file" + std::to_string(k));
    }
    expect_clean("70 files");
    EXPECT_EQ(ino(root_inum).size, 70 * direntsize);
    for (int k = 0; k != 70; ++k) {
        EXPECT_NE(lookup("file" + std::to_string(k)), 0);
    }
    char name[maxnamelen + 1];
    inum_t i;
    ASSERT_EQ(fs_->dir_entry(root_inum, 69, name, &i), 1);
    EXPECT_STREQ(name, "file69");
    // Remove them all: the entries are empty slots, the files' inodes free.
    for (int k = 0; k != 70; ++k) {
        inum_t got;
        ASSERT_EQ(fs_->unlink(root_inum, ("file" + std::to_string(k)).c_str(), &got), 0);
        ASSERT_EQ(fs_->free_inode(got), 0);
    }
    EXPECT_EQ(fs_->dir_entry(root_inum, 0, name, &i), 0);
    expect_clean("emptied");
}

// A create takes the first empty slot even after creates moved the
// search's starting point on (fs::dir_add starts after the slots known to
// be used): slots emptied by unlink and by rename over a name are found.
TEST_P(FsDir, CreateReusesSlotsEmptiedAfterCreates) {
    make({}, 1024, 128);
    for (int k = 0; k != 40; ++k) {
        create("f" + std::to_string(k));
    }
    auto slot_of = [&](const std::string& want) {
        char name[maxnamelen + 1];
        inum_t i;
        for (size_t k = 0; fs_->dir_entry(root_inum, k, name, &i) == 1; ++k) {
            if (want == name) {
                return int(k);
            }
        }
        return -1;
    };
    inum_t got;
    ASSERT_EQ(fs_->unlink(root_inum, "f35", &got), 0);
    ASSERT_EQ(fs_->free_inode(got), 0);
    ASSERT_EQ(fs_->unlink(root_inum, "f5", &got), 0);
    ASSERT_EQ(fs_->free_inode(got), 0);
    create("g");                        // f5's slot, the first empty one
    EXPECT_EQ(slot_of("g"), 5);
    create("h");                        // then f35's (listed after 34 others)
    EXPECT_EQ(slot_of("h"), 35);
    inum_t replaced;
    ASSERT_EQ(fs_->rename(root_inum, "f2", "f30", &replaced), 0);   // empties f2's slot
    ASSERT_EQ(fs_->free_inode(replaced), 0);
    create("i");
    EXPECT_EQ(slot_of("i"), 2);
    create("j");                        // no empty slot left: appended
    EXPECT_EQ(slot_of("j"), 40);
    EXPECT_EQ(ino(root_inum).size, 41 * direntsize);
    expect_clean("slots reused");
}

TEST_P(FsDir, RenameInPlaceAndReplacing) {
    make({{"a", bytes("AAA")}, {"b", bytes("BBBB")}, {"c", bytes("C")}});
    inum_t ia = lookup("a"), ib = lookup("b");
    inum_t replaced;
    ASSERT_EQ(fs_->rename(root_inum, "a", "z", &replaced), 0);
    EXPECT_EQ(replaced, 0);
    EXPECT_EQ(lookup("z"), ia);
    inum_t got;
    EXPECT_EQ(fs_->dir_lookup(root_inum, "a", &got), E_NOENT);
    expect_clean("renamed");
    // Replacing: b's entry names z's inode; b's old inode loses its link.
    ASSERT_EQ(fs_->rename(root_inum, "z", "b", &replaced), 0);
    EXPECT_EQ(replaced, ib);
    EXPECT_EQ(lookup("b"), ia);
    EXPECT_EQ(read_all(lookup("b")), "AAA");
    EXPECT_EQ(ino(ib).nlink, 0u);
    ASSERT_EQ(fs_->free_inode(ib), 0);
    expect_clean("replaced");
    EXPECT_EQ(fs_->rename(root_inum, "b", "b", &replaced), 0);
    EXPECT_EQ(replaced, 0);
    EXPECT_EQ(fs_->rename(root_inum, "nope", "x", &replaced), E_NOENT);
    EXPECT_EQ(fs_->rename(root_inum, "b", "", &replaced), E_INVAL);
    expect_clean("no-ops");
}

TEST_P(FsDir, InodesRunOut) {
    make({}, 1024, 16);                 // inodes 2..15 are free
    inum_t i;
    for (int k = 2; k != 16; ++k) {
        ASSERT_EQ(fs_->create(root_inum, ("n" + std::to_string(k)).c_str(), type_regular, &i), 0);
    }
    int64_t free0 = free_blocks();
    EXPECT_EQ(fs_->create(root_inum, "last", type_regular, &i), E_NOSPC);
    EXPECT_EQ(fs_->dir_lookup(root_inum, "last", &i), E_NOENT);
    EXPECT_EQ(free_blocks(), free0);
    expect_clean("inodes out");
}

TEST_P(FsDir, NoBlockForTheDirectoryChangesNothing) {
    make({{"fill", {}}}, 256, 64);
    // 31 more entries fill the root's one block.
    for (int k = 0; k != 31; ++k) {
        create("e" + std::to_string(k));
    }
    int64_t f = free_blocks();
    ASSERT_EQ(fs_->truncate(lookup("fill"), uint64_t(f) * blocksize), 0);
    inum_t i;
    EXPECT_EQ(fs_->create(root_inum, "one-more", type_regular, &i), E_NOSPC);
    EXPECT_EQ(fs_->dir_lookup(root_inum, "one-more", &i), E_NOENT);
    expect_clean("directory full");
    // The inode it would have used is still free.
    ASSERT_EQ(fs_->truncate(lookup("fill"), 0), 0);
    ASSERT_EQ(fs_->create(root_inum, "one-more", type_regular, &i), 0);
    expect_clean("after");
}

TEST_F(Fs, IoErrorsReleaseEverything) {
    std::string data = pattern(20 * blocksize, 4);
    make({{"a", bytes(data)}}, 1024, 64, 3);
    inum_t a = lookup("a");
    // Fail the n-th block access of a write, for every n until it works:
    // whatever happens, no block stays held and no transaction is open.
    for (long n = 0; n != 200; ++n) {
        io_->fail_after_ = n;
        io_->gets_ = 0;
        ssize_t r = write(a, 18 * blocksize, pattern(5 * blocksize, unsigned(n)));
        io_->fail_after_ = -1;
        EXPECT_TRUE(io_->held_.empty()) << n;
        EXPECT_EQ(io_->tx_depth_, 0) << n;
        EXPECT_FALSE(io_->bitmap_locked_) << n;
        if (r == ssize_t(5 * blocksize)) {
            break;
        }
        EXPECT_TRUE(r == E_IO || (r > 0 && r < ssize_t(5 * blocksize))) << n << " " << r;
    }
}

// ---- everything together: random operations against a model ----

TEST_P(FsDir, RandomOperationsMatchAModel) {
    make({{"seed", bytes(pattern(7000, 1))}}, 512, 32, 0);
    std::map<std::string, std::string> model{{"seed", pattern(7000, 1)}};
    std::mt19937 rng(2026);
    int64_t free0 = free_blocks() + 2;  // "seed"'s two blocks
    for (int step = 0; step != 200; ++step) {
        std::string name = "f" + std::to_string(rng() % 6);
        bool exists = model.count(name);
        int op = int(rng() % 6);
        std::string what = std::to_string(step) + " op " + std::to_string(op) + " " + name;
        if (!exists) {
            inum_t i;
            int r = fs_->create(root_inum, name.c_str(), type_regular, &i);
            ASSERT_TRUE(r == 0 || r == E_NOSPC) << what;
            if (r == 0) {
                model[name] = "";
            }
        } else if (op <= 2) {
            uint64_t off = rng() % (model[name].size() + 9000);
            std::string d = pattern(rng() % 20000, unsigned(step));
            ssize_t n = write(lookup(name), off, d);
            ASSERT_TRUE(n == ssize_t(d.size()) || n == E_NOSPC
                        || (n > 0 && size_t(n) < d.size())) << what << " " << n;
            if (n > 0) {
                std::string& m = model[name];
                if (m.size() < off + size_t(n)) {
                    m.resize(off + size_t(n), '\0');
                }
                m.replace(off, size_t(n), d.substr(0, size_t(n)));
            }
        } else if (op == 3) {
            uint64_t sz = rng() % 40000;
            int r = fs_->truncate(lookup(name), sz);
            ASSERT_TRUE(r == 0 || r == E_NOSPC) << what;
            if (r == 0) {
                model[name].resize(sz, '\0');
            }
        } else if (op == 4) {
            inum_t i;
            ASSERT_EQ(fs_->unlink(root_inum, name.c_str(), &i), 0) << what;
            ASSERT_EQ(fs_->free_inode(i), 0) << what;
            model.erase(name);
        } else {
            std::string to = "f" + std::to_string(rng() % 6);
            inum_t replaced;
            ASSERT_EQ(fs_->rename(root_inum, name.c_str(), to.c_str(), &replaced), 0) << what;
            if (replaced) {
                ASSERT_EQ(fs_->free_inode(replaced), 0);
            }
            std::string content = model[name];
            model.erase(name);
            model[to] = content;
        }
        expect_clean(what.c_str());
        if (::testing::Test::HasFailure()) {
            break;
        }
        for (auto& [n, content] : model) {
            ASSERT_EQ(read_all(lookup(n)), content) << what << ": " << n;
        }
    }
    // Everything removed: the free count is back where an empty disk is.
    for (auto& [n, content] : model) {
        inum_t i;
        ASSERT_EQ(fs_->unlink(root_inum, n.c_str(), &i), 0);
        ASSERT_EQ(fs_->free_inode(i), 0);
    }
    EXPECT_EQ(free_blocks(), free0);
    expect_clean("all removed");
}


INSTANTIATE_TEST_SUITE_P(ScanAndIndex, FsDir, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                             return std::string(p.param ? "index" : "scan");
                         });

// ---- the root's name index (chkfs-dirindex.hh) ----

struct FsIndexed : Fs {
    FsIndexed() { indexed_ = true; }
    // The same image seen by a second fs with no index: what a scan says.
    int scan_lookup(const std::string& name, inum_t* i) {
        mem_io io(img_);
        superblock sb;
        memcpy(&sb, img_.data() + superblock_offset, sizeof(sb));
        fs plain(io, sb);
        return plain.dir_lookup(root_inum, name.c_str(), i);
    }
    int slot_of(const std::string& want) {
        char name[maxnamelen + 1];
        inum_t i;
        for (size_t k = 0; fs_->dir_entry(root_inum, k, name, &i) == 1; ++k) {
            if (want == name) {
                return int(k);
            }
        }
        return -1;
    }
};

// Pairs of names with the same 32-bit hash (found by a birthday search).
const char* const colliding[][2] = {
    {"c-lydeqr93", "c-yjz0rckz"}, {"c-7uziy4v9", "c-3apiu96z"}, {"c-2d348zyw", "c-wd21dblq"},
};

TEST(DirIndex, CollidingNamesHaveEqualHashes) {
    for (auto& p : colliding) {
        EXPECT_EQ(name_hash(p[0]), name_hash(p[1])) << p[0];
        EXPECT_STRNE(p[0], p[1]);
    }
    // An unterminated on-disk name hashes its maxnamelen + 1 bytes only.
    char a[maxnamelen + 1 + 8], b[maxnamelen + 1 + 8];
    memset(a, 'x', sizeof(a));
    memset(b, 'x', sizeof(b));
    b[maxnamelen + 3] = 'y';
    EXPECT_EQ(name_hash(a), name_hash(b));
}

// Inserts and removals in random order against a model: every entry stays
// findable (removal shifts entries back, also across the table's end),
// first_free is the lowest unused slot, and memory comes back.
TEST(DirIndex, RandomInsertsAndRemovalsMatchAModel) {
    struct : index_memory {
        long live = 0;
        void* allocate(size_t n) override { ++live; return malloc(n); }
        void release(void* p) override { --live; free(p); }
    } mem;
    std::mt19937 rng(161);
    {
        dir_index ix(mem);
        ASSERT_TRUE(ix.claim(0));
        ix.publish();
        std::map<uint32_t, std::string> model;   // slot -> name
        for (int step = 0; step != 4000; ++step) {
            bool add = model.size() < 20 || (model.size() < 600 && rng() % 3 != 0);
            if (add) {
                uint32_t s = ix.first_free();
                std::string name = "n" + std::to_string(rng() % 100000);
                if (rng() % 4 == 0) {
                    auto& p = colliding[rng() % 3];
                    name = p[rng() % 2];
                }
                ASSERT_TRUE(ix.insert(s, name.c_str()));
                model[s] = name;
            } else {
                auto it = model.begin();
                std::advance(it, rng() % model.size());
                ASSERT_TRUE(ix.remove(it->first, it->second.c_str()));
                EXPECT_FALSE(ix.remove(it->first, it->second.c_str()));
                model.erase(it);
            }
            uint32_t want_free = 0;
            while (model.count(want_free)) {
                ++want_free;
            }
            ASSERT_EQ(ix.first_free() < ix.nslots() ? ix.first_free() : want_free, want_free);
            ASSERT_EQ(ix.count(), model.size());
            if (step % 50 == 0 || step > 3900) {
                for (auto& [slot, name] : model) {
                    uint32_t cursor = 0, got;
                    bool found = false;
                    while (ix.find(name_hash(name.c_str()), cursor, &got)) {
                        found = found || got == slot;
                    }
                    ASSERT_TRUE(found) << step << " " << name;
                }
            }
        }
    }
    EXPECT_EQ(mem.live, 0);
}

TEST(DirIndex, BoundedAndOutOfMemory) {
    struct : index_memory {
        long live = 0;
        bool fail = false;
        void* allocate(size_t n) override {
            if (fail) {
                return nullptr;
            }
            ++live;
            return malloc(n);
        }
        void release(void* p) override { --live; free(p); }
    } mem;
    dir_index ix(mem);
    EXPECT_FALSE(ix.claim(dir_index::max_slots + 1));       // too big: scan
    mem.fail = true;
    EXPECT_FALSE(ix.claim(10));
    EXPECT_FALSE(ix.ready());
    EXPECT_EQ(mem.live, 0);
    mem.fail = false;
    ASSERT_TRUE(ix.claim(10));
    EXPECT_FALSE(ix.claim(10));         // one builder at a time
    ix.publish();
    EXPECT_TRUE(ix.ready());
    // Growth that needs memory fails cleanly; the caller then drops.
    mem.fail = true;
    bool ok = true;
    for (uint32_t s = 0; ok && s != 1000; ++s) {
        ok = ix.insert(s, ("x" + std::to_string(s)).c_str());
    }
    EXPECT_FALSE(ok);
    EXPECT_FALSE(ix.insert(dir_index::max_slots, "too-far"));
    ix.drop();
    EXPECT_FALSE(ix.ready());
    EXPECT_EQ(mem.live, 0);
}

TEST_F(FsIndexed, BuiltByTheFirstLookupDroppedByTruncateAndRebuilt) {
    make({{"a", bytes("A")}, {"b", bytes("B")}}, 1024, 64);
    EXPECT_FALSE(io_->index_->ready());
    EXPECT_EQ(io_->mem_.live_, 0);
    inum_t ia = lookup("a");
    EXPECT_TRUE(io_->index_->ready());
    EXPECT_EQ(io_->index_->count(), 2u);
    expect_clean("built");
    // A size change of the directory other than an append drops it.
    ASSERT_EQ(fs_->truncate(root_inum, 2 * direntsize), 0);
    EXPECT_FALSE(io_->index_->ready());
    EXPECT_EQ(io_->mem_.live_, 0);
    EXPECT_EQ(lookup("a"), ia);
    EXPECT_TRUE(io_->index_->ready());
    expect_clean("rebuilt");
}

// Hundreds of entries, names that collide in the hash, names of the
// greatest length, a name unlinked and created again, rename in place and
// over an existing name: after each step the index matches the disk and a
// plain scan agrees on every name.
TEST_F(FsIndexed, HundredsOfNamesCollisionsLongNamesRenames) {
    make({}, 2048, 512);
    std::map<std::string, inum_t> names;
    auto add = [&](const std::string& n) { names[n] = create(n); };
    for (int k = 0; k != 300; ++k) {
        add("n" + std::to_string(k));
    }
    add(colliding[0][0]);
    add(colliding[1][0]);
    std::string l1(maxnamelen, 'L'), l2(maxnamelen, 'L');
    l2[maxnamelen - 1] = 'M';
    add(l1);
    expect_clean("created");
    ASSERT_TRUE(io_->index_->ready());
    inum_t i;
    // The other half of each colliding pair and the other long name are
    // not there (the index has a candidate for the first; the disk says no).
    EXPECT_EQ(fs_->dir_lookup(root_inum, colliding[0][1], &i), E_NOENT);
    EXPECT_EQ(fs_->dir_lookup(root_inum, l2.c_str(), &i), E_NOENT);
    EXPECT_EQ(fs_->dir_lookup(root_inum, std::string(maxnamelen + 1, 'L').c_str(), &i), E_NOENT);
    add(colliding[0][1]);
    add(l2);
    for (auto& [n, ino] : names) {
        EXPECT_EQ(lookup(n), ino) << n;
        inum_t j = 0;
        EXPECT_EQ(scan_lookup(n, &j), 0) << n;
        EXPECT_EQ(j, ino) << n;
    }
    // Unlink every third, and one of a colliding pair: the other stays.
    for (int k = 0; k < 300; k += 3) {
        std::string n = "n" + std::to_string(k);
        ASSERT_EQ(fs_->unlink(root_inum, n.c_str(), &i), 0);
        ASSERT_EQ(fs_->free_inode(i), 0);
        names.erase(n);
    }
    ASSERT_EQ(fs_->unlink(root_inum, colliding[0][0], &i), 0);
    ASSERT_EQ(fs_->free_inode(i), 0);
    names.erase(colliding[0][0]);
    EXPECT_EQ(lookup(colliding[0][1]), names[colliding[0][1]]);
    EXPECT_EQ(fs_->dir_lookup(root_inum, colliding[0][0], &i), E_NOENT);
    expect_clean("unlinked");
    // Created again: the first empty slot (n0's, slot 0).
    add("n0");
    EXPECT_EQ(slot_of("n0"), 0);
    add(colliding[0][0]);
    EXPECT_EQ(slot_of(colliding[0][0]), 3);
    // Rename in place to a colliding name, and over an existing name.
    inum_t replaced;
    ASSERT_EQ(fs_->rename(root_inum, colliding[1][0], colliding[1][1], &replaced), 0);
    EXPECT_EQ(replaced, 0);
    names[colliding[1][1]] = names[colliding[1][0]];
    names.erase(colliding[1][0]);
    EXPECT_EQ(fs_->dir_lookup(root_inum, colliding[1][0], &i), E_NOENT);
    ASSERT_EQ(fs_->rename(root_inum, l1.c_str(), l2.c_str(), &replaced), 0);
    EXPECT_EQ(replaced, names[l2]);
    ASSERT_EQ(fs_->free_inode(replaced), 0);
    names[l2] = names[l1];
    names.erase(l1);
    expect_clean("renamed");
    for (auto& [n, ino] : names) {
        EXPECT_EQ(lookup(n), ino) << n;
        inum_t j = 0;
        EXPECT_EQ(scan_lookup(n, &j), 0) << n;
        EXPECT_EQ(j, ino) << n;
    }
    EXPECT_EQ(fs_->dir_lookup(root_inum, l1.c_str(), &i), E_NOENT);
    EXPECT_EQ(scan_lookup(l1, &i), E_NOENT);
}

// Out of memory at any point: every operation still succeeds (the index
// is dropped and the blocks are scanned), the results are a scan's, and
// no memory stays allocated once the index is gone.
TEST_F(FsIndexed, OutOfMemoryFallsBackToTheScan) {
    for (long fail_from = 0; fail_from != 12; ++fail_from) {
        make({{"a", bytes("A")}}, 1024, 128);
        io_->mem_.fail_from_ = fail_from;
        for (int k = 0; k != 100; ++k) {
            create("f" + std::to_string(k));
        }
        for (int k = 0; k < 100; k += 2) {
            inum_t i;
            ASSERT_EQ(fs_->unlink(root_inum, ("f" + std::to_string(k)).c_str(), &i), 0);
            ASSERT_EQ(fs_->free_inode(i), 0);
        }
        create("g");
        EXPECT_EQ(slot_of("g"), 1) << fail_from;    // f0's slot, after a
        for (int k = 1; k < 100; k += 2) {
            EXPECT_NE(lookup("f" + std::to_string(k)), 0);
        }
        expect_clean(("fail from " + std::to_string(fail_from)).c_str());
        io_->index_->drop();
        EXPECT_EQ(io_->mem_.live_, 0) << fail_from;
    }
}

// The index is a cache of the blocks, never trusted over them: an entry
// written behind its back is not overwritten by a create (which then
// believes the disk and drops the index), and a candidate slot whose name
// on disk differs is no match.
TEST_F(FsIndexed, TheDiskWinsOverTheIndex) {
    make({}, 1024, 64);
    create("a");
    create("b");
    create("c");
    inum_t i;
    ASSERT_EQ(fs_->unlink(root_inum, "b", &i), 0);
    ASSERT_EQ(fs_->free_inode(i), 0);
    ASSERT_TRUE(io_->index_->ready());
    // Behind the index: slot 1 (b's, empty) gets an entry "x".
    blocknum_t bn;
    uint32_t run;
    ASSERT_EQ(fs_->map(ino(root_inum), 0, &bn, &run), 0);
    auto* de = reinterpret_cast<dirent*>(img_.data() + size_t(bn) * blocksize);
    inum_t ia = lookup("a");
    de[1].inum = ia;
    strcpy(de[1].name, "x");
    create("d");                        // must not take slot 1
    EXPECT_EQ(slot_of("x"), 1);
    EXPECT_EQ(slot_of("d"), 3);
    EXPECT_FALSE(io_->index_->ready());     // dropped: the disk disagreed
    EXPECT_EQ(lookup("x"), ia);             // rebuilt from the disk
    // A candidate whose name changed on disk is not a match.
    strcpy(de[2].name, "C");
    EXPECT_EQ(fs_->dir_lookup(root_inum, "c", &i), E_NOENT);
    de[1] = dirent{};
    strcpy(de[2].name, "c");
}

}  // namespace
