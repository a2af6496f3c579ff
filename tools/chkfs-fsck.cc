// chkfs-fsck.cc — checking a chickadeefs image (see chkfs-fsck.hh and
// docs/chickadeefs.md for the rules checked).
//
// Order: superblock (a bad one stops everything), journal replay, then the
// tree from the root directory: every block a file, directory or indirect
// extent uses is claimed once (a second claim is "used twice"), checked
// against the bitmap, and at the end every unclaimed data block must be
// free. Live inodes no entry names are reported and then walked too, so
// their blocks count as used.
// Easy to get wrong: a hole's `count` can be anything (up to 2^32 - 1), so
// nothing is ever sized by it; the journal is analysed on a copy (the
// analysis, lib/chkfs-journal.cc, is the kernel's too) and nothing is
// written home unless every rule holds.
#include "chkfs-fsck.hh"
#include "chkfs-journal.hh"
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <set>

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);

using namespace chkfs;

size_t fsck_report::errors() const {
    return std::count_if(messages.begin(), messages.end(), [](auto& m) { return m.error; });
}
size_t fsck_report::warnings() const {
    return messages.size() - errors();
}
bool fsck_report::has(fsck_problem kind) const {
    return std::any_of(messages.begin(), messages.end(), [&](auto& m) { return m.kind == kind; });
}
std::string fsck_report::summary() const {
    std::string s;
    for (auto& m : messages) {
        s += (m.error ? "error: " : "warning: ") + m.text + "\n";
    }
    return s;
}

namespace {

__attribute__((format(printf, 1, 2))) std::string format(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return buf;
}

enum use_kind : uint8_t {
    u_none, u_boot, u_swap, u_bitmap, u_inodes, u_journal, u_data, u_dir, u_indirect
};
struct block_use {
    use_kind kind = u_none;
    inum_t inum = 0;
    uint64_t index = 0;     // block index within the file, region or indirect extent
};

struct inode_info {
    unsigned refs = 0;      // directory entries naming it
    bool visited = false;
    bool lost = false;
    std::string name;       // first name seen
};

struct checker {
    std::vector<unsigned char>& img;
    const fsck_options& opt;
    fsck_report& rep;
    superblock sb = {};
    std::vector<block_use> uses;
    std::vector<inode_info> inodes;
    std::deque<inum_t> queue;
    // A run of consecutive in-use blocks found marked free, reported as one message.
    uint64_t free_run_first = 0, free_run_count = 0;
    std::string free_run_owner;

    checker(std::vector<unsigned char>& image, const fsck_options& o, fsck_report& r)
        : img(image), opt(o), rep(r) {
    }

    void error(fsck_problem kind, std::string text) {
        rep.messages.push_back({true, kind, std::move(text)});
    }
    void warning(fsck_problem kind, std::string text) {
        rep.messages.push_back({false, kind, std::move(text)});
    }
    unsigned char* block(uint64_t bn) {
        return img.data() + bn * blocksize;
    }
    inode* ino(inum_t inum) {
        return reinterpret_cast<inode*>(block(sb.inode_bn) + size_t(inum) * inodesize);
    }
    unsigned char* fbb() {
        return block(sb.fbb_bn);
    }

    bool check_superblock();
    void replay_journal();
    void check_tree();

    std::string describe(inum_t inum);
    std::string describe(const block_use& u);
    void claim(uint64_t bn, use_kind kind, inum_t inum, uint64_t index);
    void flush_free_run();
    void visit_inode(inum_t inum);
    void read_directory(inum_t inum, const inode& in, const std::vector<blocknum_t>& blocks);
};


// ---- superblock ----

bool checker::check_superblock() {
    if (img.size() < blocksize) {
        error(fsck_problem::image_size, format("image is %zu bytes, smaller than one block", img.size()));
        return false;
    }
    if (img.size() % blocksize != 0) {
        error(fsck_problem::image_size,
              format("image size %zu is not a multiple of %zu", img.size(), blocksize));
    }
    memcpy(&sb, img.data() + superblock_offset, sizeof(sb));
    if (sb.magic != chkfs::magic) {
        error(fsck_problem::bad_magic, format("bad superblock magic 0x%016llX (expected 0x%016llX)",
                                              (unsigned long long) sb.magic,
                                              (unsigned long long) chkfs::magic));
        return false;
    }
    if (sb.nblocks < 3 || sb.nblocks >= 0x10000000) {
        error(fsck_problem::bad_geometry, format("bad block count %u", sb.nblocks));
        return false;
    }
    if (uint64_t(sb.nblocks) * blocksize > img.size()) {
        error(fsck_problem::image_size, format("superblock says %u blocks, the image holds %zu",
                                               sb.nblocks, img.size() / blocksize));
        return false;
    }
    size_t before = rep.errors();
    uint64_t nfbb = (uint64_t(sb.nblocks) + bitsperblock - 1) / bitsperblock;
    if (sb.swap_bn != 1) {
        error(fsck_problem::bad_geometry, format("swap_bn is %u (expected 1)", sb.swap_bn));
    }
    if (uint64_t(sb.swap_bn) + sb.nswap != sb.fbb_bn) {
        error(fsck_problem::bad_geometry, format("fbb_bn is %u (expected swap_bn + nswap = %llu)",
              sb.fbb_bn, (unsigned long long) (uint64_t(sb.swap_bn) + sb.nswap)));
    }
    if (uint64_t(sb.fbb_bn) + nfbb != sb.inode_bn) {
        error(fsck_problem::bad_geometry, format("inode_bn is %u (expected fbb_bn + %llu bitmap blocks = %llu)",
              sb.inode_bn, (unsigned long long) nfbb, (unsigned long long) (sb.fbb_bn + nfbb)));
    }
    if (sb.ninodes < 2) {
        error(fsck_problem::bad_geometry, format("ninodes is %d (the root is inode 1)", sb.ninodes));
    } else if (uint64_t(sb.inode_bn) + (uint64_t(sb.ninodes) + inodesperblock - 1) / inodesperblock
               > sb.data_bn) {
        error(fsck_problem::bad_geometry, format("%d inodes do not fit between inode_bn %u and data_bn %u",
              sb.ninodes, sb.inode_bn, sb.data_bn));
    }
    if (sb.data_bn > sb.journal_bn || sb.journal_bn > sb.nblocks) {
        error(fsck_problem::bad_geometry, format("regions out of order: data_bn %u, journal_bn %u, nblocks %u",
              sb.data_bn, sb.journal_bn, sb.nblocks));
    } else if (sb.njournal != sb.nblocks - sb.journal_bn) {
        error(fsck_problem::bad_geometry, format("njournal is %u (expected nblocks - journal_bn = %u)",
              sb.njournal, sb.nblocks - sb.journal_bn));
    }
    if (opt.verbose) {
        rep.log.push_back(format("superblock: %u blocks, %d inodes, bitmap at %u, inodes at %u, "
                                 "data at %u, journal at %u (%u blocks)", sb.nblocks, sb.ninodes,
                                 sb.fbb_bn, sb.inode_bn, sb.data_bn, sb.journal_bn, sb.njournal));
    }
    return rep.errors() == before;
}


// ---- journal ----

// The rules are lib/chkfs-journal.cc's, shared with the kernel; this adds
// the report: messages, the log of what was replayed, and the copy-back.
void checker::replay_journal() {
    uint32_t nj = sb.njournal;
    if (nj == 0) {
        return;
    }
    std::vector<unsigned char> jd(block(sb.journal_bn), block(sb.journal_bn) + size_t(nj) * blocksize);
    std::vector<const unsigned char*> jblocks(nj);
    for (uint32_t i = 0; i != nj; ++i) {
        jblocks[i] = jd.data() + size_t(i) * blocksize;
    }
    std::vector<journal_meta> metas(nj);
    journal_scan js;
    js.blocks = jblocks.data();
    js.njournal = nj;
    js.journal_bn = sb.journal_bn;
    js.metas = metas.data();
    struct sink : journal_sink {
        checker& c;
        explicit sink(checker& ch) : c(ch) {
        }
        void ignored(const char* text) override {
            c.warning(fsck_problem::journal_ignored, text);
        }
        void bad(const char* text) override {
            c.error(fsck_problem::journal_bad, text);
        }
    } s(*this);
    if (!journal_analyze(js, s)) {
        rep.log.push_back("journal: not replayed");
        return;
    }

    std::set<tid_t> uncommitted;
    std::map<tid_t, std::set<blocknum_t>> by_tid;
    for (unsigned i = 0; i != js.nmeta; ++i) {
        const jmetablock* mb = js.metas[i].mb;
        if (tid_ge(mb->tid, js.commit)) {
            uncommitted.insert(mb->tid);
        } else if (js.replays(mb->tid)) {
            auto& blocks = by_tid[mb->tid];      // listed even when it references nothing
            for (unsigned r = 0; r != mb->nref; ++r) {
                if (!(mb->ref[r].bflags & jbf_nonjournaled)) {
                    blocks.insert(mb->ref[r].bn);
                }
            }
        }
    }
    for (tid_t t : uncommitted) {
        rep.log.push_back(format("journal: transaction %u not committed: ignored", t));
        ++rep.ignored_transactions;
    }
    journal_plan(js, [](void* ctx, blocknum_t bn, const unsigned char* data, bool escaped) {
        auto* c = static_cast<checker*>(ctx);
        memcpy(c->block(bn), data, blocksize);
        if (escaped) {
            unescape_block(c->block(bn));
        }
        c->rep.replayed_blocks.push_back(bn);
    }, this);
    std::sort(rep.replayed_blocks.begin(), rep.replayed_blocks.end());
    for (auto& [t, blocks] : by_tid) {
        std::string list;
        for (blocknum_t bn : blocks) {
            list += (list.empty() ? "" : " ") + std::to_string(bn);
        }
        rep.log.push_back(format("journal: replayed transaction %u (committed, not complete): %zu block%s%s%s",
                                 t, blocks.size(), blocks.size() == 1 ? "" : "s",
                                 list.empty() ? "" : ": ", list.c_str()));
        ++rep.replayed_transactions;
    }
}


// ---- tree ----

std::string checker::describe(inum_t inum) {
    auto& info = inodes[inum];
    if (inum == root_inum) {
        return "inode 1 (root directory)";
    } else if (!info.name.empty()) {
        return format("inode %d (\"%s\")", inum, info.name.c_str());
    } else {
        return format("inode %d", inum);
    }
}

std::string checker::describe(const block_use& u) {
    unsigned long long i = u.index;
    switch (u.kind) {
    case u_boot: return "the boot block and superblock";
    case u_swap: return format("swap block %llu", i);
    case u_bitmap: return format("free-block bitmap block %llu", i);
    case u_inodes: return format("inode table block %llu", i);
    case u_journal: return format("journal block %llu", i);
    case u_data: return describe(u.inum) + format(" data block %llu", i);
    case u_dir: return describe(u.inum) + format(" directory block %llu", i);
    case u_indirect: return describe(u.inum) + format(" indirect-extent block %llu", i);
    default: return "nothing";
    }
}

void checker::flush_free_run() {
    if (free_run_count) {
        error(fsck_problem::used_block_free,
              free_run_count == 1
              ? format("block %llu (%s) is in use but marked free in the bitmap",
                       (unsigned long long) free_run_first, free_run_owner.c_str())
              : format("blocks %llu-%llu (%s and on) are in use but marked free in the bitmap",
                       (unsigned long long) free_run_first,
                       (unsigned long long) (free_run_first + free_run_count - 1), free_run_owner.c_str()));
        free_run_count = 0;
    }
}

void checker::claim(uint64_t bn, use_kind kind, inum_t inum, uint64_t index) {
    block_use u{kind, inum, index};
    if (uses[bn].kind != u_none) {
        flush_free_run();
        error(fsck_problem::block_used_twice, format("block %llu is used twice: by %s and by %s",
              (unsigned long long) bn, describe(uses[bn]).c_str(), describe(u).c_str()));
        return;
    }
    uses[bn] = u;
    if (!bitmap_is_free(fbb(), blocknum_t(bn))) {
        return;
    }
    if (kind < u_data) {
        error(fsck_problem::reserved_block_free,
              format("block %llu (%s) is marked free in the bitmap", (unsigned long long) bn, describe(u).c_str()));
    } else if (free_run_count && bn == free_run_first + free_run_count) {
        ++free_run_count;
    } else {
        flush_free_run();
        free_run_first = bn;
        free_run_count = 1;
        free_run_owner = describe(u);
    }
}

void checker::visit_inode(inum_t inum) {
    inodes[inum].visited = true;
    inode in;
    memcpy(&in, ino(inum), sizeof(in));
    if (in.type != type_regular && in.type != type_directory) {
        error(fsck_problem::bad_inode_type, describe(inum) + format(": unknown type %u", in.type));
        return;
    }
    bool is_dir = in.type == type_directory;
    if (is_dir && in.size % direntsize != 0) {
        error(fsck_problem::dir_size, describe(inum)
              + format(": directory size %u is not a multiple of %zu", in.size, direntsize));
    }
    uint64_t need = (uint64_t(in.size) + blocksize - 1) / blocksize;
    std::vector<blocknum_t> blocks;     // block of each logical block < need (0: none)
    uint64_t logical = 0;
    bool ended = false;
    auto take = [&](const extent& e, std::string where) {
        if (e.count == 0) {
            ended = true;
            return;
        }
        if (ended) {
            error(fsck_problem::extent_after_end, describe(inum) + ": " + where
                  + format(" (%u+%u) follows an empty extent", e.first, e.count));
            return;
        }
        if (e.first == 0) {
            warning(fsck_problem::hole, describe(inum) + ": " + where
                    + format(" is a hole of %u blocks (allowed by the format; Chickadee's checker rejects it)",
                             e.count));
        } else if (e.first < sb.data_bn || uint64_t(e.first) + e.count > sb.journal_bn) {
            error(fsck_problem::extent_out_of_range, describe(inum) + ": " + where
                  + format(" (%u+%u) lies outside the data area [%u, %u)", e.first, e.count,
                           sb.data_bn, sb.journal_bn));
        } else {
            for (uint32_t k = 0; k != e.count; ++k) {
                claim(uint64_t(e.first) + k, is_dir ? u_dir : u_data, inum, logical + k);
                if (blocks.size() < need) {
                    blocks.push_back(e.first + k);
                }
            }
            logical += e.count;
            return;
        }
        for (uint32_t k = 0; k != e.count && blocks.size() < need; ++k) {
            blocks.push_back(0);
        }
        logical += e.count;
    };
    for (size_t i = 0; i != ndirect; ++i) {
        take(in.direct[i], format("direct extent %zu", i));
    }
    if (in.indirect.count != 0) {
        if (in.indirect.first == 0) {
            error(fsck_problem::indirect_bad, describe(inum)
                  + format(": indirect extent is a hole (0+%u)", in.indirect.count));
        } else if (in.indirect.first < sb.data_bn
                   || uint64_t(in.indirect.first) + in.indirect.count > sb.journal_bn) {
            error(fsck_problem::indirect_bad, describe(inum)
                  + format(": indirect extent (%u+%u) lies outside the data area [%u, %u)",
                           in.indirect.first, in.indirect.count, sb.data_bn, sb.journal_bn));
        } else {
            for (uint32_t k = 0; k != in.indirect.count; ++k) {
                claim(uint64_t(in.indirect.first) + k, u_indirect, inum, k);
            }
            auto* ex = reinterpret_cast<const extent*>(block(in.indirect.first));
            uint64_t n = uint64_t(in.indirect.count) * extentsperblock;
            for (uint64_t i = 0; i != n; ++i) {
                extent e;
                memcpy(&e, &ex[i], sizeof(e));
                take(e, format("indirect extent entry %llu", (unsigned long long) i));
            }
        }
    }
    flush_free_run();
    if (logical < need) {
        error(fsck_problem::size_past_extents, describe(inum)
              + format(": size %u needs %llu blocks, but its extents hold %llu", in.size,
                       (unsigned long long) need, (unsigned long long) logical));
    } else if (logical > need) {
        warning(fsck_problem::blocks_past_size, describe(inum)
                + format(": extents hold %llu blocks, %llu past its size %u", (unsigned long long) logical,
                         (unsigned long long) (logical - need), in.size));
    }
    if (opt.verbose) {
        rep.log.push_back(describe(inum) + format(": %s, size %u, nlink %u, %llu blocks",
                          is_dir ? "directory" : "file", in.size, in.nlink, (unsigned long long) logical));
    }
    if (is_dir) {
        read_directory(inum, in, blocks);
    }
}

void checker::read_directory(inum_t inum, const inode& in, const std::vector<blocknum_t>& blocks) {
    std::set<std::string> names;
    uint64_t nentries = in.size / direntsize;
    for (uint64_t i = 0; i != nentries; ++i) {
        uint64_t bi = i / direntsperblock;
        if (bi >= blocks.size() || blocks[bi] == 0) {
            continue;               // reported already (hole or missing blocks)
        }
        dirent de;
        memcpy(&de, block(blocks[bi]) + (i % direntsperblock) * direntsize, sizeof(de));
        if (de.inum == 0) {
            continue;
        }
        std::string where = describe(inum) + format(": entry %llu", (unsigned long long) i);
        size_t len = strnlen(de.name, sizeof(de.name));
        std::string name(de.name, len);
        if (len == sizeof(de.name)) {
            error(fsck_problem::dirent_bad_name, where + ": name is not NUL-terminated");
            name.resize(maxnamelen);
        } else if (len == 0) {
            error(fsck_problem::dirent_bad_name, where + ": empty name");
        } else if (name == "." || name == ".." || name.find('/') != name.npos) {
            error(fsck_problem::dirent_bad_name, where + ": name \"" + name + "\" is reserved or contains '/'");
        }
        where += " \"" + name + "\"";
        if (!names.insert(name).second) {
            error(fsck_problem::dirent_duplicate, where + ": the name appears twice in the directory");
        }
        if (de.inum < 1 || de.inum >= sb.ninodes) {
            error(fsck_problem::dirent_bad_inum, where
                  + format(": inode number %d out of range [1, %d)", de.inum, sb.ninodes));
            continue;
        }
        inode target;
        memcpy(&target, ino(de.inum), sizeof(target));
        if (target.type == type_free) {
            error(fsck_problem::dirent_free_inode, where + format(": names inode %d, which is free", de.inum));
            continue;
        }
        auto& info = inodes[de.inum];
        ++info.refs;
        if (info.name.empty()) {
            info.name = name;
        }
        if (target.type == type_directory && (info.refs > 1 || de.inum == root_inum)) {
            error(fsck_problem::dir_multiply_linked, where
                  + format(": names directory inode %d, which already has a name", de.inum));
        }
        if (!info.visited) {
            info.visited = true;
            queue.push_back(de.inum);
        }
    }
}

void checker::check_tree() {
    uses.assign(sb.nblocks, block_use{});
    inodes.assign(size_t(sb.ninodes), inode_info{});

    // Metadata regions.
    claim(0, u_boot, 0, 0);
    for (blocknum_t b = sb.swap_bn; b != sb.fbb_bn; ++b) {
        claim(b, u_swap, 0, b - sb.swap_bn);
    }
    for (blocknum_t b = sb.fbb_bn; b != sb.inode_bn; ++b) {
        claim(b, u_bitmap, 0, b - sb.fbb_bn);
    }
    for (blocknum_t b = sb.inode_bn; b != sb.data_bn; ++b) {
        claim(b, u_inodes, 0, b - sb.inode_bn);
    }
    for (blocknum_t b = sb.journal_bn; b != sb.nblocks; ++b) {
        claim(b, u_journal, 0, b - sb.journal_bn);
    }

    if (ino(0)->type != type_free) {
        error(fsck_problem::inode_zero_used, format("inode 0 has type %u; inode 0 is never used", ino(0)->type));
    }
    if (ino(root_inum)->type != type_directory) {
        error(fsck_problem::root_not_directory,
              format("inode 1 (root directory) has type %u, not a directory", ino(root_inum)->type));
    } else {
        queue.push_back(root_inum);
        inodes[root_inum].visited = true;
    }
    auto drain = [&] {
        while (!queue.empty()) {
            inum_t i = queue.front();
            queue.pop_front();
            visit_inode(i);
        }
    };
    drain();

    // Live inodes nothing names.
    for (inum_t i = 1; i < sb.ninodes; ++i) {
        if (inodes[i].visited || ino(i)->type == type_free) {
            continue;
        }
        inodes[i].lost = true;
        if (ino(i)->nlink == 0) {
            warning(fsck_problem::orphan_inode, describe(i)
                    + ": allocated with nlink 0 and no directory entry (unlinked while open?); its blocks stay used");
        } else {
            error(fsck_problem::lost_inode, describe(i)
                  + format(": allocated (type %u, nlink %u) but no directory entry names it",
                           ino(i)->type, ino(i)->nlink));
        }
        inodes[i].visited = true;
        queue.push_back(i);
        drain();
    }

    // Link counts.
    for (inum_t i = 1; i < sb.ninodes; ++i) {
        auto& info = inodes[i];
        uint32_t type = ino(i)->type;
        if (!info.visited || info.lost || (type != type_regular && type != type_directory)) {
            continue;
        }
        unsigned expected = info.refs + (i == root_inum ? 1 : 0);
        if (ino(i)->nlink != expected) {
            error(fsck_problem::link_count, describe(i) + format(": nlink is %u, but %u %s", ino(i)->nlink,
                  expected, i == root_inum ? "is expected for the root" : "directory entries name it"));
        }
    }

    // Bitmap: unused data blocks must be free, bits past the disk must not be.
    uint64_t run = 0;
    auto flush_leak = [&](uint64_t end) {
        if (run) {
            error(fsck_problem::leaked_block, run == 1
                  ? format("block %llu is marked in use, but nothing uses it", (unsigned long long) (end - 1))
                  : format("blocks %llu-%llu are marked in use, but nothing uses them",
                           (unsigned long long) (end - run), (unsigned long long) (end - 1)));
            run = 0;
        }
    };
    for (uint64_t b = sb.data_bn; b != sb.journal_bn; ++b) {
        if (uses[b].kind == u_none && !bitmap_is_free(fbb(), blocknum_t(b))) {
            ++run;
        } else {
            flush_leak(b);
        }
    }
    flush_leak(sb.journal_bn);
    uint64_t tail = 0, bits = uint64_t(sb.inode_bn - sb.fbb_bn) * bitsperblock;
    for (uint64_t b = sb.nblocks; b < bits; ++b) {
        tail += bitmap_is_free(fbb(), blocknum_t(b));
    }
    if (tail) {
        error(fsck_problem::bitmap_tail_free, format("%llu bitmap bits past the last block (%u) are marked free",
                                                     (unsigned long long) tail, sb.nblocks - 1));
    }
}

}  // namespace

fsck_report chkfs_check(std::vector<unsigned char>& image, const fsck_options& opt) {
    fsck_report rep;
    checker c(image, opt, rep);
    if (!c.check_superblock()) {
        return rep;
    }
    if (opt.replay_journal) {
        c.replay_journal();
    }
    c.check_tree();
    return rep;
}
