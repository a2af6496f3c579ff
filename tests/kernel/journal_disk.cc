// journal_disk.cc — journal replay on the real disk (AHCI) at mount: the
// image obj/mkchkfs -J made holds a committed transaction whose block is
// not home yet; replay writes it home (readme.txt's first block becomes
// the text mkchkfs journaled) and leaves no metablock in the journal, so
// a second replay finds nothing.
//! expect: ktest journal_disk: passed
//! expect: journal: .*: replayed 1 transaction \(window \[1, 2\)\), 1 block written home
//! disk: obj/journal-pending.img
#include "chkfs-journal.hh"
#include "journal.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "string.hh"

using namespace chkfs;

KTEST(journal_disk) {
    blockdev* dev = blockdev_root();
    assert(dev, "no disk attached");
    auto* b = static_cast<unsigned char*>(kalloc(blocksize));
    assert(b);
    superblock sb;
    assert_eq(dev->read(0, 1, b), 0);
    memcpy(&sb, b + superblock_offset, sizeof(sb));
    assert_eq(sb.magic, chkfs::magic);

    // readme.txt's first block, through the root directory.
    inode root, file;
    assert_eq(dev->read(sb.inode_bn, 1, b), 0);
    memcpy(&root, b + root_inum * inodesize, sizeof(root));
    assert_eq(dev->read(root.direct[0].first, 1, b), 0);
    auto* de = reinterpret_cast<dirent*>(b);
    inum_t inum = 0;
    for (size_t i = 0; i != root.size / direntsize; ++i) {
        if (de[i].inum && strcmp(de[i].name, "readme.txt") == 0) {
            inum = de[i].inum;
        }
    }
    assert(inum > 0);
    assert_eq(dev->read(sb.inode_bn + inum / inodesperblock, 1, b), 0);
    memcpy(&file, b + (inum % inodesperblock) * inodesize, sizeof(file));
    blocknum_t target = file.direct[0].first;

    const char line[] = "replayed by the journal: readme.txt\n";
    auto journaled = [&] {
        for (size_t i = 0; i != blocksize; ++i) {
            if (b[i] != (unsigned char) line[i % (sizeof(line) - 1)]) {
                return false;
            }
        }
        return true;
    };
    assert_eq(dev->read(target, 1, b), 0);
    assert(!journaled(), "the home block is old before replay");

    journal_replay_result res;
    assert_eq(journal_replay(dev, &res), 0);
    assert_eq(res.transactions, 1u);
    assert_eq(res.blocks, 1u);
    assert(res.cleared);
    assert_eq(dev->read(target, 1, b), 0);
    assert(journaled(), "replay wrote the journaled copy home");
    for (blocknum_t j = sb.journal_bn; j != sb.nblocks; ++j) {
        assert_eq(dev->read(j, 1, b), 0);
        assert(!looks_like_metablock(b));
    }
    assert_eq(journal_replay(dev, &res), 0);
    assert_eq(res.transactions, 0u);
    assert(!res.cleared);
    kfree(b);
}
