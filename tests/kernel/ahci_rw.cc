// ahci_rw.cc — the AHCI driver as the root blockdev: block 0 of
// obj/disk.img is a chickadeefs image (superblock magic at byte 512, and
// its block count is the disk's); written patterns read back, alone and in
// a transfer longer than one command; a range past the end, or count 0, is
// E_INVAL and leaves the buffer alone; flush succeeds. The disk is a
// snapshot (`disk: yes`), so obj/disk.img never changes.
//! expect: ktest ahci_rw: passed
//! expect: ahci: disk on port 0: .*\d+ blocks
//! disk: yes
#include "abi/chickadeefs.hh"
#include "abi/errno.hh"
#include "blockdev.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "string.hh"

namespace {

// Byte i of block bn under pattern `seed`: differs between blocks and
// between seeds, never constant within a block.
uint8_t pattern_byte(uint64_t bn, size_t i, unsigned seed) {
    return uint8_t((bn * 131 + i * 7 + (i >> 9) + seed * 29) ^ (i >> 3));
}

void fill(uint8_t* buf, uint64_t bn, size_t count, unsigned seed) {
    for (size_t b = 0; b < count; ++b) {
        for (size_t i = 0; i < BLOCKDEV_BLOCKSIZE; ++i) {
            buf[b * BLOCKDEV_BLOCKSIZE + i] = pattern_byte(bn + b, i, seed);
        }
    }
}

void check(const uint8_t* buf, uint64_t bn, size_t count, unsigned seed) {
    for (size_t b = 0; b < count; ++b) {
        for (size_t i = 0; i < BLOCKDEV_BLOCKSIZE; ++i) {
            assert_eq(buf[b * BLOCKDEV_BLOCKSIZE + i], pattern_byte(bn + b, i, seed));
        }
    }
}

}  // namespace

KTEST(ahci_rw) {
    blockdev* d = blockdev_root();
    assert(d, "no root blockdev with disk: yes");
    constexpr size_t nbig = 40;     // more than one command's 32 blocks
    auto* buf = static_cast<uint8_t*>(kalloc(nbig * BLOCKDEV_BLOCKSIZE));
    auto* buf2 = static_cast<uint8_t*>(kalloc(nbig * BLOCKDEV_BLOCKSIZE));
    assert(buf && buf2);

    // Block 0: the superblock of the image make built.
    assert_eq(d->read(0, 1, buf), 0);
    chkfs::superblock sb;
    memcpy(&sb, buf + chkfs::superblock_offset, sizeof(sb));
    assert_eq(sb.magic, chkfs::magic);
    assert_eq(uint64_t(sb.nblocks), d->nblocks_);

    // Single blocks at the start, middle and very end of the disk.
    uint64_t last = d->nblocks_ - 1;
    uint64_t blocks[] = {1, d->nblocks_ / 2, last};
    for (uint64_t bn : blocks) {
        fill(buf, bn, 1, 1);
        assert_eq(d->write(bn, 1, buf), 0);
    }
    for (uint64_t bn : blocks) {
        memset(buf2, 0xEE, BLOCKDEV_BLOCKSIZE);
        assert_eq(d->read(bn, 1, buf2), 0);
        check(buf2, bn, 1, 1);
    }

    // A 40-block transfer each way (two commands), from a buffer that is
    // not page-aligned inside (an offset of 512 bytes: PRD entries then
    // split at page boundaries).
    uint64_t base = d->nblocks_ - nbig - 8;
    fill(buf, base, nbig, 2);
    assert_eq(d->write(base, nbig, buf), 0);
    memset(buf2, 0, nbig * BLOCKDEV_BLOCKSIZE);
    assert_eq(d->read(base, nbig, buf2), 0);
    check(buf2, base, nbig, 2);
    // The same blocks one at a time.
    for (size_t b = 0; b < nbig; b += 7) {
        memset(buf2, 0, BLOCKDEV_BLOCKSIZE);
        assert_eq(d->read(base + b, 1, buf2), 0);
        check(buf2, base + b, 1, 2);
    }
    // Unaligned buffer: 3 blocks at buf2 + 512.
    memset(buf2, 0, 4 * BLOCKDEV_BLOCKSIZE);
    assert_eq(d->read(base + 3, 3, buf2 + 512), 0);
    check(buf2 + 512, base + 3, 3, 2);

    // Out of range: E_INVAL and nothing transferred.
    memset(buf2, 0x5A, 2 * BLOCKDEV_BLOCKSIZE);
    assert_eq(d->read(d->nblocks_, 1, buf2), E_INVAL);
    assert_eq(d->read(last, 2, buf2), E_INVAL);
    assert_eq(d->read(0, 0, buf2), E_INVAL);
    assert_eq(d->read(UINT64_MAX, 1, buf2), E_INVAL);
    assert_eq(d->read(1, SIZE_MAX / 2, buf2), E_INVAL);
    assert_eq(d->write(d->nblocks_, 1, buf2), E_INVAL);
    for (size_t i = 0; i < 2 * BLOCKDEV_BLOCKSIZE; ++i) {
        assert_eq(buf2[i], 0x5A);
    }
    // The last block was not touched by the refused transfers.
    assert_eq(d->read(last, 1, buf2), 0);
    check(buf2, last, 1, 1);

    assert_eq(d->flush(), 0);
    kfree(buf);
    kfree(buf2);
}
