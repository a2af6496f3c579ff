// journal.cc — journal replay at mount (see journal.hh, docs/journal.md).
//
// Replay: read the superblock and the whole journal into memory, let
// lib/chkfs-journal.cc find the committed-but-incomplete transactions,
// write their latest copies home (unescaped), flush, then empty the
// journal in four steps, each flushed before the next:
//   1. one "all complete" metablock (seq after the last, both boundaries at
//      the old commit boundary, no references) in a block no usable record
//      occupies — from here on nothing is left to replay;
//   2. every other block that looks like a metablock is zeroed;
//   3. the rest of the journal but that one metablock is zeroed;
//   4. that metablock is zeroed.
// A crash before 1 is durable replays everything again (idempotent); after
// it, each state is a valid journal with an empty window. Zeroing the
// metablocks (2) before their data (3) means no surviving metablock ever
// loses its data blocks, which would make it "unusable" (a checker warning).
// Easy to get wrong: the superblock is untrusted (check every region
// against the device before reading); an escaped copy is unescaped in a
// bounce buffer, never in the journal image the analysis still reads.
#include "journal.hh"
#include "chkfs-journal.hh"
#include "abi/errno.hh"
#include "bufcache.hh"
#include "kalloc.hh"
#include "lib.hh"
#include "log.hh"
#include "proc.hh"
#include "string.hh"

using namespace chkfs;

namespace {

struct replay_sink : journal_sink {
    void ignored(const char* text) override {
        log_printf(log_level::warn, "%s\n", text);
    }
    void bad(const char* text) override {
        log_printf(log_level::error, "%s\n", text);
    }
};

struct home_writer {
    blockdev* dev;
    unsigned char* bounce;
    int status = 0;
};

void write_home(void* ctx, blocknum_t bn, const unsigned char* data, bool escaped) {
    auto* hw = static_cast<home_writer*>(ctx);
    if (hw->status != 0) {
        return;
    }
    const unsigned char* src = data;
    if (escaped) {
        memcpy(hw->bounce, data, blocksize);
        unescape_block(hw->bounce);
        src = hw->bounce;
    }
    hw->status = hw->dev->write(bn, 1, src);
}

int write_zeros(blockdev* dev, uint64_t bn, size_t count, const unsigned char* zeros, size_t zeros_blocks) {
    while (count) {
        size_t n = count < zeros_blocks ? count : zeros_blocks;
        if (int r = dev->write(bn, n, zeros); r != 0) {
            return r;
        }
        bn += n;
        count -= n;
    }
    return 0;
}

int empty_journal(blockdev* dev, const superblock& sb, const journal_scan& js,
                  unsigned char* jd, unsigned char* scratch) {
    unsigned nj = sb.njournal;
    // Blocks a usable record occupies.
    auto* used = static_cast<bool*>(kalloc_zeroed(nj));
    if (!used) {
        return E_NOMEM;
    }
    for (unsigned i = 0; i != js.nmeta; ++i) {
        const journal_meta& m = js.metas[i];
        used[m.bi] = true;
        unsigned k = 0;
        for (unsigned r = 0; r != m.mb->nref; ++r) {
            if (!(m.mb->ref[r].bflags & jbf_nonjournaled)) {
                used[(m.bi + 1 + k++) % nj] = true;
            }
        }
    }
    unsigned spot = 0;
    while (spot != nj && used[spot]) {
        ++spot;
    }
    if (spot == nj) {
        // Every block belongs to a record (a full journal): write over the
        // oldest metablock, whose transaction the window no longer needs
        // unless the whole journal is the window (then a torn write here
        // leaves a journal the checker refuses; the home blocks are right).
        spot = js.nmeta ? js.metas[0].bi : 0;
    }
    kfree(used);

    // 1. The "all complete" metablock.
    memset(scratch, 0, blocksize);
    auto* mb = reinterpret_cast<jmetablock*>(scratch);
    mb->magic = journalmagic;
    mb->seq = js.nmeta ? tid_t(js.metas[js.nmeta - 1].mb->seq + 1) : 1;
    mb->tid = js.commit;
    mb->commit_boundary = js.commit;
    mb->complete_boundary = js.commit;
    mb->flags = jf_meta;
    seal_metablock(mb);
    int r = dev->write(sb.journal_bn + spot, 1, scratch);
    r = r ? r : dev->flush();
    if (r) {
        return r;
    }
    // 2. The other metablocks (anything that looks like one).
    memset(scratch, 0, blocksize);
    for (unsigned i = 0; i != nj && r == 0; ++i) {
        if (i != spot && looks_like_metablock(jd + size_t(i) * blocksize)) {
            r = dev->write(sb.journal_bn + i, 1, scratch);
        }
    }
    r = r ? r : dev->flush();
    // 3. Everything else but the spot (the journal image is reused as zeros).
    if (r == 0) {
        memset(jd, 0, size_t(nj) * blocksize);
        r = write_zeros(dev, sb.journal_bn, spot, jd, nj);
        r = r ? r : write_zeros(dev, sb.journal_bn + spot + 1, nj - spot - 1, jd, nj);
        r = r ? r : dev->flush();
    }
    // 4. The spot.
    r = r ? r : dev->write(sb.journal_bn + spot, 1, scratch);
    return r ? r : dev->flush();
}

}  // namespace

int journal_replay(blockdev* dev, journal_replay_result* result) {
    journal_replay_result res;
    auto* block0 = static_cast<unsigned char*>(kalloc(blocksize));
    if (!block0) {
        return E_NOMEM;
    }
    int r = dev->read(0, 1, block0);
    superblock sb;
    memcpy(&sb, block0 + superblock_offset, sizeof(sb));
    if (r == 0 && (sb.magic != chkfs::magic || sb.njournal > sb.nblocks
                   || sb.journal_bn != sb.nblocks - sb.njournal || sb.nblocks > dev->nblocks_)) {
        log_printf(log_level::error, "journal: %s: no chickadeefs superblock, or one that does not fit the disk\n",
                   dev->name_);
        r = E_INVAL;
    }
    if (r == 0 && size_t(sb.njournal) * blocksize > kalloc_max_size) {
        log_printf(log_level::error, "journal: %s: %u journal blocks are more than replay can read at once\n",
                   dev->name_, sb.njournal);
        r = E_NOMEM;
    }
    if (r != 0 || sb.njournal == 0) {
        kfree(block0);
        if (result) {
            *result = res;
        }
        return r;
    }

    unsigned nj = sb.njournal;
    auto* jd = static_cast<unsigned char*>(kalloc(size_t(nj) * blocksize));
    auto* ptrs = static_cast<const unsigned char**>(kalloc(nj * sizeof(const unsigned char*)));
    auto* metas = static_cast<journal_meta*>(kalloc(nj * sizeof(journal_meta)));
    r = jd && ptrs && metas ? dev->read(sb.journal_bn, nj, jd) : E_NOMEM;
    journal_scan js;
    bool any_metablock = false;
    if (r == 0) {
        for (unsigned i = 0; i != nj; ++i) {
            ptrs[i] = jd + size_t(i) * blocksize;
            any_metablock = any_metablock || looks_like_metablock(ptrs[i]);
        }
        js.blocks = ptrs;
        js.njournal = nj;
        js.journal_bn = sb.journal_bn;
        js.metas = metas;
        replay_sink sink;
        if (any_metablock && !journal_analyze(js, sink)) {
            log_printf(log_level::error, "journal: %s: the journal breaks the format's rules; "
                       "nothing replayed (run chkfsck)\n", dev->name_);
            r = E_INVAL;
        }
    }
    if (r == 0 && any_metablock) {
        for (unsigned i = 0; i != js.nmeta; ++i) {
            tid_t t = js.metas[i].mb->tid;
            bool first = true;
            for (unsigned j = 0; j != i; ++j) {
                first = first && js.metas[j].mb->tid != t;
            }
            if (first && js.replays(t)) {
                ++res.transactions;
            } else if (first && tid_ge(t, js.commit)) {
                ++res.ignored;
            }
        }
        home_writer hw{dev, block0};
        res.blocks = journal_plan(js, write_home, &hw);
        r = hw.status;
        r = r ? r : dev->flush();
        r = r ? r : empty_journal(dev, sb, js, jd, block0);
        res.cleared = r == 0;
    }
    if (r == 0 && any_metablock) {
        log_printf(log_level::info, "journal: %s: replayed %u transaction%s (window [%u, %u)), %u block%s "
                   "written home; %u uncommitted ignored; journal emptied\n", dev->name_,
                   res.transactions, res.transactions == 1 ? "" : "s", unsigned(js.complete),
                   unsigned(js.commit), res.blocks, res.blocks == 1 ? "" : "s", res.ignored);
    } else if (r == 0) {
        log_printf(log_level::info, "journal: %s: empty, nothing to replay\n", dev->name_);
    }
    kfree(metas);
    kfree(ptrs);
    kfree(jd);
    kfree(block0);
    if (result) {
        *result = res;
    }
    return r;
}


// ---- The transaction writer (journal.hh) ----
//
// Layout: records go one after another around the ring (a record may
// wrap past the end: its data then goes out in two writes). Going around,
// new records overwrite an old record's metablock before its data blocks,
// so no surviving metablock loses its data (the checker would skip it with
// a warning). A transaction's footprint (records, commit and complete
// markers) is at most njournal - 2 blocks, so it never reaches the
// previous transaction's complete marker (written just before it) nor its
// own first records. Every metablock carries the current
// boundaries, so the newest durable metablock always describes the disk:
// before the commit marker is durable the window is empty (nothing to
// replay); after it, the window is this transaction, which is whole.
// Admission: an operation joins the running transaction while its
// reservation (op_max) fits under limit_ (the journal's capacity, or less
// if the cache cannot hold that many pinned blocks); a lone operation is
// always admitted into an empty transaction.
// Locks: lock_ guards tx_, ntx_, freed_, active_ops_, reserved_,
// committing_, error_. The committing task alone touches tid_, seq_, pos_,
// buf_ (committing_ keeps everyone else out), and does its I/O unlocked.

namespace {
constexpr unsigned quarantine_initial = 64;
}

unsigned journal::footprint(unsigned n) const {
    unsigned metas = n == 0 ? 1 : (n + unsigned(ref_size) - 1) / unsigned(ref_size);
    return n + metas + 2;
}

journal::~journal() {
    kfree(tx_);
    kfree(freed_);
    kfree(buf_);
    kfree(owners_);
    kfree(meta_);
    kfree(zeros_);
}

int journal::mount(blockdev* dev, journal_client* client) {
    int r = journal_replay(dev);
    if (r != 0) {
        return r;
    }
    auto* block0 = static_cast<unsigned char*>(kalloc(blocksize));
    if (!block0) {
        return E_NOMEM;
    }
    r = dev->read(0, 1, block0);
    superblock sb;
    memcpy(&sb, block0 + superblock_offset, sizeof(sb));
    kfree(block0);
    if (r != 0) {
        return r;
    }
    unsigned maxfoot = sb.njournal >= 2 ? sb.njournal - 2 : 0;
    unsigned cap = 0;
    while (footprint(cap + 1) <= maxfoot) {
        ++cap;
    }
    if (cap < op_max) {
        log_printf(log_level::error, "journal: %s: %u journal blocks are too few for one operation\n",
                   dev->name_, sb.njournal);
        return E_INVAL;
    }
    tx_ = static_cast<txblock*>(kalloc(cap * sizeof(txblock)));
    freed_ = static_cast<extent*>(kalloc(quarantine_initial * sizeof(extent)));
    buf_ = static_cast<unsigned char*>(kalloc(size_t(cap + 1) * blocksize));
    owners_ = static_cast<opowner*>(kalloc(cap * sizeof(opowner)));
    meta_ = static_cast<bool*>(kalloc_zeroed(sb.njournal * sizeof(bool)));  // replay emptied it
    zeros_ = static_cast<unsigned char*>(kalloc_zeroed(blocksize));
    if (!tx_ || !freed_ || !buf_ || !owners_ || !meta_ || !zeros_) {
        return E_NOMEM;
    }
    nfreed_max_ = quarantine_initial;
    dev_ = dev;
    client_ = client;
    journal_bn_ = sb.journal_bn;
    njournal_ = sb.njournal;
    capacity_ = cap;
    limit_ = client->max_blocks() < cap ? client->max_blocks() : cap;
    tid_ = 1;
    seq_ = 1;
    pos_ = 0;
    return 0;
}

int journal::begin_op() {
    if (!dev_) {
        return E_INVAL;
    }
    proc* self = current();
    {
        spinlock_guard guard(lock_);
        for (unsigned i = 0; i != active_ops_; ++i) {
            if (owners_[i].task == self) {
                ++owners_[i].depth;
                return 0;
            }
        }
    }
    for (;;) {
        bool must_commit = false;
        int error = 0;
        waiter w;
        w.block_until(wq_, [&] {
            spinlock_guard guard(lock_);
            if (error_) {
                error = error_;             // begins anyway: end_op follows
                if (active_ops_ < capacity_) {
                    owners_[active_ops_] = {self, 1};
                    ++active_ops_;
                    reserved_ += op_max;
                }
                return true;
            }
            if (committing_) {
                return false;
            }
            if ((ntx_ == 0 && active_ops_ == 0) || ntx_ + reserved_ + op_max <= limit_) {
                owners_[active_ops_] = {self, 1};
                ++active_ops_;
                reserved_ += op_max;
                return true;
            }
            must_commit = active_ops_ == 0;     // full: the last operation out commits
            return must_commit;
        });
        if (error) {
            return error;
        }
        if (!must_commit) {
            return 0;
        }
        if (int r = commit(); r != 0) {
            return r;
        }
    }
}

int journal::add(blocknum_t bn) {
    bool fresh = false;
    {
        spinlock_guard guard(lock_);
        assert(active_ops_ > 0, "journal::add outside an operation");
        unsigned i = 0;
        while (i != ntx_ && tx_[i].bn != bn) {
            ++i;
        }
        if (i == ntx_) {
            if (ntx_ == capacity_) {
                return E_NOSPC;
            }
            tx_[ntx_++] = {bn, false};
            fresh = true;
        }
    }
    if (fresh) {
        client_->pin(bn);
    }
    return 0;
}

void journal::note_free(blocknum_t first, uint32_t count) {
    spinlock_guard guard(lock_);
    for (unsigned i = 0; i != ntx_; ++i) {
        if (tx_[i].bn >= first && tx_[i].bn - first < count) {
            tx_[i].freed = true;        // its copy must not be written home
        }
    }
    if (nfreed_ == nfreed_max_) {
        // Grow (the allocator's spinlock is a leaf: fine under lock_).
        auto* bigger = static_cast<extent*>(kalloc(2 * nfreed_max_ * sizeof(extent)));
        if (!bigger) {
            quarantine_all_ = true;     // no memory: nothing is reusable until commit
            return;
        }
        memcpy(bigger, freed_, nfreed_ * sizeof(extent));
        kfree(freed_);
        freed_ = bigger;
        nfreed_max_ *= 2;
    }
    freed_[nfreed_++] = {first, count};
}

bool journal::has_quarantine() {
    spinlock_guard guard(lock_);
    return nfreed_ != 0 || quarantine_all_;
}

bool journal::quarantined(blocknum_t bn) {
    spinlock_guard guard(lock_);
    if (quarantine_all_) {
        return true;
    }
    for (unsigned i = 0; i != nfreed_; ++i) {
        if (bn >= freed_[i].first && bn - freed_[i].first < freed_[i].count) {
            return true;
        }
    }
    return false;
}

bool journal::inside_op() {
    proc* self = current();
    spinlock_guard guard(lock_);
    for (unsigned i = 0; i != active_ops_; ++i) {
        if (owners_[i].task == self) {
            return true;
        }
    }
    return false;
}

void journal::end_op() {
    {
        spinlock_guard guard(lock_);
        proc* self = current();
        unsigned i = 0;
        while (i != active_ops_ && owners_[i].task != self) {
            ++i;
        }
        if (i == active_ops_ && error_) {
            return;                     // begun after an error with the table full
        }
        assert(i != active_ops_, "journal::end_op without begin_op");
        if (--owners_[i].depth != 0) {
            return;
        }
        owners_[i] = owners_[--active_ops_];
        reserved_ -= op_max;
    }
    wq_.wake_all();
}

int journal::commit() {
    if (!dev_) {
        return E_INVAL;
    }
    // Become the committer once no operation runs.
    int error = 0;
    waiter w;
    w.block_until(wq_, [&] {
        spinlock_guard guard(lock_);
        if (error_) {
            error = error_;
            return true;
        }
        if (committing_ || active_ops_ != 0) {
            return false;
        }
        committing_ = true;
        return true;
    });
    if (error) {
        return error;
    }
    int r = do_commit();
    {
        spinlock_guard guard(lock_);
        committing_ = false;
        if (r != 0) {
            error_ = r;
        }
    }
    wq_.wake_all();
    return r;
}

// Journal index where a run of `n` blocks goes (the ring continues).
int journal::place(unsigned n) {
    unsigned at = pos_;
    pos_ = (pos_ + n) % njournal_;
    return int(at);
}

// Writes `n` blocks at journal index `at`, in two pieces if they wrap.
int journal::write_ring(unsigned at, unsigned n, const void* src) {
    unsigned first = njournal_ - at < n ? njournal_ - at : n;
    int r = dev_->write(journal_bn_ + at, first, src);
    if (r == 0 && first < n) {
        r = dev_->write(journal_bn_, n - first, static_cast<const unsigned char*>(src) + size_t(first) * blocksize);
    }
    return r;
}

int journal::write_marker(uint16_t flags, tid_t commit, tid_t complete) {
    auto* mb = reinterpret_cast<jmetablock*>(buf_);
    memset(mb, 0, blocksize);
    mb->magic = journalmagic;
    mb->seq = seq_++;
    mb->tid = tid_;
    mb->commit_boundary = commit;
    mb->complete_boundary = complete;
    mb->flags = jf_meta | flags;
    seal_metablock(mb);
    int at = place(1);
    meta_[at] = true;
    int r = dev_->write(journal_bn_ + at, 1, mb);
    return r ? r : dev_->flush();
}

// Zeroes every metablock this journal wrote, except those in the `keep_count`
// journal blocks from index `keep_from` (ring order). No flush.
int journal::zero_metablocks(unsigned keep_from, unsigned keep_count) {
    int r = 0;
    for (unsigned i = 0; i != njournal_ && r == 0; ++i) {
        if (meta_[i] && (i + njournal_ - keep_from) % njournal_ >= keep_count) {
            meta_[i] = false;
            r = dev_->write(journal_bn_ + i, 1, zeros_);
        }
    }
    return r;
}

int journal::do_commit() {
    // No operation runs and none can start: tx_ and freed_ are ours.
    unsigned n = ntx_;
    if (n == 0) {
        nfreed_ = 0;            // frees with no block to journal: nothing to order
        quarantine_all_ = false;
        return 0;
    }
    int r = client_->write_data();              // ordered data: file data first
    // Snapshots (in buf_[1..n]), escaped where needed.
    bool* escaped = static_cast<bool*>(kalloc_zeroed(n));
    if (!escaped) {
        return r ? r : E_NOMEM;
    }
    for (unsigned i = 0; i != n && r == 0; ++i) {
        unsigned char* b = buf_ + size_t(i + 1) * blocksize;
        r = client_->snapshot(tx_[i].bn, b);
        if (r == 0 && block_needs_escape(b)) {
            escape_block(b);
            escaped[i] = true;
        }
    }
    // Records: metablocks of up to ref_size references, each followed by
    // its data blocks (every block is journaled; a freed one also gets a
    // later non-journaled reference, which cancels its copy on replay).
    // Chickadee's checker counts every metablock whose copies do not match
    // as an error, so a crash must never leave one (docs/journal.md):
    //  a. the records' blocks must hold no old metablock, whose copies the
    //     new ones would overwrite: the previous commit zeroed every old
    //     metablock but its own (step e); any left here (a big transaction
    //     reaching the previous one) are zeroed now, and flushed;
    //  b. the copies, flushed;
    //  c. the metablocks, which now reference durable copies; flushed.
    unsigned nrec = (n + unsigned(ref_size) - 1) / unsigned(ref_size);
    unsigned start = pos_;
    unsigned span = n + nrec;
    bool stale = false;
    for (unsigned k = 0; k != span && r == 0; ++k) {
        unsigned i = (start + k) % njournal_;
        if (meta_[i]) {
            meta_[i] = false;
            stale = true;
            r = dev_->write(journal_bn_ + i, 1, zeros_);
        }
    }
    if (stale) {
        r = r ? r : dev_->flush();
    }
    for (unsigned done = 0; done != n && r == 0; ) {
        unsigned count = n - done < ref_size ? n - done : unsigned(ref_size);
        int at = place(1 + count);
        r = write_ring((at + 1) % njournal_, count, buf_ + size_t(done + 1) * blocksize);
        done += count;
    }
    r = r ? r : dev_->flush();
    pos_ = start;
    unsigned done = 0;
    bool first = true;
    auto* mbp = static_cast<jmetablock*>(kalloc(blocksize));
    if (!mbp) {
        r = r ? r : E_NOMEM;
    }
    while (r == 0 && done != n) {
        unsigned count = n - done < ref_size ? n - done : unsigned(ref_size);
        memset(mbp, 0, blocksize);
        mbp->magic = journalmagic;
        mbp->seq = seq_++;
        mbp->tid = tid_;
        mbp->commit_boundary = tid_;
        mbp->complete_boundary = tid_;
        mbp->flags = jf_meta | (first ? jf_start : 0);
        for (unsigned k = 0; k != count; ++k) {
            const txblock& t = tx_[done + k];
            jblockref& ref = mbp->ref[k];
            ref.bn = t.bn;
            ref.bflags = escaped[done + k] ? jbf_escaped : 0;
            ref.bchecksum = crc32c(0, buf_ + size_t(done + k + 1) * blocksize, blocksize);
        }
        mbp->nref = uint16_t(count);
        for (unsigned k = 0; k != count && mbp->nref < ref_size; ++k) {
            if (tx_[done + k].freed) {
                jblockref& ref = mbp->ref[mbp->nref++];
                ref.bn = tx_[done + k].bn;
                ref.bchecksum = nochecksum;
                ref.bflags = jbf_nonjournaled;
            }
        }
        seal_metablock(mbp);
        int at = place(1 + count);
        meta_[at] = true;
        r = dev_->write(journal_bn_ + at, 1, mbp);
        done += count;
        first = false;
    }
    kfree(mbp);
    r = r ? r : dev_->flush();
    // d. Commit.
    r = r ? r : write_marker(jf_commit, tid_t(tid_ + 1), tid_);
    //  e. Home, and every metablock of earlier transactions zeroed (the
    //     window is this transaction now), so the next records find none.
    r = r ? r : zero_metablocks(start, span + 1);
    for (unsigned i = 0; i != n && r == 0; ++i) {
        unsigned char* b = buf_ + size_t(i + 1) * blocksize;
        if (escaped[i]) {
            unescape_block(b);
        }
        if (!tx_[i].freed) {
            r = dev_->write(tx_[i].bn, 1, b);
        }
    }
    kfree(escaped);
    r = r ? r : dev_->flush();
    // f. Complete.
    r = r ? r : write_marker(jf_complete, tid_t(tid_ + 1), tid_t(tid_ + 1));
    if (r != 0) {
        log_printf(log_level::error, "journal: %s: transaction %u failed (error %d); "
                   "the journal stops\n", dev_->name_, unsigned(tid_), r);
        return r;
    }
    for (unsigned i = 0; i != n; ++i) {
        client_->unpin(tx_[i].bn);
    }
    ++tid_;
    ++commits_;
    spinlock_guard guard(lock_);
    ntx_ = 0;
    nfreed_ = 0;
    quarantine_all_ = false;
    return 0;
}


// ---- The journal's client over the buffer cache ----
//
// Each call takes its own reference for its duration. A pinned entry is
// never evicted, so the reference that pin() drops leaves the block cached
// (and the next get finds it without a read).

void bufcache_journal_client::pin(blocknum_t bn) {
    bcentry* e;
    int r = bc_->get(dev_, bn, &e);
    assert(r == 0, "journal: a block being journaled is not in the cache");
    bc_->pin(e);
    bc_->put(e);
}

int bufcache_journal_client::snapshot(blocknum_t bn, void* buf) {
    bcentry* e;
    if (int r = bc_->get(dev_, bn, &e); r != 0) {
        return r;
    }
    e->read_begin();
    memcpy(buf, e->data(), blocksize);
    e->read_end();
    bc_->put(e);
    return 0;
}

int bufcache_journal_client::write_data() {
    return bc_->sync(dev_, 0);
}

void bufcache_journal_client::unpin(blocknum_t bn) {
    bcentry* e;
    int r = bc_->get(dev_, bn, &e);
    assert(r == 0, "journal: a pinned block left the cache");
    bc_->unpin(e);
    bc_->put(e);
}
