// journal.hh — the chickadeefs journal in the kernel: replay at mount
// (journal_replay) and the transaction writer (struct journal).
// docs/journal.md explains the life cycle and the ordering rules; the
// format's rules are lib/chkfs-journal.* (shared with the host checker).
//
// Easy to get wrong: replay reads and writes the block device directly (no
// buffer cache: it runs before the file system exists); it must survive a
// crash at any point of its own work, so it empties the journal in an order
// where every intermediate state replays to the same disk.
#pragma once
#include "abi/chickadeefs.hh"
#include "blockdev.hh"
#include "spinlock.hh"
#include "waitqueue.hh"

struct proc;

struct journal_replay_result {
    unsigned transactions = 0;      // committed-but-incomplete transactions written home
    unsigned blocks = 0;            // home blocks written
    unsigned ignored = 0;           // uncommitted transactions left alone
    bool cleared = false;           // the journal held metablocks and is now empty
};

// Reads `dev`'s superblock and journal, writes home every committed but
// incomplete transaction (latest copies, unescaped), then empties the
// journal, and logs one line saying what it did. A journal with no
// metablock is left untouched (no write at all). Returns 0, or
// E_INVAL (no chickadeefs superblock, a geometry past the device, or a
// journal that breaks a rule of the format: nothing is written, run
// chkfsck), E_NOMEM (journal larger than kalloc_max_size), E_IO.
int journal_replay(blockdev* dev, journal_replay_result* result = nullptr);


// ---- The transaction writer ----
//
// Metadata journaling with ordered data (docs/journal.md says why): the
// file system's metadata blocks (inodes, bitmap, directories, indirect
// extents) go through the journal; file data is written home before the
// transaction that makes it reachable commits.
//
// An *operation* (one system call's changes) runs between begin_op() and
// end_op() and adds every metadata block it modifies; operations join the
// running transaction until it is full or someone syncs (group commit).
// commit() waits for running operations to end, keeps new ones out, and
// then: writes file data home (client->write_data()), writes the records
// copies, flushes, writes their metablocks (start metablock, references),
// flushes, writes the commit metablock, flushes, writes the blocks home
// (and zeroes the metablocks of earlier transactions), flushes, writes the
// complete metablock, flushes, and unpins. So a block is never written home before
// its transaction commits (the client keeps added blocks pinned in its
// cache until journal_client::unpin), and a block freed in a transaction is
// not reused until that transaction committed (quarantined()).

// What the journal needs from the buffer cache; implemented by the file
// system. Every call is made without the journal's spinlock held.
struct journal_client {
    virtual ~journal_client() {}
    // Block `bn` joined the running transaction: the cache must not write it
    // home until unpin(bn).
    virtual void pin(chkfs::blocknum_t bn) = 0;
    // The current contents of `bn` (no operation is running). 0 or E_IO.
    virtual int snapshot(chkfs::blocknum_t bn, void* buf) = 0;
    // Ordered data: write home every dirty block that is not pinned. 0 or E_IO.
    virtual int write_data() = 0;
    // The transaction committed and the journal wrote `bn` home (its
    // snapshot): the cached copy is clean unless changed since (it was not:
    // no operation ran), and may be evicted again.
    virtual void unpin(chkfs::blocknum_t bn) = 0;
    // The most blocks a transaction may keep pinned (a small cache cannot
    // hold many: operations then commit sooner, one alone at the least).
    virtual unsigned max_blocks() {
        return ~0U;
    }
};

struct journal {
    static constexpr unsigned op_max = 8;   // distinct blocks one operation may add

    // Replays `dev`'s journal (journal_replay) and starts writing at the
    // start of the now empty journal. 0, or journal_replay's errors, or
    // E_INVAL if the journal is too small for one transaction.
    int mount(blockdev* dev, journal_client* client);
    // Unmounted journals refuse every call with E_INVAL.

    // Operations nest: a task already inside one only counts a level.
    // After an I/O error the operation still begins (end_op must follow)
    // and the error is returned.
    int begin_op();                         // may sleep (commit running or no room): 0 or E_IO
    int add(chkfs::blocknum_t bn);          // bn was modified by this operation; E_NOSPC past op_max
    // This operation freed blocks [first, first + count).
    void note_free(chkfs::blocknum_t first, uint32_t count = 1);
    void end_op();
    // True if `bn` was freed by the uncommitted transaction: the allocator
    // must not hand it out yet.
    bool quarantined(chkfs::blocknum_t bn);
    // Does the running transaction hold freed blocks? (An allocation that
    // failed for lack of space may succeed after a commit: the caller ends
    // its operation, commits, and retries.)
    bool has_quarantine();
    // Commits the running transaction (if it has anything) and writes it
    // home. 0 or E_IO (the journal then refuses further work). Never from
    // inside an operation (it waits for every operation to end).
    int commit();

    // Whether the calling task is inside an operation (it must not commit).
    bool inside_op();

    // Counters for tests and logs.
    unsigned long commits() const { return commits_; }
    chkfs::tid_t next_tid() const { return tid_; }

    ~journal();

  private:
    struct txblock {
        chkfs::blocknum_t bn;
        bool freed;
    };
    spinlock lock_;
    wait_queue wq_;
    blockdev* dev_ = nullptr;
    journal_client* client_ = nullptr;
    chkfs::blocknum_t journal_bn_ = 0;
    unsigned njournal_ = 0;
    unsigned capacity_ = 0;         // blocks one transaction may hold (journal size)
    unsigned limit_ = 0;            // admission limit: capacity_ or the client's max_blocks()
    // Guarded by lock_:
    txblock* tx_ = nullptr;         // the running transaction's blocks, capacity_ entries
    unsigned ntx_ = 0;
    chkfs::extent* freed_ = nullptr;        // quarantine: runs freed by the running transaction
    unsigned nfreed_ = 0;
    unsigned nfreed_max_ = 0;
    bool quarantine_all_ = false;   // the quarantine could not grow: nothing is reusable
    unsigned active_ops_ = 0;
    struct opowner {
        proc* task;
        unsigned depth;
    };
    opowner* owners_ = nullptr;     // the active operations' tasks, capacity_ entries
    unsigned reserved_ = 0;         // op_max per active operation
    bool committing_ = false;
    int error_ = 0;                 // sticky I/O error
    // Touched only by the committing task (committing_ set):
    chkfs::tid_t tid_ = 1;          // the running transaction
    chkfs::tid_t seq_ = 1;          // next metablock
    unsigned pos_ = 0;              // next journal block index
    unsigned long commits_ = 0;
    unsigned char* buf_ = nullptr;  // records being written: capacity_ + 1 blocks
    bool* meta_ = nullptr;          // journal index holds a metablock we wrote (njournal_)
    unsigned char* zeros_ = nullptr;        // one block of zeros

    int do_commit();
    int write_marker(uint16_t flags, chkfs::tid_t commit, chkfs::tid_t complete);
    int place(unsigned nblocks);
    int write_ring(unsigned at, unsigned n, const void* src);
    int zero_metablocks(unsigned keep_from, unsigned keep_count);
    unsigned footprint(unsigned nblocks) const;
};

// The journal's client over the buffer cache (kernel/core/bufcache.hh):
// pin/unpin are the cache's pins, snapshot reads the cached copy, and
// write_data is sync(dev, 0) — every dirty block not pinned (file data, and
// metadata of transactions already written home) goes home and the device
// is flushed. The file system must call journal::add(bn) between
// write_begin and write_end of the change (so the block is pinned before
// anything could write it home).
struct bufcache;
struct bufcache_journal_client final : journal_client {
    bufcache* bc_;
    blockdev* dev_;
    unsigned max_blocks_;
    // max_blocks: pinned blocks the cache can spare (slots beyond what
    // operations hold at once).
    bufcache_journal_client(bufcache* bc, blockdev* dev, unsigned max_blocks = ~0U)
        : bc_(bc), dev_(dev), max_blocks_(max_blocks) {}
    unsigned max_blocks() override {
        return max_blocks_;
    }
    void pin(chkfs::blocknum_t bn) override;
    int snapshot(chkfs::blocknum_t bn, void* buf) override;
    int write_data() override;
    void unpin(chkfs::blocknum_t bn) override;
};
