// chkfs-logic.hh — the pure logic of the chickadeefs file system
// (docs/chickadeefs.md is the format; docs/diskfs.md how the kernel uses
// this): inode location, mapping a file offset to a block through the
// extents, growing and shrinking files, the free-block bitmap, directory
// entries, inode allocation.
//
// It works through `chkfs::blockio`, a small block-access interface: the
// kernel implements it on the buffer cache (chkfs.cc), host tests on an
// image in memory (tests/host/chkfs_logic_test.cc), so every rule here is
// tested on the host against the checker (tools/chkfs-fsck.hh).
//
// Locking is the caller's: a function that takes an inode expects the
// caller to hold that inode's lock (writer for anything that changes it).
// Only the bitmap is locked here (blockio::lock_bitmap), because any
// file's growth allocates from it. Inode allocation (alloc_inode) must be
// serialised by the caller (the kernel holds the directory's lock: every
// create goes through the one directory).
// Transactions: every change that must reach the disk whole calls
// io.tx_begin() before its first write and io.tx_end() after its last
// (one chunk of a write, one truncate, one create, unlink, rename or
// inode free), so a journal can group them.
//
// Easy to get wrong: the image is input, so every block number taken from
// it is range-checked before use (E_IO); an extent with first == 0 is a
// hole, read as zeros, and a write into one allocates blocks for it
// (splitting the hole's extent); E_NOSPC must leave the file and the free count as
// they were (growth that fails is undone by shrinking back); whole blocks
// past a file's size must not stay allocated (the checker warns); bytes
// between the old end and a new one read as zeros, so the tail of the
// last block is zeroed before a file grows over it.
#pragma once
#include "abi/chickadeefs.hh"
#include "abi/errno.hh"
#include "abi/types.hh"
#include "chkfs-dirindex.hh"

namespace chkfs {

// One block held by its user: `data` stays valid until `put`.
struct blockref {
    unsigned char* data = nullptr;
    void* handle = nullptr;             // the implementation's own token
    blocknum_t bn = 0;
};

enum class dirty_kind { meta, data };

// Block access. `get` with load == false may skip reading the disk: the
// caller overwrites every byte at once, before anything can fail. Returns
// 0 or E_IO, E_NOMEM, E_INVAL. The same block may be held several times.
// Every change to a held block's bytes happens between write_begin and
// write_end (the cache's write-back waits for write_end); the logic never
// calls another blockio function inside that bracket, so the bracket is
// never nested.
struct blockio {
    virtual ~blockio() {}
    virtual int get(blocknum_t bn, blockref& ref, bool load = true) = 0;
    virtual void write_begin(blockref& ref) = 0;
    // The change is done: the block is dirty (`kind` says whether it is
    // file data or metadata, for a journal).
    virtual void write_end(blockref& ref, dirty_kind kind) = 0;
    virtual void put(blockref& ref) = 0;
    // Guards the free-block bitmap (may sleep).
    virtual void lock_bitmap() {}
    virtual void unlock_bitmap() {}
    // Brackets one change that must reach the disk whole (may nest).
    virtual void tx_begin() {}
    virtual void tx_end() {}
    // Blocks [first, first + count) were just marked free (a journal keeps
    // them from reuse until the freeing transaction commits).
    virtual void freed(blocknum_t first, uint32_t count) { (void) first; (void) count; }
    // May a free block be allocated now? (false: freed by an uncommitted
    // transaction).
    virtual bool reusable(blocknum_t bn) { (void) bn; return true; }
    // The in-memory name index of directory `dir` (chkfs-dirindex.hh),
    // or nullptr: directories without one are scanned. It lives as long
    // as the directory is in memory and is guarded by the directory's
    // lock, like the entries it caches.
    virtual dir_index* index_of(inum_t dir) { (void) dir; return nullptr; }
};

// Holds a block for a scope; releases it on destruction or `release`.
struct held_block {
    blockio& io_;
    blockref ref_;
    explicit held_block(blockio& io) : io_(io) {}
    ~held_block() { release(); }
    held_block(const held_block&) = delete;
    held_block& operator=(const held_block&) = delete;
    // Hold block `bn` (releasing any other block held): 0 or an error.
    int hold(blocknum_t bn, bool load = true);
    void release();
    bool holds(blocknum_t bn) const { return ref_.data && ref_.bn == bn; }
    unsigned char* data() const { return ref_.data; }
    void write_begin() { io_.write_begin(ref_); }
    void write_end(dirty_kind kind = dirty_kind::meta) { io_.write_end(ref_, kind); }
};

// An inode and the held block it lives in (changes to the inode are
// bracketed on that block).
struct inode_ref {
    held_block hb_;
    inode* in_ = nullptr;
    explicit inode_ref(blockio& io) : hb_(io) {}
    inode* operator->() const { return in_; }
    inode& operator*() const { return *in_; }
};

// Blocks one operation holds at once at most (for a cache's
// reservation): see the tests' max_held check.
inline constexpr unsigned max_held_blocks = 8;

// Moves file bytes between a block and the caller's buffer (user memory
// in the kernel). `pos` is the position within the whole transfer.
// 0 or an error (E_FAULT).
struct transfer {
    virtual int to_buffer(size_t pos, const unsigned char* src, size_t n) = 0;
    virtual int from_buffer(size_t pos, unsigned char* dst, size_t n) = 0;
};

// Problems a superblock can have, or nullptr: `dev_blocks` is the device
// size in blocks.
const char* check_superblock(const superblock& sb, uint64_t dev_blocks);

// The file system logic on one mounted image.
struct fs {
    blockio& io_;
    superblock sb_;
    blocknum_t alloc_hint_;             // [bitmap lock] where searches start
    inum_t inode_hint_ = 2;             // [caller's create lock]
    // [the directory's lock] No slot of directory dir_hint_inum_ before
    // dir_hint_slot_ is empty (a create's search for an empty slot starts
    // there; unlink and rename lower it when they empty a slot).
    inum_t dir_hint_inum_ = 0;
    uint32_t dir_hint_slot_ = 0;

    // A write is done in chunks of at most this many blocks, each its own
    // transaction.
    static constexpr uint32_t write_chunk_blocks = 32;

    fs(blockio& io, const superblock& sb)
        : io_(io), sb_(sb), alloc_hint_(sb.data_bn) {}

    // --- inodes ---
    // Holds inode `inum`'s block in `ir` and points it at the inode:
    // 0, E_INVAL (inum out of range), or the block's error.
    int get_inode(inum_t inum, inode_ref& ir);
    // A free inode (type 0) becomes a `type` inode, empty, nlink 0: 0 and
    // *out, or E_NOSPC. The caller serialises allocations.
    int alloc_inode(uint32_t type, inum_t* out);
    // Frees inode `inum` and all its blocks (nlink must be 0 and no one
    // may use it any more).
    int free_inode(inum_t inum);

    // --- file contents (caller holds the inode's lock) ---
    // The disk block holding file block `fbi`: *bn (0 for a hole or past
    // the extents) and *run, the number of following file blocks that are
    // contiguous on disk (≥ 1). 0 or E_IO (a corrupt extent).
    int map(const inode& in, uint32_t fbi, blocknum_t* bn, uint32_t* run);
    // Blocks the extents give, and the number of extents used.
    int count_blocks(const inode& in, uint32_t* blocks, uint32_t* extents);
    // Up to `n` bytes at `off` into xf: bytes read (0 at or past the end)
    // or an error. Only the first error is returned if nothing was read.
    ssize_t read(inum_t inum, uint64_t off, size_t n, transfer& xf);
    // `n` bytes from xf at `off`, growing the file (a gap reads as zeros)
    // and giving blocks to the holes it writes into: bytes written, or
    // E_FBIG (off at or past maxsize), E_NOSPC, E_FAULT, E_IO when nothing
    // was written. A failed chunk changes nothing.
    ssize_t write(inum_t inum, uint64_t off, size_t n, transfer& xf);
    // Sets the size: 0, E_FBIG, E_NOSPC (nothing changed), E_IO.
    int truncate(inum_t inum, uint64_t size);
    // The size, or an error.
    int64_t size(inum_t inum);

    // --- directories (caller holds the directory's lock) ---
    // Looks `name` up in directory `dir`: 0 and *inum (and *slot, the
    // entry's index), or E_NOENT.
    int dir_lookup(inum_t dir, const char* name, inum_t* inum, uint32_t* slot = nullptr);
    // Creates an empty `type` inode named `name` in `dir` (nlink 1):
    // 0 and *out, E_NOSPC (no inode or no block; nothing changed).
    // `name` must not exist yet.
    int create(inum_t dir, const char* name, uint32_t type, inum_t* out);
    // Removes the entry `name`: 0 and *inum (its inode, nlink decremented;
    // the caller frees it when nlink is 0 and nothing uses it), E_NOENT.
    int unlink(inum_t dir, const char* name, inum_t* inum);
    // Renames `from` to `to`, replacing `to` if it exists: 0 and
    // *replaced (the inode `to` named, nlink decremented, or 0), E_NOENT.
    int rename(inum_t dir, const char* from, const char* to, inum_t* replaced);
    // The `index`-th used entry of `dir`, in slot order: 1 and its name
    // (NUL-terminated, name[maxnamelen + 1]) and inode, 0 past the last.
    int dir_entry(inum_t dir, size_t index, char* name, inum_t* inum);

    // --- the bitmap ---
    // Allocates up to `want` (≥ 1) contiguous free blocks, at `hint` if it
    // is free, else the first free run after it (wrapping): 0 and the run,
    // or E_NOSPC. With `exact`, only a run of exactly `want` blocks will do.
    int alloc_run(blocknum_t hint, uint32_t want, bool exact, blocknum_t* first,
                  uint32_t* count);
    // Allocates exactly block `bn` if it is a free data block: 0 or E_NOSPC.
    int alloc_at(blocknum_t bn);
    // Marks blocks free.
    int free_run(blocknum_t first, uint32_t count);
    // Free blocks in the bitmap (a scan), or an error.
    int64_t count_free();

    // Is [first, first + count) inside the data area?
    bool in_data(blocknum_t first, uint64_t count) const {
        return first >= sb_.data_bn && uint64_t(first) + count <= sb_.journal_bn;
    }

private:
    int extent_slot(const inode& in, uint32_t idx, held_block& ind, extent** e);
    int grow(inode_ref& ir, uint32_t blocks);
    int shrink(inode_ref& ir, uint32_t blocks);
    int set_extent(inode_ref& ir, uint32_t idx, extent value);
    int append_run(inode_ref& ir, uint32_t* nextents, blocknum_t first, uint32_t count);
    int grow_indirect(inode_ref& ir, uint32_t nblocks);
    int fill_hole(inode_ref& ir, uint32_t fbi, uint32_t want);
    int zero_blocks(blocknum_t first, uint32_t count, dirty_kind kind);
    int zero_tail(inode_ref& ir);
    int bitmap_set(blocknum_t first, uint32_t count, bool free);
    // excl: the caller holds the directory's lock exclusively (it may
    // drop an index that is out of step; a shared holder only ignores it).
    int dir_find(inum_t dirnum, const inode& dir, const char* name, inum_t* inum,
                 uint32_t* slot, bool excl);
    dir_index* index_for(inum_t dirnum, const inode& dir, bool excl);
    void index_changed(inum_t dirnum, bool ok);
    int dir_add(inode_ref& dir, inum_t dirnum, const char* name, inum_t inum, uint32_t* slot);
    void dir_slot_emptied(inum_t dirnum, uint32_t slot);
    // held_fbi: (optional) the directory block index hb holds, kept by a
    // caller scanning slot after slot, so each block is mapped once.
    int dir_slot(const inode& dir, uint32_t slot, held_block& hb, dirent** de,
                 uint32_t* held_fbi = nullptr);
};

}  // namespace chkfs
