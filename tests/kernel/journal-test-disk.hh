// journal-test-disk.hh — shared by the journal kernel tests: a tiny
// chickadeefs-shaped ramdisk (superblock, bitmap at block 1, inodes at
// block 2, data from block 3, the last `njournal` blocks the journal) with
// every block zeroed. Each test then writes the home contents it checks.
// Easy to get wrong: only the superblock is meaningful; the bitmap and
// inode blocks stay zero, so this image is for journal tests, not fsck.
#pragma once
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
