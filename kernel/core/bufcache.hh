// bufcache.hh — the buffer cache: a fixed number of 4096-byte slots, each
// holding one block of a block device (blockdev.hh), shared by every task
// that reads or writes that block. docs/bufcache.md explains
// the design; this is the interface the file system and the journal use.
//
//   get(dev, bn)  → a referenced entry whose data() holds the block (loaded
//                   from the device once, however many tasks ask at once);
//   write_begin() / write_end()  around every change to data() (marks the
//                   entry dirty; write-back waits for write_end, so it
//                   never writes a half-modified block);
//   put(e)        → drops the reference. Unreferenced entries stay cached
//                   and are evicted least recently used first; a dirty one
//                   is written home before its slot is reused.
//   sync(dev, m)  → mode 0 writes every dirty entry and flushes the
//                   device; 1 also drops every unreferenced entry; 2 also
//                   reports references still held to blocks the file system
//                   did not declare long-lived (a leak detector, E_BUSY).
//   pin / unpin   → for the journal: a pinned entry is never written home
//                   (not by eviction, not by sync) and never evicted, until
//                   its last pin is gone.
//
// When every slot is referenced or pinned, `get` sleeps until a `put` or
// `unpin` frees one; it does not fail. That can deadlock if every slot is
// held by tasks that each wait in `get` for one more: with N slots, L of
// them held for the whole mount (superblock, bitmap), and tasks that hold
// at most H references while calling get, it cannot happen while fewer than
// (N − L) / (H − 1) + 1 such tasks are inside the file system at once...
// which a file system cannot promise by itself. `reserve(n)` makes it
// structural: a task reserves, before its first get, the most references it
// will hold at once, and waits there (holding nothing) while the
// reservations of others and the pinned slots would not leave it n slots:
// long-lived + pinned + reserved ≤ nslots always holds for what reserve
// admitted. A block the task pins (journal) is charged to its reservation:
// the slot stays taken after the put, so the task's reservation shrinks by
// one and the pinned count grows by one. When pins are what stands in the
// way, reserve calls the pin owners' release hooks (the journal commits,
// which unpins) before sleeping. Reservations are advisory (get does not
// check them); a task that never holds more than one reference at a time
// need not reserve. docs/bufcache.md has the argument.
//
// Locks: `bufcache::lock_` (spinlock) guards every entry's identity,
// state, reference and pin counts, dirty flag and list position; it is
// never held across a device transfer or a sleeping lock. Each entry's
// `content_` (rwlock, sleeping) orders changes to its bytes against
// write-back: writers hold it exclusively between write_begin and
// write_end, write-back holds it exclusively while the block goes out.
// Order (docs/contexts.md): file system locks (inode rwlock, bitmap lock)
// → bcentry::content_ → bufcache::lock_ → wait_queue::lock_.
//
// Easy to get wrong: data() may only be touched while holding a reference;
// changing it outside write_begin/write_end races with write-back (the
// block may go out half-changed and then be marked clean); a failed load
// returns E_IO and leaves no valid entry behind (the next get retries);
// never call get, put's callers' write-back, or sync with a spinlock held
// (they sleep; asserted).
#pragma once
#include <atomic>
#include "abi/errno.hh"
#include "blockdev.hh"
#include "list.hh"
#include "sleeplock.hh"
#include "spinlock.hh"
#include "waitqueue.hh"

struct bufcache;

constexpr size_t BUFCACHE_BLOCKSIZE = BLOCKDEV_BLOCKSIZE;
// Slots in the root cache unless the command line says `bufcache=N`.
constexpr size_t BUFCACHE_DEFAULT_SLOTS = 128;
// `bufcache=N` is clamped to [MIN, MAX] (with a warning). MIN is what one
// disk file-system operation may hold at once (chkfs::max_held_blocks, its
// cache reservation): a smaller cache cannot admit one whole reservation,
// and an operation that holds and pins more blocks than there are slots
// waits forever (p-disk-write hung at bufcache=4; it needed 5).
constexpr size_t BUFCACHE_MIN_SLOTS = 8;
constexpr size_t BUFCACHE_MAX_SLOTS = 8192;

// get() flags.
// BC_NOLOAD: the caller will overwrite the whole block (a block just
// allocated): if it is not cached, the slot is zero-filled instead of read.
constexpr unsigned BC_NOLOAD = 1;

// for_each() filters.
constexpr unsigned BC_ONLY_DIRTY = 1;       // dirty entries only
constexpr unsigned BC_ONLY_PINNED = 2;      // pinned entries only

enum bcstate : int {
    bc_empty = 0,       // holds no block
    bc_loading,         // being read from the device; waiters sleep on loaded_
    bc_valid,           // holds the block
    bc_failed,          // the load failed: no longer found; reused when unreferenced
};

// One slot. Fields marked [C] are guarded by the owning cache's lock_.
struct bcentry {
    bufcache* cache_ = nullptr;
    blockdev* dev_ = nullptr;       // [C] the block held (valid/loading)
    uint64_t bn_ = 0;               // [C]
    bcstate state_ = bc_empty;      // [C]
    unsigned refs_ = 0;             // [C] get()s not yet put()
    unsigned pins_ = 0;             // [C] journal pins
    bool dirty_ = false;            // [C] changed since last written home
    int load_error_ = 0;            // [C] what a failed load returned
    list_links lru_links_;          // [C] on cache_->lru_ (oldest first) unless pinned
    bcentry* hash_next_ = nullptr;  // [C] next in its hash bucket (valid/loading only)
    unsigned char* data_ = nullptr; // BUFCACHE_BLOCKSIZE bytes (a kalloc'd page)
    rwlock content_;                // changes to data_ vs write-back

    // The block's bytes. Only while holding a reference.
    unsigned char* data() const { return data_; }
    uint64_t bn() const { return bn_; }
    blockdev* dev() const { return dev_; }

    // Bracket every change to data(): write_begin takes content_
    // exclusively (sleeps while another writer or a write-back holds it);
    // write_end marks the entry dirty and releases it. Reference required.
    void write_begin();
    void write_end();
    // Optional bracket for readers that need a stable view across several
    // reads of data() while writers may be active (shared content_).
    void read_begin();
    void read_end();

    bool dirty() const;             // snapshot, for tests and the journal
    unsigned pins() const;          // snapshot
};

// Counters since init (atomic; read with stats()).
struct bcstats {
    uint64_t hits;          // get found the block cached
    uint64_t loads;         // device reads started by get
    uint64_t load_errors;   // ... that failed
    uint64_t writebacks;    // dirty blocks written home (eviction, sync, write_back)
    uint64_t evictions;     // valid blocks dropped to reuse their slot
    uint64_t waits;         // get slept because every slot was in use
    uint64_t reliefs;       // reserve asked the pin owners to release pins
    uint64_t probes;        // entries looked at by lookups and victim searches
};

struct bufcache {
    bufcache() = default;
    ~bufcache();                    // destroy()
    bufcache(const bufcache&) = delete;
    bufcache& operator=(const bufcache&) = delete;

    // Allocate `nslots` slots (≥ 1): 0, E_INVAL, or E_NOMEM (nothing kept).
    int init(size_t nslots);
    // Free every slot. Nothing may be referenced (asserted); dirty data not
    // synced is lost (call sync first). The cache may be init'ed again.
    void destroy();
    size_t nslots() const { return nslots_; }

    // Block `bn` of `dev` with a new reference in *out: 0, or E_INVAL (bn
    // past the end of dev), E_IO (the device failed the read: the slot is
    // not left valid, and the next get reads again), E_NOMEM. Sleeps while
    // another task loads the same block (one device read for all of them)
    // and while every slot is referenced or pinned. `flags`: BC_NOLOAD.
    int get(blockdev* dev, uint64_t bn, bcentry** out, unsigned flags = 0);
    // Drop a reference (wakes a get waiting for a slot).
    void put(bcentry* e);

    // Write `e` home now if it is dirty and not pinned (caller holds a
    // reference): 0 or E_IO (it stays dirty). Does not flush the device.
    int write_back(bcentry* e);

    // Read ahead: bring the blocks of [bn, bn + count) that are not cached
    // into the cache, consecutive ones in one device request
    // (blockdev::readv), without waiting: only slots that are empty, failed,
    // or clean and unreferenced are taken (nothing is written back to make
    // room; it stops at the first block that would need that), and at most
    // a quarter of the slots per call. A failed read leaves nothing behind
    // (the next get reads again and sees the error). Returns how many
    // blocks from `bn` on are now cached (found or read) before it stopped.
    size_t prefetch(blockdev* dev, uint64_t bn, size_t count);
    // Write-behind: write home now the dirty, unpinned cached blocks of
    // [bn, bn + count), each run of consecutive ones in one device request
    // (blockdev::writev); a block whose content lock is busy is left for
    // later (but the first of each run is waited for). Does not flush.
    // 0 or the first error (those blocks stay dirty).
    int write_back_range(blockdev* dev, uint64_t bn, size_t count);
    // Most blocks one device request carries (write-back runs, read-ahead).
    static constexpr size_t max_run = 32;

    // Journal: a pinned entry is never written home nor evicted. Pin while
    // holding a reference (typically inside write_begin/write_end of the
    // change the transaction logs); unpin once the transaction has
    // committed — then write_back or sync may write it home. Pins nest.
    // Pinned entries take slots: a new pin is charged to the calling task's
    // reservation, and reserve counts pinned_count() (see reserve).
    void pin(bcentry* e);
    void unpin(bcentry* e);
    size_t pinned_count() const;

    // Calls fn(e, arg) for each valid entry of `dev` (every device if
    // nullptr) that passes `filter` (BC_ONLY_DIRTY, BC_ONLY_PINNED), with a
    // reference held across the call (fn may sleep, take content_, pin,
    // unpin, write_back; it must not put). Stops at, and returns, the first
    // negative result; otherwise 0. Entries that become eligible during
    // the walk may be missed.
    int for_each(blockdev* dev, unsigned filter, int (*fn)(bcentry* e, void* arg), void* arg);

    // sys_sync's work for `dev` (every device if nullptr):
    //   0: write every dirty, unpinned entry home, then dev->flush();
    //   1: also drop every unreferenced, unpinned, clean entry;
    //   2: also check that every referenced entry is exempt (set_leak_exempt):
    //      each that is not is logged ("bufcache: leaked reference ...") and
    //      the result is E_BUSY.
    // Returns 0, E_INVAL (mode), E_IO (a write or the flush failed; the
    // rest is still attempted), E_BUSY (mode 2). A file system with a
    // journal commits before calling this: pinned entries are skipped.
    int sync(blockdev* dev, int mode);
    // The blocks allowed to stay referenced at sync(2) (the file system's
    // superblock and free-block bitmap): exempt(dev, bn, arg) true. nullptr
    // (the default) exempts nothing.
    void set_leak_exempt(bool (*exempt)(blockdev* dev, uint64_t bn, void* arg), void* arg);

    // Deadlock avoidance (see the top of this file). `reserve` sleeps until
    // n more references fit beside the others' reservations and the pinned
    // slots within nslots() − long_lived (set_long_lived); E_INVAL if they
    // never can. While pins are in the way it calls the release hooks
    // (add_pin_release) once per new pin seen, then sleeps until an
    // unreserve or unpin. The calling task's reservation is charged one
    // slot for each block it newly pins; `unreserve(n)` gives back what is
    // left of it (at most n). Reservations nest per task.
    int reserve(size_t n);
    void unreserve(size_t n);
    // Slots the file system keeps referenced while mounted.
    void set_long_lived(size_t n);
    // A pin owner's way to give pins back on demand: fn(arg) is called by
    // reserve (no lock held, from a task that holds no reference it
    // reserved) when pinned slots keep a reservation out; the journal
    // commits there (which unpins). At most `max_pin_release` hooks.
    static constexpr size_t max_pin_release = 4;
    int add_pin_release(void (*fn)(void* arg), void* arg);
    // long_lived + pinned + reserved: never above nslots() while every pin
    // is charged to a reservation (the invariant reserve keeps; tests).
    size_t committed_slots() const;

    bcstats stats() const;

private:
    friend struct bcentry;
    mutable spinlock lock_;
    bcentry* slots_ = nullptr;                  // [nslots_], constant after init
    size_t nslots_ = 0;
    // The index: every valid or loading entry is in bucket
    // hash(dev, bn) & (nbuckets_ - 1); failed and empty ones are in none.
    bcentry** buckets_ = nullptr;               // [lock_] nbuckets_ chains, constant size
    size_t nbuckets_ = 0;                       // a power of two ≥ 2 × nslots_
    // Every unpinned slot, least recently used first; empty and failed
    // slots go to the front (they are the first victims).
    list<bcentry, &bcentry::lru_links_> lru_;   // [lock_]
    size_t pinned_ = 0;                         // [lock_] entries with pins_ > 0
    size_t reserved_ = 0;                       // [lock_] sum of resv_[].n
    size_t long_lived_ = 0;                     // [lock_]
    // Reservations by task (at most nslots_ at once: each is ≥ 1 slot).
    struct resv {
        proc* task;
        size_t n;                               // still reserved (pins charged off)
    };
    resv* resv_ = nullptr;                      // [lock_] nresv_ used of nslots_
    size_t nresv_ = 0;                          // [lock_]
    uint64_t pin_events_ = 0;                   // [lock_] new pins so far
    struct pin_hook {
        void (*fn)(void*);
        void* arg;
    };
    pin_hook pin_release_[max_pin_release] = {};    // [lock_]
    size_t npin_release_ = 0;                   // [lock_]
    uint64_t probes_ = 0;                       // [lock_] see bcstats::probes
    bool (*exempt_)(blockdev*, uint64_t, void*) = nullptr;     // [lock_]
    void* exempt_arg_ = nullptr;                // [lock_]
    wait_queue slot_wait_;                      // a slot may have become free
    wait_queue loaded_;                         // a load finished
    wait_queue reserve_wait_;                   // a reservation was returned
    struct {
        std::atomic<uint64_t> hits, loads, load_errors, writebacks, evictions, waits, reliefs;
    } stats_ = {};

    bcentry* find_locked(blockdev* dev, uint64_t bn);
    size_t bucket_of(blockdev* dev, uint64_t bn) const;
    void hash_insert_locked(bcentry* e);
    void hash_remove_locked(bcentry* e);
    bcentry* victim_locked();
    int write_back_ref(bcentry* e);
    int write_run_ref(bcentry** es, size_t n, bool wait);
    size_t dirty_run_locked(bcentry* e, bcentry** es, size_t limit);
    void release(bcentry* e, bool touch);
    resv* resv_find_locked(proc* task);
};

// A reference held for a scope: puts on destruction (unless released).
class bcref {
public:
    bcref() = default;
    explicit bcref(bcentry* e) : e_(e) {}
    ~bcref() { reset(); }
    bcref(const bcref&) = delete;
    bcref& operator=(const bcref&) = delete;
    bcref(bcref&& o) : e_(o.e_) { o.e_ = nullptr; }
    bcentry* get() const { return e_; }
    bcentry* operator->() const { return e_; }
    explicit operator bool() const { return e_ != nullptr; }
    void reset(bcentry* e = nullptr);       // puts the old one
    bcentry* release() { bcentry* e = e_; e_ = nullptr; return e; }

private:
    bcentry* e_ = nullptr;
};

// The kernel's cache (the file system mounted from the boot disk uses it):
// created on the first call with `bufcache=N` slots from the command line
// (BUFCACHE_DEFAULT_SLOTS without it). nullptr if that allocation failed.
// The first call must come from a kernel task (it may log).
bufcache* bufcache_root();
