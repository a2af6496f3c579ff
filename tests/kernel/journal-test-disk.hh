// journal-test-disk.hh — shared by the journal kernel tests: a tiny
// chickadeefs-shaped ramdisk (superblock, bitmap at block 1, inodes at
// block 2, data from block 3, the last `njournal` blocks the journal) with
// every block zeroed. Each test then writes the home contents it checks.
// Easy to get wrong: format_journal_test_disk makes only the superblock
// meaningful (the bitmap and inode blocks stay zero, so that image is for
// journal tests, not fsck); format_chkfs_test_disk adds a free-block bitmap
// and an empty root directory, so the file system can be mounted on it.
#pragma once
#include "abi/chickadeefs.hh"
#include "chkfs-journal.hh"
#include "ramdisk.hh"
#include "string.hh"

inline void format_journal_test_disk(ramdisk& d, chkfs::blocknum_t nblocks,
                                     chkfs::blocknum_t njournal) {
    for (chkfs::blocknum_t b = 0; b != nblocks; ++b) {
        memset(d.block(b), 0, chkfs::blocksize);
    }
    chkfs::superblock sb = {};
    sb.magic = chkfs::magic;
    sb.nblocks = nblocks;
    sb.ninodes = 64;
    sb.njournal = njournal;
    sb.swap_bn = 1;
    sb.fbb_bn = 1;
    sb.inode_bn = 2;
    sb.data_bn = 3;
    sb.journal_bn = nblocks - njournal;
    memcpy(d.block(0) + chkfs::superblock_offset, &sb, sizeof(sb));
}

// The same, plus every data block free and an empty root directory: a
// mountable chickadeefs (the chkfs tests).
inline void format_chkfs_test_disk(ramdisk& d, chkfs::blocknum_t nblocks,
                                   chkfs::blocknum_t njournal) {
    format_journal_test_disk(d, nblocks, njournal);
    auto* sb = reinterpret_cast<chkfs::superblock*>(d.block(0) + chkfs::superblock_offset);
    for (chkfs::blocknum_t b = sb->data_bn; b < sb->journal_bn; ++b) {
        chkfs::bitmap_set_free(d.block(sb->fbb_bn), b, true);
    }
    auto* root = reinterpret_cast<chkfs::inode*>(d.block(sb->inode_bn)) + chkfs::root_inum;
    root->type = chkfs::type_directory;
    root->nlink = 1;
}
