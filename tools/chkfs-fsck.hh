// chkfs-fsck.hh — checking a chickadeefs image in memory (host only; used
// by tools/chkfsck.cc and the host tests).
//
// chkfs_check() replays the journal into `image` first (committed but
// incomplete transactions only), then checks the result: superblock,
// bitmap against extents, blocks used twice, inode reachability, link
// counts, directory entries and sizes, indirect extents. Every problem is
// reported with a kind (for tests) and a sentence (for people).
// Easy to get wrong: the image is input — every number read from it is
// range-checked before it is used as an index, in 64-bit arithmetic.
#pragma once
#include "abi/chickadeefs.hh"
#include <string>
#include <vector>

enum class fsck_problem {
    image_size,             // image shorter than the superblock says, or not whole blocks
    bad_magic,
    bad_geometry,           // superblock regions inconsistent
    journal_bad,            // journal breaks a rule; it was not replayed
    journal_ignored,        // (warning) a metablock that cannot be used was skipped
    reserved_block_free,    // block 0, swap, bitmap, inode or journal block marked free
    bitmap_tail_free,       // bitmap bit past the end of the disk marked free
    inode_zero_used,        // inode 0 is not free
    root_not_directory,
    bad_inode_type,
    extent_out_of_range,    // extent outside the data area
    extent_after_end,       // nonempty extent after an empty one
    hole,                   // (warning) extent with first == 0: Chickadee's checker rejects these
    indirect_bad,           // indirect extent out of range or missing
    block_used_twice,
    used_block_free,        // block in use but marked free in the bitmap
    leaked_block,           // data block marked in use but no inode uses it
    size_past_extents,      // size larger than the blocks the extents give
    blocks_past_size,       // (warning) extents give whole blocks past the size
    dir_size,               // directory size not a multiple of 128
    dirent_bad_inum,        // entry's inode number out of range
    dirent_bad_name,        // empty, unterminated, ".", "..", contains '/'
    dirent_duplicate,       // same name twice in a directory
    dirent_free_inode,      // entry names a free inode (dangling entry)
    dir_multiply_linked,    // a directory named by more than one entry
    link_count,             // nlink differs from the entries naming the inode
    lost_inode,             // live inode (nlink > 0) no entry names
    orphan_inode,           // (warning) unnamed inode with nlink 0 (unlinked while open?)
};

struct fsck_message {
    bool error;             // false: warning
    fsck_problem kind;
    std::string text;
};

struct fsck_options {
    bool replay_journal = true;
    bool verbose = false;   // also list every inode in `log`
};

struct fsck_report {
    std::vector<fsck_message> messages;
    std::vector<std::string> log;           // journal actions, verbose listing
    unsigned replayed_transactions = 0;
    std::vector<chkfs::blocknum_t> replayed_blocks;  // home blocks the replay wrote
    unsigned ignored_transactions = 0;      // uncommitted transactions left alone

    size_t errors() const;
    size_t warnings() const;
    bool has(fsck_problem kind) const;
    std::string summary() const;            // every message, one per line
};

// Checks (and, with replay_journal, replays the journal into) `image`.
fsck_report chkfs_check(std::vector<unsigned char>& image, const fsck_options& opt = {});
