// bufcache.cc — the buffer cache (see bufcache.hh and docs/bufcache.md).
//
// Lookup goes through a hash table keyed by (device, block): chains of
// `hash_next_` in `buckets_`, holding exactly the valid and loading slots
// (a failed load leaves its bucket at once, so the next get reads again).
// Every unpinned slot is on `lru_`; a slot moves to the back when its last
// reference is put, so the front is the least recently used; empty and
// failed slots are put at the front. A pinned slot leaves the list (it
// cannot be a victim) and comes back at the back when unpinned. A victim
// is the front-most slot with no reference: an empty or failed slot if
// there is one, else the least recently used. A dirty victim is written home first
// (holding a reference so no one else takes it meanwhile), then the search
// starts over: the block may have been asked for again while it went out.
//
// Easy to get wrong: never hold `lock_` across a transfer, a sleeping lock
// or a wake (wake after unlocking; the wait predicates re-check under
// `lock_`); a failed load must leave the slot unfindable (bc_failed) so
// the next get retries, while tasks that waited for that load still hold
// references to it and must each see the error; dirty is cleared under
// the exclusive content lock, *before* the transfer, so a change made
// after write_back starts is not lost (write_end sets it again). Runs
// (sync, write_back_range, prefetch) keep every one of these rules per
// entry: each entry of a run written is under its own content lock, taken
// in ascending block order; prefetch never waits for a slot nor writes one
// back, so it cannot deadlock against the tasks whose slots it skips.
#include "bufcache.hh"
#include <new>
#include "abi/errno.hh"
#include "cmdline.hh"
#include "kalloc.hh"
#include "log.hh"
#include "proc.hh"
#include "string.hh"

// ---- bcentry ---------------------------------------------------------------

void bcentry::write_begin() {
    content_.lock();
}

void bcentry::write_end() {
    {
        spinlock_guard guard(cache_->lock_);
        assert(refs_ > 0, "bcentry::write_end without a reference");
        dirty_ = true;
    }
    content_.unlock();
}

void bcentry::read_begin() {
    content_.lock_shared();
}

void bcentry::read_end() {
    content_.unlock_shared();
}

bool bcentry::dirty() const {
    spinlock_guard guard(cache_->lock_);
    return dirty_;
}

unsigned bcentry::pins() const {
    spinlock_guard guard(cache_->lock_);
    return pins_;
}

void bcref::reset(bcentry* e) {
    if (e_) {
        e_->cache_->put(e_);
    }
    e_ = e;
}

// ---- bufcache: setup -------------------------------------------------------

bufcache::~bufcache() {
    destroy();
}

int bufcache::init(size_t nslots) {
    assert(!slots_, "bufcache::init twice");
    if (nslots == 0 || nslots > BUFCACHE_MAX_SLOTS) {
        return E_INVAL;
    }
    auto* slots = static_cast<bcentry*>(kalloc(nslots * sizeof(bcentry)));
    auto* resv = static_cast<struct resv*>(kalloc(nslots * sizeof(struct resv)));
    size_t nbuckets = 1;
    while (nbuckets < 2 * nslots) {
        nbuckets *= 2;
    }
    auto* buckets = static_cast<bcentry**>(kalloc(nbuckets * sizeof(bcentry*)));
    if (!slots || !resv || !buckets) {
        kfree(slots);
        kfree(resv);
        kfree(buckets);
        return E_NOMEM;
    }
    for (size_t i = 0; i != nbuckets; ++i) {
        buckets[i] = nullptr;
    }
    size_t made = 0;
    for (; made < nslots; ++made) {
        auto* data = static_cast<unsigned char*>(kalloc_page());
        if (!data) {
            break;
        }
        bcentry* e = new (&slots[made]) bcentry;
        e->cache_ = this;
        e->data_ = data;
    }
    if (made < nslots) {
        for (size_t i = 0; i < made; ++i) {
            kfree(slots[i].data_);
            slots[i].~bcentry();
        }
        kfree(slots);
        kfree(resv);
        kfree(buckets);
        return E_NOMEM;
    }
    spinlock_guard guard(lock_);
    buckets_ = buckets;
    nbuckets_ = nbuckets;
    slots_ = slots;
    nslots_ = nslots;
    resv_ = resv;
    nresv_ = 0;
    for (size_t i = 0; i < nslots; ++i) {
        lru_.push_back(&slots[i]);
    }
    return 0;
}

void bufcache::destroy() {
    bcentry* slots;
    size_t n;
    {
        spinlock_guard guard(lock_);
        slots = slots_;
        n = nslots_;
        for (size_t i = 0; i < n; ++i) {
            assert(slots[i].refs_ == 0, "bufcache::destroy with a block still referenced");
            if (slots[i].pins_ == 0) {
                lru_.erase(&slots[i]);
            }
        }
        kfree(buckets_);
        buckets_ = nullptr;
        nbuckets_ = 0;
        slots_ = nullptr;
        nslots_ = 0;
        pinned_ = 0;
        kfree(resv_);
        resv_ = nullptr;
        nresv_ = 0;
        reserved_ = 0;
        npin_release_ = 0;
    }
    for (size_t i = 0; i < n; ++i) {
        kfree(slots[i].data_);
        slots[i].~bcentry();
    }
    kfree(slots);
}

// ---- bufcache: get and put ---------------------------------------------------

size_t bufcache::bucket_of(blockdev* dev, uint64_t bn) const {
    // Multiplicative hashing, the well-mixed high bits folded down.
    uint64_t h = bn * 0x9E3779B97F4A7C15ULL ^ (reinterpret_cast<uintptr_t>(dev) >> 4)
        * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    return size_t(h) & (nbuckets_ - 1);
}

void bufcache::hash_insert_locked(bcentry* e) {
    bcentry** head = &buckets_[bucket_of(e->dev_, e->bn_)];
    e->hash_next_ = *head;
    *head = e;
}

void bufcache::hash_remove_locked(bcentry* e) {
    bcentry** pp = &buckets_[bucket_of(e->dev_, e->bn_)];
    while (*pp != e) {
        assert(*pp, "bufcache: entry missing from its hash bucket");
        pp = &(*pp)->hash_next_;
    }
    *pp = e->hash_next_;
    e->hash_next_ = nullptr;
}

bcentry* bufcache::find_locked(blockdev* dev, uint64_t bn) {
    for (bcentry* e = buckets_[bucket_of(dev, bn)]; e; e = e->hash_next_) {
        ++probes_;
        if (e->dev_ == dev && e->bn_ == bn) {
            return e;
        }
    }
    return nullptr;
}

bcentry* bufcache::victim_locked() {
    // LAB disk BEGIN: exercise 1, eviction: an unreferenced empty or failed slot if any, else the least recently used slot with no reference and no pin (nullptr: none)
    // Pinned slots are not on lru_; empty and failed ones are at its front.
    for (bcentry* e = lru_.front(); e; e = lru_.next(e)) {
        ++probes_;
        if (e->refs_ == 0) {
            return e;
        }
    }
    return nullptr;
    // LAB disk STUB: // Any unreferenced slot, in array order: recency and pins ignored.
    // LAB disk STUB: for (size_t i = 0; i < nslots_; ++i) {
    // LAB disk STUB:     if (slots_[i].refs_ == 0) {
    // LAB disk STUB:         return &slots_[i];
    // LAB disk STUB:     }
    // LAB disk STUB: }
    // LAB disk STUB: return nullptr;
    // LAB disk END
}

int bufcache::get(blockdev* dev, uint64_t bn, bcentry** out, unsigned flags) {
    assert_may_sleep();
    if (!dev || bn >= dev->nblocks_) {
        return E_INVAL;
    }
    for (;;) {
        enum { found, no_slot, write_first, load } action;
        bcentry* e;
        {
            spinlock_guard guard(lock_);
            assert(slots_, "bufcache::get before init");
            if ((e = find_locked(dev, bn))) {
                ++e->refs_;
                action = found;
            } else if (!(e = victim_locked())) {
                ++stats_.waits;
                action = no_slot;
            } else if (e->state_ == bc_valid && e->dirty_) {
                ++e->refs_;     // hold it so no one reuses it while it goes out
                action = write_first;
            } else {
                // A clean, unreferenced slot: take it over.
                if (e->state_ == bc_valid) {
                    ++stats_.evictions;
                    hash_remove_locked(e);
                }
                e->dev_ = dev;
                e->bn_ = bn;
                e->state_ = bc_loading;
                hash_insert_locked(e);
                e->refs_ = 1;
                e->dirty_ = false;
                e->load_error_ = 0;
                lru_.erase(e);
                lru_.push_back(e);
                if (!(flags & BC_NOLOAD)) {
                    ++stats_.loads;
                }
                action = load;
            }
        }

        if (action == found) {
            // If someone else is reading it, wait for that one read.
            waiter w;
            w.block_until(loaded_, [&] {
                spinlock_guard guard(lock_);
                return e->state_ != bc_loading;
            });
            int r = 0;
            bool free = false;
            {
                spinlock_guard guard(lock_);
                if (e->state_ == bc_valid) {
                    ++stats_.hits;
                } else {
                    // That load failed; the entry is no longer findable.
                    r = e->load_error_;
                    free = --e->refs_ == 0;
                }
            }
            if (free) {
                slot_wait_.wake_all();
            }
            if (r < 0) {
                return r;
            }
            *out = e;
            return 0;
        }

        if (action == no_slot) {
            // Every slot is referenced or pinned: wait for a put or unpin
            // (or for someone else to bring this very block in).
            waiter w;
            w.block_until(slot_wait_, [&] {
                spinlock_guard guard(lock_);
                return victim_locked() || find_locked(dev, bn);
            });
            continue;
        }

        if (action == write_first) {
            uint64_t victim_bn = e->bn_;
            const char* victim_dev = e->dev_->name_;
            int r = write_back_ref(e);
            release(e, false);
            if (r < 0) {
                // It stays dirty and cached; this get fails rather than
                // dropping someone's data.
                log_printf(log_level::warn, "bufcache: writing block %lu of %s back failed (%d)\n",
                           (unsigned long) victim_bn, victim_dev, r);
                return r;
            }
            continue;           // start over: things changed while we slept
        }

        int r = 0;
        if (flags & BC_NOLOAD) {
            memset(e->data_, 0, BUFCACHE_BLOCKSIZE);
        } else {
            r = dev->read(bn, 1, e->data_);
        }
        bool free = false;
        {
            spinlock_guard guard(lock_);
            if (r < 0) {
                hash_remove_locked(e);
                e->state_ = bc_failed;
                e->load_error_ = r;
                ++stats_.load_errors;
                lru_.erase(e);
                lru_.push_front(e);
                free = --e->refs_ == 0;
            } else {
                e->state_ = bc_valid;
            }
        }
        loaded_.wake_all();
        if (free) {
            slot_wait_.wake_all();
        }
        if (r < 0) {
            return r;
        }
        *out = e;
        return 0;
    }
}

void bufcache::put(bcentry* e) {
    release(e, true);
}

// Drop a reference; the last one makes the entry the most recently used
// if `touch` (a user's put), and leaves its place alone if not (the
// cache's own short references: eviction write-back, sync, for_each —
// they are not uses).
void bufcache::release(bcentry* e, bool touch) {
    bool free;
    {
        spinlock_guard guard(lock_);
        assert(e->cache_ == this && e->refs_ > 0, "bufcache::put of an unreferenced block");
        if (--e->refs_ != 0) {
            return;
        }
        free = e->pins_ == 0;
        if (touch && free) {
            lru_.erase(e);
            lru_.push_back(e);
        }
    }
    if (free) {
        slot_wait_.wake_all();
    }
}

// ---- bufcache: write-back, pins, walks -------------------------------------------

int bufcache::write_back_ref(bcentry* e) {
    // LAB disk BEGIN: exercise 2, write-back: with content_ held, if e is dirty, valid and unpinned, mark it clean and write it to its device; a failed write leaves it dirty
    e->content_.lock();
    bool go;
    {
        spinlock_guard guard(lock_);
        go = e->dirty_ && e->pins_ == 0 && e->state_ == bc_valid;
        if (go) {
            e->dirty_ = false;
        }
    }
    if (!go) {
        e->content_.unlock();
        return 0;
    }
    int r = e->dev_->write(e->bn_, 1, e->data_);
    if (r < 0) {
        spinlock_guard guard(lock_);
        e->dirty_ = true;
    } else {
        ++stats_.writebacks;
    }
    e->content_.unlock();
    return r;
    // LAB disk STUB: spinlock_guard guard(lock_);
    // LAB disk STUB: e->dirty_ = false;     // called clean, never written
    // LAB disk STUB: return 0;
    // LAB disk END
}

int bufcache::write_back(bcentry* e) {
    assert_may_sleep();
    {
        spinlock_guard guard(lock_);
        assert(e->refs_ > 0, "bufcache::write_back without a reference");
    }
    return write_back_ref(e);
}

// The dirty entries that follow `es[0]` (referenced) on its device, block
// after block, each taken with a reference, into es[1..]; stops at the
// first block that is not cached, clean, pinned or loading, or at `limit`
// (≤ max_run) entries. Returns how many es holds.
size_t bufcache::dirty_run_locked(bcentry* e, bcentry** es, size_t limit) {
    size_t n = 1;
    while (n < limit) {
        bcentry* f = find_locked(e->dev_, e->bn_ + n);
        if (!f || f->state_ != bc_valid || !f->dirty_ || f->pins_ != 0) {
            break;
        }
        ++f->refs_;
        es[n++] = f;
    }
    return n;
}

// Writes home, as few device requests as possible, the dirty, unpinned,
// valid entries among es[0..n) (references held; one device; consecutive
// block numbers, ascending; n ≤ max_run). Each entry's content lock is
// held across its transfer, as in write_back_ref; es[0]'s is waited for,
// the others' too if `wait`, else an entry whose lock is busy ends the run
// there (it is left alone). Locks are taken in ascending block order, and
// nobody holding a content lock waits for another one, so this cannot
// deadlock. 0 or the first error (those blocks stay dirty).
int bufcache::write_run_ref(bcentry** es, size_t n, bool wait) {
    assert(n >= 1 && n <= max_run);
    if (n == 1) {
        return write_back_ref(es[0]);
    }
    // LAB disk BEGIN: after exercise 2 (optional, the stub works): write the run in as few device requests as possible (blockdev::writev), each entry under its content lock as in write_back_ref
    size_t locked = 0;
    for (; locked != n; ++locked) {
        if (locked == 0 || wait) {
            es[locked]->content_.lock();
        } else if (!es[locked]->content_.try_lock()) {
            break;
        }
    }
    n = locked;
    bool go[max_run];
    {
        spinlock_guard guard(lock_);
        for (size_t i = 0; i != n; ++i) {
            bcentry* e = es[i];
            go[i] = e->dirty_ && e->pins_ == 0 && e->state_ == bc_valid;
            if (go[i]) {
                e->dirty_ = false;
            }
        }
    }
    int result = 0;
    for (size_t i = 0; i != n; ) {
        if (!go[i]) {
            ++i;
            continue;
        }
        size_t j = i;
        const void* bufs[max_run];
        while (j != n && go[j]) {
            bufs[j - i] = es[j]->data_;
            ++j;
        }
        blockdev* dev = es[i]->dev_;
        int r = j - i == 1 ? dev->write(es[i]->bn_, 1, bufs[0])
                           : dev->writev(es[i]->bn_, j - i, bufs);
        if (r < 0) {
            spinlock_guard guard(lock_);
            for (size_t k = i; k != j; ++k) {
                es[k]->dirty_ = true;
            }
            result = result ? result : r;
        } else {
            stats_.writebacks += j - i;
        }
        i = j;
    }
    for (size_t i = 0; i != n; ++i) {
        es[i]->content_.unlock();
    }
    return result;
    // LAB disk STUB: // One entry at a time (`wait` does not matter: write_back_ref waits).
    // LAB disk STUB: (void) wait;
    // LAB disk STUB: int result = 0;
    // LAB disk STUB: for (size_t i = 0; i != n; ++i) {
    // LAB disk STUB:     int r = write_back_ref(es[i]);
    // LAB disk STUB:     result = result ? result : r;
    // LAB disk STUB: }
    // LAB disk STUB: return result;
    // LAB disk END
}

int bufcache::write_back_range(blockdev* dev, uint64_t bn, size_t count) {
    assert_may_sleep();
    if (!dev || bn >= dev->nblocks_) {
        return 0;
    }
    if (count > dev->nblocks_ - bn) {
        count = dev->nblocks_ - bn;
    }
    int result = 0;
    uint64_t end = bn + count;
    while (bn < end) {
        bcentry* run[max_run];
        size_t n = 0;
        {
            spinlock_guard guard(lock_);
            bcentry* e = find_locked(dev, bn);
            if (e && e->state_ == bc_valid && e->dirty_ && e->pins_ == 0) {
                ++e->refs_;
                run[0] = e;
                size_t limit = end - bn < max_run ? size_t(end - bn) : max_run;
                n = dirty_run_locked(e, run, limit);
            }
        }
        if (n == 0) {
            ++bn;
            continue;
        }
        int r = write_run_ref(run, n, false);
        for (size_t i = 0; i != n; ++i) {
            release(run[i], false);
        }
        result = result ? result : r;
        bn += n;
    }
    return result;
}

size_t bufcache::prefetch(blockdev* dev, uint64_t bn, size_t count) {
    assert_may_sleep();
    if (!dev || bn >= dev->nblocks_) {
        return 0;
    }
    if (count > dev->nblocks_ - bn) {
        count = dev->nblocks_ - bn;
    }
    size_t budget = nslots_ / 4;        // blocks loaded at most
    size_t loaded = 0;
    size_t covered = 0;                 // blocks from bn on, cached or read
    bool stop = false;
    while (covered != count && !stop) {
        bcentry* run[max_run];
        size_t n = 0;
        uint64_t first = bn + covered;
        {
            spinlock_guard guard(lock_);
            while (covered + n != count && n != max_run) {
                if (find_locked(dev, first + n)) {
                    if (n) {
                        break;          // read the run so far; this one is here
                    }
                    ++covered, ++first;
                    continue;
                }
                bcentry* e = loaded + n < budget ? victim_locked() : nullptr;
                if (!e || (e->state_ == bc_valid && e->dirty_)) {
                    stop = true;        // out of budget, or no slot to take
                    break;              // without waiting or writing
                }
                if (e->state_ == bc_valid) {
                    ++stats_.evictions;
                    hash_remove_locked(e);
                }
                e->dev_ = dev;
                e->bn_ = first + n;
                e->state_ = bc_loading;
                hash_insert_locked(e);
                e->refs_ = 1;
                e->dirty_ = false;
                e->load_error_ = 0;
                lru_.erase(e);
                lru_.push_back(e);
                ++stats_.loads;
                run[n++] = e;
            }
        }
        if (n == 0) {
            continue;
        }
        void* bufs[max_run];
        for (size_t i = 0; i != n; ++i) {
            bufs[i] = run[i]->data_;
        }
        int r = n == 1 ? dev->read(first, 1, bufs[0]) : dev->readv(first, n, bufs);
        {
            spinlock_guard guard(lock_);
            for (size_t i = 0; i != n; ++i) {
                if (r < 0) {
                    // Unfindable at once, and the first victim (as in get).
                    hash_remove_locked(run[i]);
                    run[i]->state_ = bc_failed;
                    run[i]->load_error_ = r;
                    ++stats_.load_errors;
                    lru_.erase(run[i]);
                    lru_.push_front(run[i]);
                } else {
                    run[i]->state_ = bc_valid;
                }
            }
        }
        loaded_.wake_all();
        for (size_t i = 0; i != n; ++i) {
            release(run[i], r >= 0);    // a failed slot stays at the front
        }
        if (r < 0) {
            break;
        }
        loaded += n;
        covered += n;
    }
    return covered;
}

void bufcache::pin(bcentry* e) {
    spinlock_guard guard(lock_);
    assert(e->refs_ > 0, "bufcache::pin without a reference");
    if (e->pins_++ == 0) {
        ++pinned_;
        lru_.erase(e);                  // never a victim while pinned
        ++pin_events_;
        // The slot stays taken after the pinner's put: charge it to the
        // pinner's reservation, so pinned + reserved does not grow.
        // (An entry used up is dropped: every entry holds ≥ 1 slot, so
        // there are never more than nslots_.)
        if (resv* r = resv_find_locked(current())) {
            --reserved_;
            if (--r->n == 0) {
                *r = resv_[--nresv_];
            }
        }
    }
}

void bufcache::unpin(bcentry* e) {
    bool free;
    {
        spinlock_guard guard(lock_);
        assert(e->pins_ > 0, "bufcache::unpin of an unpinned block");
        if (--e->pins_ != 0) {
            return;
        }
        --pinned_;
        lru_.push_back(e);
        free = e->refs_ == 0;
    }
    if (free) {
        slot_wait_.wake_all();
    }
    reserve_wait_.wake_all();           // a reservation may fit now
}

size_t bufcache::pinned_count() const {
    spinlock_guard guard(lock_);
    return pinned_;
}

int bufcache::for_each(blockdev* dev, unsigned filter, int (*fn)(bcentry*, void*), void* arg) {
    assert_may_sleep();
    for (size_t i = 0; ; ++i) {
        bcentry* e;
        {
            spinlock_guard guard(lock_);
            if (i >= nslots_) {
                return 0;
            }
            e = &slots_[i];
            if (e->state_ != bc_valid || (dev && e->dev_ != dev)
                || ((filter & BC_ONLY_DIRTY) && !e->dirty_)
                || ((filter & BC_ONLY_PINNED) && e->pins_ == 0)) {
                continue;
            }
            ++e->refs_;
        }
        int r = fn(e, arg);
        release(e, false);
        if (r < 0) {
            return r;
        }
    }
}

// ---- bufcache: sync ----------------------------------------------------------------

void bufcache::set_leak_exempt(bool (*exempt)(blockdev*, uint64_t, void*), void* arg) {
    spinlock_guard guard(lock_);
    exempt_ = exempt;
    exempt_arg_ = arg;
}

int bufcache::sync(blockdev* dev, int mode) {
    if (mode < 0 || mode > 2) {
        return E_INVAL;
    }
    assert_may_sleep();
    int result = 0;

    // 1. Every dirty, unpinned block goes home; note the devices seen.
    constexpr size_t max_devs = 8;
    blockdev* devs[max_devs];
    size_t ndevs = 0;
    if (dev) {
        devs[ndevs++] = dev;
    }
    // Take a reference to every dirty, unpinned entry, sort them by
    // (device, block) and write runs of consecutive blocks in one request
    // each. Without memory for the list, one entry at a time.
    size_t cap = 0;
    {
        spinlock_guard guard(lock_);
        cap = nslots_;
    }
    auto* list = static_cast<bcentry**>(kalloc(cap * sizeof(bcentry*)));
    size_t n = 0;
    for (size_t i = 0; ; ++i) {
        bcentry* e;
        {
            spinlock_guard guard(lock_);
            if (i >= nslots_) {
                break;
            }
            e = &slots_[i];
            if (e->state_ != bc_valid || (dev && e->dev_ != dev)) {
                continue;
            }
            if (!dev) {
                size_t j = 0;
                while (j < ndevs && devs[j] != e->dev_) {
                    ++j;
                }
                if (j == ndevs && ndevs < max_devs) {
                    devs[ndevs++] = e->dev_;
                }
            }
            if (!e->dirty_ || e->pins_ != 0) {
                continue;
            }
            ++e->refs_;
        }
        if (list && n < cap) {
            list[n++] = e;
            continue;
        }
        int r = write_back_ref(e);
        release(e, false);
        if (r < 0 && result == 0) {
            result = r;
        }
    }
    // Shell sort by (device, block): n is at most the number of slots.
    auto before = [](const bcentry* a, const bcentry* b) {
        return a->dev_ != b->dev_ ? uintptr_t(a->dev_) < uintptr_t(b->dev_) : a->bn_ < b->bn_;
    };
    for (size_t gap = n / 2; gap > 0; gap /= 2) {
        for (size_t i = gap; i < n; ++i) {
            bcentry* x = list[i];
            size_t j = i;
            for (; j >= gap && before(x, list[j - gap]); j -= gap) {
                list[j] = list[j - gap];
            }
            list[j] = x;
        }
    }
    for (size_t i = 0; i != n; ) {
        size_t j = i + 1;
        while (j != n && j - i < max_run && list[j]->dev_ == list[i]->dev_
               && list[j]->bn_ == list[i]->bn_ + (j - i)) {
            ++j;
        }
        int r = write_run_ref(list + i, j - i, true);
        if (r < 0 && result == 0) {
            result = r;
        }
        i = j;
    }
    for (size_t i = 0; i != n; ++i) {
        release(list[i], false);
    }
    kfree(list);
    for (size_t j = 0; j < ndevs; ++j) {
        int r = devs[j]->flush();
        if (r < 0 && result == 0) {
            result = r;
        }
    }

    // 2. Drop what nobody holds (clean, unpinned).
    if (mode >= 1) {
        spinlock_guard guard(lock_);
        for (size_t i = 0; i < nslots_; ++i) {
            bcentry* e = &slots_[i];
            if (e->state_ == bc_valid && (!dev || e->dev_ == dev) && e->refs_ == 0
                && e->pins_ == 0 && !e->dirty_) {
                hash_remove_locked(e);
                e->state_ = bc_empty;
                e->dev_ = nullptr;
                e->bn_ = 0;
                lru_.erase(e);
                lru_.push_front(e);
            }
        }
    }

    // 3. Leak check: referenced blocks the file system did not exempt.
    if (mode == 2) {
        constexpr size_t max_report = 16;
        uint64_t leaked[max_report];
        unsigned leaked_refs[max_report];
        size_t nleaked = 0, total = 0;
        {
            spinlock_guard guard(lock_);
            for (size_t i = 0; i < nslots_; ++i) {
                bcentry* e = &slots_[i];
                if ((e->state_ == bc_valid || e->state_ == bc_loading)
                    && (!dev || e->dev_ == dev) && e->refs_ > 0
                    && !(exempt_ && exempt_(e->dev_, e->bn_, exempt_arg_))) {
                    if (nleaked < max_report) {
                        leaked[nleaked] = e->bn_;
                        leaked_refs[nleaked] = e->refs_;
                        ++nleaked;
                    }
                    ++total;
                }
            }
        }
        for (size_t i = 0; i < nleaked; ++i) {
            log_printf(log_level::warn, "bufcache: leaked reference to block %lu (%u refs)\n",
                       (unsigned long) leaked[i], leaked_refs[i]);
        }
        if (total > 0) {
            log_printf(log_level::warn, "bufcache: sync(2) found %lu leaked block references\n",
                       (unsigned long) total);
            if (result == 0) {
                result = E_BUSY;
            }
        }
    }
    return result;
}

// ---- bufcache: reservations and stats ---------------------------------------------

void bufcache::set_long_lived(size_t n) {
    {
        spinlock_guard guard(lock_);
        long_lived_ = n;
    }
    reserve_wait_.wake_all();
}

bufcache::resv* bufcache::resv_find_locked(proc* task) {
    for (size_t i = 0; i != nresv_; ++i) {
        if (resv_[i].task == task) {
            return &resv_[i];
        }
    }
    return nullptr;
}

// Admits n more slots for the calling task while long_lived + pinned +
// reserved + n ≤ nslots. When that fails with pins present, the pin
// owners are asked (once per new pin) to release them: a journal commits
// and unpins. Otherwise it sleeps until an unreserve or unpin.
int bufcache::reserve(size_t n) {
    assert_may_sleep();
    proc* self = current();
    {
        spinlock_guard guard(lock_);
        if (n == 0) {
            return 0;
        }
        if (long_lived_ >= nslots_ || n > nslots_ - long_lived_) {
            return E_INVAL;
        }
    }
    uint64_t relieved_at = ~uint64_t(0);
    for (;;) {
        bool relieve = false;
        pin_hook hooks[max_pin_release];
        size_t nhooks = 0;
        waiter w;
        w.block_until(reserve_wait_, [&] {
            spinlock_guard guard(lock_);
            if (long_lived_ < nslots_ && pinned_ + reserved_ + n <= nslots_ - long_lived_) {
                resv* r = resv_find_locked(self);
                if (!r) {
                    assert(nresv_ < nslots_, "bufcache: more reservations than slots");
                    r = &resv_[nresv_++];
                    r->task = self;
                    r->n = 0;
                }
                r->n += n;
                reserved_ += n;
                return true;
            }
            if (pinned_ > 0 && npin_release_ > 0 && pin_events_ != relieved_at) {
                relieved_at = pin_events_;
                nhooks = npin_release_;
                for (size_t i = 0; i != nhooks; ++i) {
                    hooks[i] = pin_release_[i];
                }
                relieve = true;
                return true;
            }
            return false;
        });
        if (!relieve) {
            return 0;
        }
        ++stats_.reliefs;
        for (size_t i = 0; i != nhooks; ++i) {
            hooks[i].fn(hooks[i].arg);
        }
    }
}

void bufcache::unreserve(size_t n) {
    {
        spinlock_guard guard(lock_);
        resv* r = resv_find_locked(current());
        // Pins may have used up some or all of it.
        size_t back = r ? (r->n < n ? r->n : n) : 0;
        assert(reserved_ >= back, "bufcache::unreserve more than reserved");
        reserved_ -= back;
        if (r && (r->n -= back) == 0) {
            *r = resv_[--nresv_];
        }
    }
    reserve_wait_.wake_all();
}

int bufcache::add_pin_release(void (*fn)(void*), void* arg) {
    spinlock_guard guard(lock_);
    if (npin_release_ == max_pin_release) {
        return E_NOMEM;
    }
    pin_release_[npin_release_++] = {fn, arg};
    return 0;
}

size_t bufcache::committed_slots() const {
    spinlock_guard guard(lock_);
    return long_lived_ + pinned_ + reserved_;
}

bcstats bufcache::stats() const {
    uint64_t probes;
    {
        spinlock_guard guard(lock_);
        probes = probes_;
    }
    return {stats_.hits.load(), stats_.loads.load(), stats_.load_errors.load(),
            stats_.writebacks.load(), stats_.evictions.load(), stats_.waits.load(),
            stats_.reliefs.load(), probes};
}

// ---- the root cache ------------------------------------------------------------------

namespace {
bufcache root_cache;
sleeplock root_lock;
bool root_ready;                // [root_lock]
bool root_failed;               // [root_lock]
}  // namespace

bufcache* bufcache_root() {
    sleeplock_guard guard(root_lock);
    if (!root_ready && !root_failed) {
        long n = cmdline_number("bufcache", long(BUFCACHE_DEFAULT_SLOTS));
        if (n < long(BUFCACHE_MIN_SLOTS) || n > long(BUFCACHE_MAX_SLOTS)) {
            long clamped = n < long(BUFCACHE_MIN_SLOTS) ? long(BUFCACHE_MIN_SLOTS)
                                                        : long(BUFCACHE_MAX_SLOTS);
            log_printf(log_level::warn, "bufcache=%ld out of range; using %ld\n", n, clamped);
            n = clamped;
        }
        if (root_cache.init(size_t(n)) == 0) {
            root_ready = true;
            log_printf(log_level::debug, "bufcache: %ld slots\n", n);
        } else {
            root_failed = true;
            log_printf(log_level::error, "bufcache: no memory for %ld slots\n", n);
        }
    }
    return root_ready ? &root_cache : nullptr;
}
