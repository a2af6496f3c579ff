// chkfs.cc — chickadeefs in the kernel: the VFS objects (a root
// `dirnode`, a `vnode` per inode in use) over the format's logic
// (chkfs-logic.hh) and the buffer cache (bufcache.hh). docs/diskfs.md
// explains the design.
//
// Objects and locks (in lock order):
//   chkfs_dir::lock_      rwlock: the root directory's entries (shared for
//                         lookup/readdir, exclusive to create, unlink, rename)
//   volume::life_lock_    sleeplock: decides who frees an inode whose last
//                         link or last reference goes (see below)
//   chkfs_inode::lock_    rwlock: the inode's on-disk contents (size,
//                         extents, data); shared to read, exclusive to
//                         write or truncate
//   volume::bitmap_lock_  sleeplock: the free-block bitmap (taken inside
//                         the logic, for any file's allocation)
//   bufcache locks        (bcentry::content_, then the cache's spinlock)
//   volume::table_lock_   spinlock: the table of in-memory inodes; a leaf
// The on-disk inode lives in the cache, not in the vnode: every operation
// gets its block, changes it between write_begin/write_end, and puts it, so
// nothing stays referenced between calls (sys_sync(2) checks).
//
// One vnode per inode: the table finds the live vnode of an inode number;
// a vnode whose count reached zero is dying and is never revived (lookups
// take a reference only from a positive count, with a compare-exchange).
// Freeing: an inode is freed when it has no link and no vnode. Unlink and
// rename (dropping a link) and a vnode's last reference (dropping the
// vnode) both decide under life_lock_: whichever comes second frees.
//
// Easy to get wrong: every operation may sleep, so no spinlock is held
// across one (the table lock is taken only around list changes); a
// vnode's last reference may be dropped anywhere a file is closed (exit,
// close, dup2), always from a task that may sleep.
#include "chkfs.hh"
#include "chkfs-logic.hh"
#include "blockdev.hh"
#include "bufcache.hh"
#include "journal.hh"
#include "kalloc.hh"
#include "list.hh"
#include "log.hh"
#include "sleeplock.hh"
#include "proc.hh"
#include "string.hh"
#include "timer.hh"

using chkfs::inum_t;

namespace {

struct chkfs_inode;
struct chkfs_dir;

// Moves bytes between cache blocks and an iobuf (user memory or kernel).
struct iobuf_transfer final : chkfs::transfer {
    const iobuf& buf_;
    explicit iobuf_transfer(const iobuf& buf) : buf_(buf) {}
    int to_buffer(size_t pos, const unsigned char* src, size_t n) override {
        return buf_.put(pos, src, n) < 0 ? E_FAULT : 0;
    }
    int from_buffer(size_t pos, unsigned char* dst, size_t n) override {
        return buf_.get(pos, dst, n) < 0 ? E_FAULT : 0;
    }
};

// A regular file in use.
struct chkfs_inode final : vnode {
    chkfs_volume* vol_;
    rwlock lock_;                       // the on-disk inode's contents
    list_links links_;                  // [vol_->table_lock_] in the table
    // Read-ahead's state: where the last read ended (a read starting there
    // is sequential) and the file block up to which blocks were read
    // ahead. Racy by design: a wrong guess costs some I/O, never data.
    std::atomic<uint64_t> read_next_{0};
    std::atomic<uint64_t> ahead_end_{0};
    // Write-behind's state (inode lock held exclusively): where the last
    // write ended, and the file block before which a sequential stream's
    // blocks were written home.
    uint64_t write_next_ = 0;
    uint64_t behind_ = 0;
    void write_behind(uint64_t off, size_t n);

    chkfs_inode(chkfs_volume* vol, inum_t inum) : vnode(vn_file, uint64_t(inum)), vol_(vol) {}
    inum_t inum() const { return inum_t(ino_); }
    ssize_t read_at(const iobuf& buf, off_t off) override;
    ssize_t write_at(const iobuf& buf, off_t off) override;
    off_t size() override;
    int truncate(off_t size) override;
    void last_ref() override;
};

// Memory for directory indexes (chkfs-dirindex.hh).
struct kalloc_index_memory final : chkfs::index_memory {
    void* allocate(size_t bytes) override { return kalloc(bytes); }
    void release(void* p) override { kfree(p); }
};
kalloc_index_memory index_memory;

// The root directory.
struct chkfs_dir final : dirnode {
    chkfs_volume* vol_;
    rwlock lock_;                       // the entries
    // [lock_: exclusive to change; a shared holder may build it once,
    // see dir_index::claim, or read it] The entries' name index, built on
    // the first lookup, freed with the vnode.
    chkfs::dir_index index_{index_memory};

    explicit chkfs_dir(chkfs_volume* vol) : dirnode(vn_dir, chkfs::root_inum), vol_(vol) {}
    off_t size() override;
    vnode* lookup(const char* name) override;
    int open_entry(const char* name, bool create, vnode** out) override;
    int vnode_of(int r, inum_t inum, vnode** out);
    int unlink(const char* name) override;
    int rename(const char* from, const char* to) override;
    ssize_t entry(size_t index, char* name, size_t size) override;
};

// Reserves the cache slots one operation may hold (so that tasks inside
// the file system cannot fill every slot and wait for each other).
struct cache_reservation {
    bufcache* cache_;
    size_t n_;
    explicit cache_reservation(bufcache* cache) : cache_(cache) {
        n_ = chkfs::max_held_blocks < cache->nslots() ? chkfs::max_held_blocks : cache->nslots();
        if (cache_->reserve(n_) < 0) {
            n_ = 0;
        }
    }
    ~cache_reservation() {
        if (n_) {
            cache_->unreserve(n_);
        }
    }
};

chkfs_volume* boot_volume;

// Blocks read beyond a sequential read, and the window a sequential
// write writes home at once (bufcache::max_run: one request each).
constexpr uint32_t read_ahead_blocks = 32;
constexpr uint32_t write_behind_blocks = 32;

}  // namespace

// The block access of chkfs-logic on the buffer cache, the inode table,
// and the whole-volume operations.
struct chkfs_volume final : vfs_filesystem, chkfs::blockio {
    blockdev* dev_;
    bufcache* cache_;
    chkfs::fs fs_;
    chkfs_dir* root_ = nullptr;         // one reference, for the mount
    sleeplock bitmap_lock_;
    sleeplock life_lock_;
    spinlock table_lock_;
    list<chkfs_inode, &chkfs_inode::links_> table_;    // [table_lock_]
    size_t ntable_ = 0;                                 // [table_lock_]

    // The journal (kernel/core/journal.hh, docs/journal.md): metadata
    // blocks changed inside a transaction are added (and so pinned in the
    // cache) before their write bracket ends; file data goes home before
    // each commit. A cache of N slots keeps at most N/4 blocks pinned.
    bufcache_journal_client jclient_;
    journal journal_;

    chkfs_volume(blockdev* dev, bufcache* cache, const chkfs::superblock& sb)
        : dev_(dev), cache_(cache), fs_(*this, sb),
          jclient_(cache, dev, unsigned(cache->nslots() / 4)) {}

    // --- blockio ---
    int get(chkfs::blocknum_t bn, chkfs::blockref& ref, bool load) override {
        bcentry* e;
        int r = cache_->get(dev_, bn, &e, load ? 0 : BC_NOLOAD);
        if (r < 0) {
            return r;
        }
        ref.data = e->data();
        ref.handle = e;
        ref.bn = bn;
        return 0;
    }
    void write_begin(chkfs::blockref& ref) override {
        static_cast<bcentry*>(ref.handle)->write_begin();
    }
    void write_end(chkfs::blockref& ref, chkfs::dirty_kind kind) override {
        if (kind == chkfs::dirty_kind::meta) {
            if (int r = journal_.add(ref.bn); r < 0) {
                log_printf(log_level::error, "chkfs: block %u not journaled: error %d\n", ref.bn, r);
            }
        }
        static_cast<bcentry*>(ref.handle)->write_end();
    }
    void put(chkfs::blockref& ref) override {
        cache_->put(static_cast<bcentry*>(ref.handle));
    }
    void lock_bitmap() override { bitmap_lock_.lock(); }
    void unlock_bitmap() override { bitmap_lock_.unlock(); }
    void tx_begin() override {
        if (int r = journal_.begin_op(); r < 0) {
            log_printf(log_level::error, "chkfs: journal: error %d\n", r);
        }
    }
    void tx_end() override { journal_.end_op(); }
    void freed(chkfs::blocknum_t first, uint32_t count) override { journal_.note_free(first, count); }
    bool reusable(chkfs::blocknum_t bn) override { return !journal_.quarantined(bn); }
    chkfs::dir_index* index_of(inum_t dir) override {
        return dir == chkfs::root_inum && root_ ? &root_->index_ : nullptr;
    }

    // --- read-ahead ---
    // Brings file blocks [from, to) of `inum` (clamped to its size; its
    // inode lock held) that are not cached into the cache with
    // bufcache::prefetch: each run of consecutive disk blocks in one
    // device request, instead of one request per block as the logic's gets
    // would make. Returns the file block up to which blocks are now cached
    // (prefetch stops when the cache has no clean slot to give).
    uint64_t read_ahead(inum_t inum, uint64_t from, uint64_t to) {
        chkfs::inode_ref ir(*this);
        if (fs_.get_inode(inum, ir) < 0) {
            return from;
        }
        uint64_t nblocks = (uint64_t(ir->size) + chkfs::blocksize - 1) / chkfs::blocksize;
        to = to < nblocks ? to : nblocks;
        while (from < to) {
            chkfs::blocknum_t bn;
            uint32_t run;
            if (fs_.map(*ir, uint32_t(from), &bn, &run) < 0 || run == 0) {
                return from;
            }
            uint64_t k = run < to - from ? run : to - from;
            uint64_t got = bn != 0 ? cache_->prefetch(dev_, bn, size_t(k)) : k;
            from += got;
            if (got < k) {
                return from;
            }
        }
        return from;
    }

    // Writes home the dirty cached blocks of file blocks [from, to) of
    // `inum` (its inode lock held), each run of consecutive disk blocks in
    // one request (bufcache::write_back_range).
    void write_home(inum_t inum, uint64_t from, uint64_t to) {
        chkfs::inode_ref ir(*this);
        if (fs_.get_inode(inum, ir) < 0) {
            return;
        }
        while (from < to) {
            chkfs::blocknum_t bn;
            uint32_t run;
            if (fs_.map(*ir, uint32_t(from), &bn, &run) < 0 || run == 0) {
                return;
            }
            uint64_t k = run < to - from ? run : to - from;
            if (bn != 0) {
                // An error leaves the blocks dirty: sync or eviction retries
                // and reports it.
                cache_->write_back_range(dev_, bn, size_t(k));
            }
            from += k;
        }
    }

    // --- vfs_filesystem: the inodes and the bitmap live in the cache, so
    // the cache's sync writes them home.
    int sync(int mode) override {
        int r = journal_.commit();
        int r2 = cache_->sync(dev_, mode);
        return r < 0 ? r : r2;
    }

    // --- the inode table ---
    // A new reference to the vnode of regular file `inum` (made if there
    // is no live one): 0, E_NOMEM, E_IO (not a regular file). The caller
    // holds a cache reservation and the directory lock under which it
    // found `inum`, so an unlink cannot free the inode in between.
    int vnode_for(inum_t inum, chkfs_inode** out) {
        {
            chkfs::inode_ref ir(*this);
            if (int r = fs_.get_inode(inum, ir); r < 0) {
                return r;
            }
            if (ir->type != chkfs::type_regular) {
                return E_IO;
            }
        }
        auto* fresh = new chkfs_inode(this, inum);
        spinlock_guard guard(table_lock_);
        for (chkfs_inode* ci = table_.front(); ci; ci = table_.next(ci)) {
            long refs = ci->refs_.load(std::memory_order_relaxed);
            if (ci->inum() == inum && refs > 0) {
                // Live: take a reference unless it is dying meanwhile.
                while (refs > 0 && !ci->refs_.compare_exchange_weak(refs, refs + 1)) {
                }
                if (refs > 0) {
                    delete fresh;
                    *out = ci;
                    return 0;
                }
            }
        }
        if (!fresh) {
            return E_NOMEM;
        }
        table_.push_back(fresh);
        ++ntable_;
        *out = fresh;
        return 0;
    }
    // Is there a vnode (live or dying) for `inum`? (life_lock_ held)
    bool in_table(inum_t inum) {
        spinlock_guard guard(table_lock_);
        for (chkfs_inode* ci = table_.front(); ci; ci = table_.next(ci)) {
            if (ci->inum() == inum) {
                return true;
            }
        }
        return false;
    }
    // After `inum` lost a link (life_lock_ held): frees it if that was its
    // last link and no vnode uses it.
    void maybe_free(inum_t inum) {
        uint32_t nlink;
        {
            chkfs::inode_ref ir(*this);
            if (fs_.get_inode(inum, ir) < 0) {
                return;
            }
            nlink = ir->nlink;
        }
        if (nlink == 0 && !in_table(inum)) {
            if (int r = fs_.free_inode(inum); r < 0) {
                log_printf(log_level::warn, "chkfs: freeing inode %d: error %d\n", inum, r);
            }
        }
    }
    // A vnode's last reference went: out of the table; the inode is freed
    // if it has no link left.
    void release(chkfs_inode* ci) {
        {
            cache_reservation res(cache_);
            sleeplock_guard life(life_lock_);
            {
                spinlock_guard guard(table_lock_);
                table_.erase(ci);
                --ntable_;
            }
            maybe_free(ci->inum());
        }
        delete ci;
    }
};

namespace {

// --- files -------------------------------------------------------------------

ssize_t chkfs_inode::read_at(const iobuf& buf, off_t off) {
    if (off < 0) {
        return E_INVAL;
    }
    cache_reservation res(vol_->cache_);
    shared_guard guard(lock_);
    // Read the blocks this read needs in as few requests as possible; and
    // reading on from where the last read ended, once fewer than half a
    // window of blocks is left read ahead, the next read_ahead_blocks too.
    uint64_t first = uint64_t(off) / chkfs::blocksize;
    uint64_t end = (uint64_t(off) + buf.size + chkfs::blocksize - 1) / chkfs::blocksize;
    if (read_next_.load(std::memory_order_relaxed) == uint64_t(off)) {
        uint64_t ahead = ahead_end_.load(std::memory_order_relaxed);
        if (ahead < first || ahead > end + read_ahead_blocks) {
            ahead = first;                  // the window is elsewhere: start anew
        }
        if (end + read_ahead_blocks / 2 > ahead) {
            ahead = vol_->read_ahead(inum(), ahead, end + read_ahead_blocks);
            ahead_end_.store(ahead, std::memory_order_relaxed);
        }
    } else {
        ahead_end_.store(vol_->read_ahead(inum(), first, end), std::memory_order_relaxed);
    }
    iobuf_transfer xf(buf);
    ssize_t r = vol_->fs_.read(inum(), uint64_t(off), buf.size, xf);
    if (r > 0) {
        read_next_.store(uint64_t(off) + uint64_t(r), std::memory_order_relaxed);
    }
    return r;
}

ssize_t chkfs_inode::write_at(const iobuf& buf, off_t off) {
    if (off < 0) {
        return E_INVAL;
    }
    cache_reservation res(vol_->cache_);
    exclusive_guard guard(lock_);
    // Out of space while the running transaction holds freed blocks: they
    // become reusable once it commits (journal quarantine), so commit and
    // try the rest once more.
    size_t done = 0;
    bool retried = false;
    for (;;) {
        iobuf rest{buf.pt, buf.addr + done, buf.size - done};
        iobuf_transfer xf(rest);
        ssize_t r = vol_->fs_.write(inum(), uint64_t(off) + done, rest.size, xf);
        if (r > 0) {
            done += size_t(r);
        }
        bool short_of_space = r == E_NOSPC || (r >= 0 && done < buf.size);
        if (short_of_space && !retried && vol_->journal_.has_quarantine()) {
            retried = true;
            if (vol_->journal_.commit() == 0) {
                continue;
            }
        }
        if (done) {
            write_behind(uint64_t(off), done);
        }
        return done ? ssize_t(done) : r;
    }
}

// Write-behind: a file written sequentially has each full window of
// write_behind_blocks file blocks written home as soon as the stream has
// passed it, in one disk request per run, instead of leaving 4 KiB blocks
// for the cache to write one by one when it evicts them. Ordered data
// allows it (data may reach the disk any time before the commit that
// points to it; a block allocated in the running transaction was free in
// the committed state, so a crash shows nothing of it). Random writes are
// left to eviction and sync.
void chkfs_inode::write_behind(uint64_t off, size_t n) {
    uint64_t end = off + n;
    uint64_t window = uint64_t(write_behind_blocks) * chkfs::blocksize;
    if (off != write_next_) {
        behind_ = (off + window - 1) / window * write_behind_blocks;   // next full window
    }
    write_next_ = end;
    uint64_t upto = end / window * write_behind_blocks;
    if (upto > behind_) {
        vol_->write_home(inum(), behind_, upto);
        behind_ = upto;
    }
}

off_t chkfs_inode::size() {
    cache_reservation res(vol_->cache_);
    shared_guard guard(lock_);
    return vol_->fs_.size(inum());
}

int chkfs_inode::truncate(off_t size) {
    if (size < 0) {
        return E_INVAL;
    }
    cache_reservation res(vol_->cache_);
    exclusive_guard guard(lock_);
    int r = vol_->fs_.truncate(inum(), uint64_t(size));
    // As for a write: blocks freed by the running transaction are
    // reusable once it commits, so a growth that found no room tries once
    // more after a commit (E_NOSPC changes nothing, so trying is safe).
    if (r == E_NOSPC && vol_->journal_.has_quarantine() && vol_->journal_.commit() == 0) {
        r = vol_->fs_.truncate(inum(), uint64_t(size));
    }
    return r;
}

void chkfs_inode::last_ref() {
    vol_->release(this);
}

// --- the root directory ----------------------------------------------------

off_t chkfs_dir::size() {
    cache_reservation res(vol_->cache_);
    shared_guard guard(lock_);
    return vol_->fs_.size(chkfs::root_inum);
}

vnode* chkfs_dir::lookup(const char* name) {
    vnode* v;
    return open_entry(name, false, &v) == 0 ? v : nullptr;
}

int chkfs_dir::open_entry(const char* name, bool create, vnode** out) {
    cache_reservation res(vol_->cache_);
    if (!create) {
        // Lookups share the directory.
        shared_guard guard(lock_);
        inum_t inum = 0;
        int r = vol_->fs_.dir_lookup(chkfs::root_inum, name, &inum);
        return vnode_of(r, inum, out);
    }
    // A create needs the directory alone. fs::create scans the directory
    // for the name itself (E_INVAL if it is there, or if the name is not
    // valid): one scan instead of a lookup, then another under the
    // exclusive lock, then create's own.
    exclusive_guard guard(lock_);
    inum_t inum = 0;
    int r = vol_->fs_.create(chkfs::root_inum, name, chkfs::type_regular, &inum);
    if (r == E_INVAL) {
        r = vol_->fs_.dir_lookup(chkfs::root_inum, name, &inum);
    }
    return vnode_of(r, inum, out);
}

// The vnode for the entry a lookup or create found (r: its result), made
// while the directory lock is still held: once it is dropped an unlink
// could free the inode, and a create reuse its number, before the vnode
// holds it (tests/user/p-hostile-open-race).
int chkfs_dir::vnode_of(int r, inum_t inum, vnode** out) {
    if (r < 0) {
        return r == E_IO || r == E_NOSPC || r == E_NOMEM || r == E_NOENT ? r : E_NOENT;
    }
    chkfs_inode* ci;
    if (int e = vol_->vnode_for(inum, &ci); e < 0) {
        return e == E_NOMEM ? e : E_IO;
    }
    *out = ci;
    return 0;
}

int chkfs_dir::unlink(const char* name) {
    cache_reservation res(vol_->cache_);
    exclusive_guard guard(lock_);
    sleeplock_guard life(vol_->life_lock_);
    inum_t inum;
    if (int r = vol_->fs_.unlink(chkfs::root_inum, name, &inum); r < 0) {
        return r;
    }
    vol_->maybe_free(inum);
    return 0;
}

int chkfs_dir::rename(const char* from, const char* to) {
    cache_reservation res(vol_->cache_);
    exclusive_guard guard(lock_);
    sleeplock_guard life(vol_->life_lock_);
    inum_t replaced;
    if (int r = vol_->fs_.rename(chkfs::root_inum, from, to, &replaced); r < 0) {
        return r;
    }
    if (replaced) {
        vol_->maybe_free(replaced);
    }
    return 0;
}

ssize_t chkfs_dir::entry(size_t index, char* name, size_t size) {
    char n[chkfs::maxnamelen + 1];
    inum_t inum;
    int r;
    {
        cache_reservation res(vol_->cache_);
        shared_guard guard(lock_);
        r = vol_->fs_.dir_entry(chkfs::root_inum, index, n, &inum);
    }
    if (r <= 0) {
        return r;
    }
    size_t len = strlen(n);
    if (len + 1 > size) {
        return E_RANGE;
    }
    memcpy(name, n, len + 1);
    return ssize_t(len);
}

}  // namespace

// --- mounting ----------------------------------------------------------------

int chkfs_mount(blockdev* dev, bufcache* cache, dirnode** root, chkfs_volume** vol) {
    chkfs::superblock sb;
    {
        bcentry* e;
        if (int r = cache->get(dev, 0, &e); r < 0) {
            log_printf(log_level::warn, "chkfs: %s: reading the superblock: error %d\n", dev->name_, r);
            return r;
        }
        memcpy(&sb, e->data() + chkfs::superblock_offset, sizeof(sb));
        cache->put(e);
    }
    if (const char* why = chkfs::check_superblock(sb, dev->nblocks_)) {
        log_printf(log_level::warn, "chkfs: %s: not mounted: %s\n", dev->name_, why);
        return E_INVAL;
    }
    auto* v = new chkfs_volume(dev, cache, sb);
    auto* d = v ? new chkfs_dir(v) : nullptr;
    if (!d) {
        delete v;
        return E_NOMEM;
    }
    // Replay before the file system reads anything but the superblock;
    // then drop what the cache holds of this disk (it may predate replay).
    if (int r = v->journal_.mount(dev, &v->jclient_); r < 0) {
        log_printf(log_level::warn, "chkfs: %s: not mounted: journal error %d\n", dev->name_, r);
        delete d;
        delete v;
        return r;
    }
    cache->sync(dev, 1);
    // When pinned blocks keep a cache reservation out, commit (docs/bufcache.md).
    cache->add_pin_release([](void* arg) {
        auto* vol = static_cast<chkfs_volume*>(arg);
        if (!vol->journal_.inside_op()) {
            vol->journal_.commit();
        }
    }, v);
    // The root must be a directory.
    {
        chkfs::inode_ref ir(*v);
        int r = v->fs_.get_inode(chkfs::root_inum, ir);
        if (r < 0 || ir->type != chkfs::type_directory) {
            log_printf(log_level::warn, "chkfs: %s: not mounted: inode 1 is not a directory\n",
                       dev->name_);
            ir.hb_.release();
            delete d;
            delete v;
            return r < 0 ? r : E_INVAL;
        }
    }
    v->root_ = d;
    d->get();                           // the caller's reference
    *root = d;
    *vol = v;
    return 0;
}

vfs_filesystem* chkfs_filesystem(chkfs_volume* vol) {
    return vol;
}

int64_t chkfs_free_blocks(chkfs_volume* vol) {
    cache_reservation res(vol->cache_);
    return vol->fs_.count_free();
}

size_t chkfs_open_inodes(chkfs_volume* vol) {
    spinlock_guard guard(vol->table_lock_);
    return vol->ntable_;
}

namespace {

constexpr unsigned flush_interval_ms = 2000;

// The boot volume's periodic write-back (sys_sync(0)'s work).
void flusher(void* arg) {
    auto* vol = static_cast<chkfs_volume*>(arg);
    for (;;) {
        msleep(flush_interval_ms);
        if (int r = vol->sync(0); r < 0) {
            log_printf(log_level::warn, "chkfs: periodic write-back: error %d\n", r);
        }
    }
}

}  // namespace

bool chkfs_mount_boot() {
    blockdev* dev = blockdev_root();
    if (!dev) {
        log_printf(log_level::info, "chkfs: no disk; the root is the memory file system\n");
        return false;
    }
    bufcache* cache = bufcache_root();
    if (!cache) {
        log_printf(log_level::warn, "chkfs: no buffer cache; the root is the memory file system\n");
        return false;
    }
    dirnode* root;
    chkfs_volume* vol;
    if (chkfs_mount(dev, cache, &root, &vol) < 0) {
        log_printf(log_level::warn, "chkfs: the root stays the memory file system\n");
        return false;
    }
    boot_volume = vol;
    vfs_mount_root(root, vol);
    // Write dirty blocks home every few seconds, so a machine stopped
    // without sync (quitting QEMU) loses at most that much.
    if (!spawn_kernel_task(0, flusher, vol, "chkfs-flush")) {
        log_printf(log_level::warn, "chkfs: no periodic write-back (out of memory)\n");
    }
    log_printf(log_level::info, "chkfs: %s mounted as the root (%u blocks, %d inodes)\n",
               dev->name_, vol->fs_.sb_.nblocks, vol->fs_.sb_.ninodes);
    return true;
}

chkfs_volume* chkfs_boot_volume() {
    return boot_volume;
}

ssize_t chkfs_readdiskfile(const char* path, const iobuf& buf, off_t off) {
    if (!boot_volume) {
        return E_NOENT;
    }
    // LAB disk BEGIN: exercise 4, sys_readdiskfile: look the path up in the disk's root directory and read from the file at off into buf (E_NOENT, E_INVAL for a path without a name)
    const char* name;
    if (int r = vfs_split_path(path, &name); r < 0) {
        return r;
    }
    if (!name) {
        return E_INVAL;
    }
    vnode* v = boot_volume->root_->lookup(name);
    if (!v) {
        return E_NOENT;
    }
    ssize_t n = v->read_at(buf, off);
    v->put();
    return n;
    // LAB disk STUB: (void) path;
    // LAB disk STUB: (void) buf;
    // LAB disk STUB: (void) off;
    // LAB disk STUB: return E_NOSYS;
    // LAB disk END
}
