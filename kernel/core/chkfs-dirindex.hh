// chkfs-dirindex.hh — an in-memory index of one chickadeefs directory:
// a hash table from a name's hash to the slots whose entries have that
// hash, and a bitmap of the slots in use (so a create finds the first
// empty slot, and a lookup or a create's "is the name there?" needs no
// scan of the directory's blocks). chkfs-logic.cc builds it lazily, from
// the directory's blocks, on the first lookup, and changes it with every
// change of the directory's entries; docs/diskfs.md explains the design.
//
// It is a cache of what the directory's blocks say, never trusted over
// them: a hit is a *candidate* slot, whose entry the caller reads and
// compares (32-bit hashes collide); only "no entry has this hash" is
// taken from the index alone. Anything the caller cannot keep in step
// (an allocation that fails, an I/O error half way through a change, a
// size change other than an append) drops the index, and the next lookup
// rebuilds it, or scans the blocks when it cannot.
//
// Pure logic (compiled into the kernel and the host tests): memory comes
// from the caller's `index_memory`. Locking is the caller's: every change
// under the directory's exclusive lock; `find` and a build (`claim`,
// `insert`, `publish`/`drop`) may run under the shared lock, where
// `claim` lets exactly one reader build while the others scan.
//
// Easy to get wrong: names on a corrupt disk may be unterminated, so
// hashes read at most maxnamelen + 1 bytes; the index must be dropped, not
// left stale, on every path that may have changed the directory without
// telling it; memory is bounded (max_slots), beyond which the directory
// is simply scanned.
#pragma once
#include "abi/chickadeefs.hh"

namespace chkfs {

// Where an index gets its memory (the kernel: kalloc).
struct index_memory {
    // `bytes` bytes, or nullptr when none are left.
    virtual void* allocate(size_t bytes) = 0;
    virtual void release(void* p) = 0;
};

// The hash of a name as an entry stores it: bytes up to the first NUL, at
// most maxnamelen + 1 (FNV-1a, 32 bits).
uint32_t name_hash(const char* name);

struct dir_index {
    // Directories with more slots than this (a 2 MiB directory) are not
    // indexed: at most 16 bytes per slot of table and a bit of bitmap.
    static constexpr uint32_t max_slots = 16384;

    explicit dir_index(index_memory& mem) : mem_(mem) {}
    ~dir_index() { drop(); }
    dir_index(const dir_index&) = delete;
    dir_index& operator=(const dir_index&) = delete;

    // Is the index complete and in step (acquire: a reader that sees it
    // ready sees everything the builder wrote)?
    bool ready() const { return __atomic_load_n(&state_, __ATOMIC_ACQUIRE) == st_ready; }
    // Starts a build of a directory of `nslots` slots: true if this caller
    // builds (it must then `insert` every used slot and `publish`, or
    // `drop`); false if the index is ready, another caller is building,
    // the directory is too big, or there is no memory.
    bool claim(uint32_t nslots);
    // Publishes a finished build.
    void publish() { __atomic_store_n(&state_, st_ready, __ATOMIC_RELEASE); }
    // Forgets everything (memory released); the next lookup rebuilds.
    void drop();

    // Slot `slot` now holds an entry named `name` (the directory grows to
    // cover it if needed). false: out of memory or too many slots; the
    // caller must drop the index.
    bool insert(uint32_t slot, const char* name);
    // Slot `slot`, which held `name`, is empty now. false if the index did
    // not know that entry (the caller drops the index).
    bool remove(uint32_t slot, const char* name);

    // Candidate slots for `name` (hash `h`): start with `cursor = 0`; each
    // call gives the next slot whose entry has hash h, or returns false.
    bool find(uint32_t h, uint32_t& cursor, uint32_t* slot) const;
    // The first slot not in use: < nslots(), or nslots() when every slot
    // is used (the directory must grow).
    uint32_t first_free() const;
    // Slots the directory has, as far as the index knows.
    uint32_t nslots() const { return nslots_; }
    // Used slots known (tests).
    uint32_t count() const { return count_; }
    bool slot_used(uint32_t slot) const {
        return slot < nslots_ && (used_[slot / 64] >> (slot % 64)) & 1;
    }

private:
    struct entry {
        uint32_t hash;
        uint32_t slot1;                 // slot + 1; 0: empty
    };
    static constexpr int st_empty = 0, st_building = 1, st_ready = 2;

    index_memory& mem_;
    int state_ = st_empty;              // atomic: st_*
    entry* table_ = nullptr;            // cap_ entries (a power of two)
    uint32_t cap_ = 0;
    uint32_t count_ = 0;                // entries in table_
    uint64_t* used_ = nullptr;          // a bit per slot, words_ words
    uint32_t words_ = 0;
    uint32_t nslots_ = 0;

    bool rehash(uint32_t cap);
    bool grow_bitmap(uint32_t nslots);
};

}  // namespace chkfs
