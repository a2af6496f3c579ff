// abi/chickadeefs.hh — the on-disk format of the disk file system
// (chickadeefs, the format of Harvard's Chickadee, so that images move
// between the two systems' tools). docs/chickadeefs.md explains it.
//
// Shared by the host tools (tools/mkchkfs, tools/chkfsck) and, later, the
// kernel: freestanding, no C library, no allocation. Everything on disk is
// little-endian; these structs are used in place on x86-64.
// Easy to get wrong: block numbers are unsigned 32-bit but inode numbers
// are signed; an extent with first == 0 and count != 0 is a hole, not
// block 0; transaction ids and sequence numbers wrap at 16 bits, so they
// are compared with tid_lt() and friends, never with `<`; a metablock's
// checksum covers bytes 16..4095 (everything after the checksum field and
// its padding), a data block's checksum the 4096 bytes as stored in the
// journal (that is, escaped).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace chkfs {

using blocknum_t = uint32_t;            // block numbers
using inum_t = int32_t;                 // inode numbers

// Blocks.
inline constexpr size_t blocksize = 4096;
inline constexpr size_t bitsperblock = blocksize * 8;   // bitmap bits per block

// Block 0: boot sector (bytes 0..509), signature, then the superblock.
inline constexpr size_t bootsector_size = 510;
inline constexpr size_t superblock_offset = 512;
inline constexpr uint64_t magic = 0xFBBFBB003EE9BEEFULL;

// Inodes.
inline constexpr size_t inodesize = 64;
inline constexpr size_t inodesperblock = blocksize / inodesize;
inline constexpr size_t ndirect = 4;                    // direct extents per inode
inline constexpr size_t extentsize = 8;
inline constexpr size_t extentsperblock = blocksize / extentsize;
inline constexpr inum_t root_inum = 1;                  // inode 0 is never used
inline constexpr uint32_t type_free = 0;
inline constexpr uint32_t type_regular = 1;
inline constexpr uint32_t type_directory = 2;
// Largest file: `inode::size` is 32 bits.
inline constexpr uint64_t maxsize = 0xFFFFFFFFULL;

// Directory entries.
inline constexpr size_t maxnamelen = 123;               // bytes, without the NUL
inline constexpr size_t direntsize = 128;
inline constexpr size_t direntsperblock = blocksize / direntsize;

struct superblock {
    uint64_t magic;             // chkfs::magic
    blocknum_t nblocks;         // blocks in the file system
    blocknum_t nswap;           // swap blocks (unused by Nuthatch; normally 0)
    inum_t ninodes;             // inodes
    blocknum_t njournal;        // journal blocks
    blocknum_t swap_bn;         // first swap block (1)
    blocknum_t fbb_bn;          // first free-block-bitmap block
    blocknum_t inode_bn;        // first inode block
    blocknum_t data_bn;         // first data block
    blocknum_t journal_bn;      // first journal block (nblocks - njournal)
};

// `count` blocks from `first`. count == 0 ends an extent list; first == 0
// with count != 0 is a hole of `count` blocks.
struct extent {
    blocknum_t first;
    uint32_t count;
};

struct inode {
    uint32_t type;              // type_free, type_regular, type_directory
    uint32_t size;              // bytes
    uint32_t nlink;             // directory entries naming this inode
    uint32_t flags;             // unused, 0
    uint32_t mlock;             // in-memory lock word: 0 on disk
    uint32_t mbcindex;          // in-memory cache index: 0 on disk
    extent direct[ndirect];     // the first extents of the file
    extent indirect;            // blocks holding further extents (512 per block)
};

struct dirent {
    inum_t inum;                // 0: empty slot
    char name[maxnamelen + 1];  // NUL-terminated, 1..maxnamelen bytes
};

// Bit b of the bitmap (byte b / 8, bit b % 8) is 1 when block b is free.
inline bool bitmap_is_free(const unsigned char* fbb, blocknum_t b) {
    return (fbb[b / 8] >> (b % 8)) & 1;
}
inline void bitmap_set_free(unsigned char* fbb, blocknum_t b, bool is_free) {
    if (is_free) {
        fbb[b / 8] |= (unsigned char) (1U << (b % 8));
    } else {
        fbb[b / 8] &= (unsigned char) ~(1U << (b % 8));
    }
}


// The journal: the last `njournal` blocks, used as a circular log of
// records, each a metablock followed by the data blocks it references
// (journaled references only, in reference order).

using tid_t = uint16_t;
using tiddiff_t = int16_t;
inline constexpr bool tid_lt(tid_t a, tid_t b) {
    return tiddiff_t(tid_t(a - b)) < 0;
}
inline constexpr bool tid_le(tid_t a, tid_t b) {
    return tiddiff_t(tid_t(a - b)) <= 0;
}
inline constexpr bool tid_gt(tid_t a, tid_t b) {
    return tiddiff_t(tid_t(a - b)) > 0;
}
inline constexpr bool tid_ge(tid_t a, tid_t b) {
    return tiddiff_t(tid_t(a - b)) >= 0;
}

inline constexpr uint64_t journalmagic = 0xFBBFBB009EEBCEEDULL;
inline constexpr uint32_t nochecksum = 0x82600A5F;
inline constexpr size_t metablock_checksum_offset = 16; // checksum covers [16, 4096)
inline constexpr size_t ref_size = (blocksize / 4 - 7) / 3;   // 339 refs per metablock

struct jblockref {
    blocknum_t bn;              // home block
    uint32_t bchecksum;         // crc32c of the journaled copy, or nochecksum
    uint16_t bflags;            // jbf_*
    uint16_t padding;
};

struct jmetablock {
    uint64_t magic;             // journalmagic
    uint32_t checksum;          // crc32c of bytes [16, 4096), or nochecksum
    uint32_t padding;
    tid_t seq;                  // this metablock's sequence number
    tid_t tid;                  // its transaction
    tid_t commit_boundary;      // first transaction not committed
    tid_t complete_boundary;    // first transaction not complete (written home)
    uint16_t flags;             // jf_*
    uint16_t nref;              // valid entries of ref[]
    jblockref ref[ref_size];
};

enum : uint16_t {
    jf_meta = 0x01,             // required in every metablock
    jf_error = 0x02,            // do not use this metablock
    jf_corrupt = 0x04,          // likewise
    jf_start = 0x10,            // first metablock of transaction `tid`
    jf_commit = 0x20,           // commits `tid`
    jf_complete = 0x40,         // `tid` is written home

    jbf_escaped = 0x100,        // journaled copy's first 8 bytes stand for journalmagic
    jbf_nonjournaled = 0x200,   // no data block follows for this reference
    jbf_overwritten = 0x400     // a later reference replaces this one
};

static_assert(sizeof(superblock) == 48, "superblock layout (44 bytes of fields, padded to 8)");
static_assert(offsetof(superblock, nblocks) == 8 && offsetof(superblock, ninodes) == 16
              && offsetof(superblock, swap_bn) == 24 && offsetof(superblock, journal_bn) == 40,
              "superblock offsets");
static_assert(superblock_offset + sizeof(superblock) <= blocksize, "superblock fits block 0");
static_assert(sizeof(extent) == extentsize, "extent layout");
static_assert(sizeof(inode) == inodesize, "inode layout");
static_assert(offsetof(inode, nlink) == 8 && offsetof(inode, mlock) == 16
              && offsetof(inode, direct) == 24 && offsetof(inode, indirect) == 56,
              "inode offsets");
static_assert(sizeof(dirent) == direntsize, "dirent layout");
static_assert(sizeof(jblockref) == 12, "jblockref layout");
static_assert(ref_size == 339, "refs per metablock");
static_assert(offsetof(jmetablock, checksum) == 8 && offsetof(jmetablock, seq) == 16
              && offsetof(jmetablock, flags) == 24 && offsetof(jmetablock, nref) == 26
              && offsetof(jmetablock, ref) == 28, "jmetablock offsets");
static_assert(sizeof(jmetablock) == blocksize, "jmetablock fills a block");
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "structs are used in place: little-endian only");

}  // namespace chkfs
