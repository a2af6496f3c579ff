// journal_writer.cc — the transaction writer (struct journal,
// kernel/core/journal.cc) over a disk in memory and a pretend buffer cache:
// nothing reaches home before commit and everything after; a block whose
// first bytes are the journal magic survives; a crash after every possible
// number of block writes during two transactions leaves, after replay, the
// disk before, between or after them — never a mix; forty transactions
// wrap the ring several times and the journal stays valid (no metablock
// skipped, nothing left to replay); a freed block is quarantined until its
// transaction commits; operations on every CPU at once.
//! expect: ktest journal_writer: passed
#include "chkfs-journal.hh"
#include "faultdisk.hh"
#include "journal.hh"
#include "journal-test-disk.hh"
#include "ktest.hh"
#include "lib.hh"
#include "ramdisk.hh"
#include "cpustate.hh"
#include <atomic>
#include <initializer_list>

using namespace chkfs;

namespace {

constexpr blocknum_t nblocks = 128, njournal = 32, journal_bn = nblocks - njournal;

void fill(unsigned char* b, unsigned seed) {
    for (size_t i = 0; i != blocksize; ++i) {
        b[i] = (unsigned char) (i * 11 + seed * 17 + 3);
    }
}

void format(ramdisk& d) {
    format_journal_test_disk(d, nblocks, njournal);
    for (blocknum_t b = 3; b != journal_bn; ++b) {
        fill(d.block(b), b);
    }
}

// The pretend buffer cache: one copy of every home block, pin flags.
struct cache final : journal_client {
    ramdisk* cached = ramdisk::make(journal_bn);
    spinlock lock_;
    bool pinned[journal_bn] = {};
    std::atomic<int> data_writes{0};

    ~cache() override {
        delete cached;
    }
    void load(ramdisk& d) {
        for (blocknum_t b = 0; b != journal_bn; ++b) {
            memcpy(cached->block(b), d.block(b), blocksize);
        }
        memset(pinned, 0, sizeof(pinned));
    }
    void pin(blocknum_t bn) override {
        spinlock_guard g(lock_);
        assert(!pinned[bn], "a block is pinned once per transaction");
        pinned[bn] = true;
    }
    int snapshot(blocknum_t bn, void* buf) override {
        memcpy(buf, cached->block(bn), blocksize);
        return 0;
    }
    int write_data() override {
        ++data_writes;
        return 0;
    }
    void unpin(blocknum_t bn) override {
        spinlock_guard g(lock_);
        assert(pinned[bn]);
        pinned[bn] = false;
    }
    bool any_pinned() {
        for (bool p : pinned) {
            if (p) {
                return true;
            }
        }
        return false;
    }
};

// One operation changing `bns` to version `v` (in the cache), journaled.
void change(journal& j, cache& c, std::initializer_list<blocknum_t> bns, unsigned v) {
    assert_eq(j.begin_op(), 0);
    for (blocknum_t bn : bns) {
        fill(c.cached->block(bn), 1000 * v + bn);
        assert_eq(j.add(bn), 0);
    }
    j.end_op();
}

bool home_is(ramdisk& d, std::initializer_list<blocknum_t> bns, unsigned v) {
    unsigned char want[blocksize];
    for (blocknum_t bn : bns) {
        fill(want, v ? 1000 * v + bn : bn);
        if (memcmp(d.block(bn), want, blocksize) != 0) {
            return false;
        }
    }
    return true;
}

struct counting_sink : journal_sink {
    unsigned ignored_count = 0, bad_count = 0;
    void ignored(const char*) override {
        ++ignored_count;
    }
    void bad(const char*) override {
        ++bad_count;
    }
};

// The journal on `d` is valid and skips no metablock: Chickadee's checker
// counts a skipped (unusable) metablock as an error, so a crash must never
// leave one (docs/journal.md). Returns the analysis.
journal_scan check_journal_strict(ramdisk& d, const unsigned char** ptrs, journal_meta* metas) {
    bool any = false;
    for (unsigned i = 0; i != njournal; ++i) {
        ptrs[i] = d.block(journal_bn + i);
        any = any || looks_like_metablock(ptrs[i]);
    }
    journal_scan js;
    js.blocks = ptrs;
    js.njournal = njournal;
    js.journal_bn = journal_bn;
    js.metas = metas;
    if (any) {
        counting_sink sink;
        assert(journal_analyze(js, sink));
        assert_eq(sink.ignored_count, 0u);
    }
    return js;
}

// The journal on `d` is valid, skips no metablock and has nothing to replay.
void check_journal_quiet(ramdisk& d) {
    const unsigned char* ptrs[njournal];
    journal_meta metas[njournal];
    for (unsigned i = 0; i != njournal; ++i) {
        ptrs[i] = d.block(journal_bn + i);
    }
    journal_scan js;
    js.blocks = ptrs;
    js.njournal = njournal;
    js.journal_bn = journal_bn;
    js.metas = metas;
    counting_sink sink;
    assert(journal_analyze(js, sink));
    assert_eq(sink.ignored_count, 0u);
    assert_eq(js.complete, js.commit);
}

cache* shared_cache;
journal* shared_journal;

void per_cpu(int cpu, void*) {
    blocknum_t bn = blocknum_t(40 + cpu);
    for (unsigned round = 1; round <= 12; ++round) {
        assert_eq(shared_journal->begin_op(), 0);
        fill(shared_cache->cached->block(bn), 1000 * round + bn);
        assert_eq(shared_journal->add(bn), 0);
        shared_journal->end_op();
        if (round % 4 == 0) {
            assert_eq(shared_journal->commit(), 0);
        }
    }
}

}  // namespace

KTEST(journal_writer) {
    ramdisk* dp = ramdisk::make(nblocks);
    auto* c = new cache;
    assert(dp && c && c->cached);
    ramdisk& d = *dp;

    // Nothing home before commit; everything after; the magic survives.
    format(d);
    c->load(d);
    {
        journal j;
        assert_eq(j.mount(&d, c), 0);
        change(j, *c, {10, 11}, 1);
        unescape_block(c->cached->block(11));
        assert(home_is(d, {10, 11}, 0));
        assert(c->pinned[10] && c->pinned[11]);
        assert_eq(j.commit(), 0);
        assert(!c->any_pinned());
        assert(home_is(d, {10}, 1));
        assert(memcmp(d.block(11), c->cached->block(11), blocksize) == 0);
        assert_eq(c->data_writes.load(), 1);     // ordered: data before the commit
        check_journal_quiet(d);
        assert_eq(j.commit(), 0);                // nothing to commit: no write
    }

    // A crash after every number of block writes during two transactions.
    unsigned long full = 0;
    unsigned states[3] = {};
    for (long cut = 0;; ++cut) {
        format(d);
        c->load(d);
        faultdisk fd(&d, cut);
        journal j;
        assert_eq(j.mount(&fd, c), 0);
        change(j, *c, {10, 11, 12}, 1);
        change(j, *c, {20}, 1);
        assert_eq(j.commit(), 0);
        change(j, *c, {11, 12, 13, 20}, 2);
        assert_eq(j.commit(), 0);
        bool crashed = fd.failed();
        if (!crashed) {
            full = fd.passed_;
        }
        {
            const unsigned char* ptrs[njournal];
            journal_meta metas[njournal];
            check_journal_strict(d, ptrs, metas);
        }
        assert_eq(journal_replay(&d), 0);
        bool s0 = home_is(d, {10, 11, 12, 13, 20}, 0);
        bool s1 = home_is(d, {10, 11, 12, 20}, 1) && home_is(d, {13}, 0);
        bool s2 = home_is(d, {10}, 1) && home_is(d, {11, 12, 13, 20}, 2);
        assert(s0 || s1 || s2, "after a crash and replay the disk is before, between or after");
        states[s0 ? 0 : s1 ? 1 : 2]++;
        if (!crashed) {
            assert(s2);
            break;
        }
    }
    assert(states[0] && states[1] && states[2]);
    assert(full > 10);

    // A crash after every number of block writes while transactions of
    // varying sizes wrap the ring: the journal never holds a metablock whose
    // copies did not arrive, nor an old one whose copies were overwritten.
    for (long cut = 0;; ++cut) {
        format(d);
        c->load(d);
        faultdisk fd(&d, cut);
        journal j;
        assert_eq(j.mount(&fd, c), 0);
        for (unsigned t = 1; t <= 9; ++t) {
            unsigned n = 1 + (t * 5) % 9;
            assert_eq(j.begin_op(), 0);
            for (unsigned k = 0; k != n; ++k) {
                blocknum_t bn = blocknum_t(30 + (t * 3 + k) % 40);
                fill(c->cached->block(bn), 1000 * t + bn);
                assert_eq(j.add(bn), 0);
            }
            j.end_op();
            assert_eq(j.commit(), 0);
        }
        const unsigned char* ptrs[njournal];
        journal_meta metas[njournal];
        check_journal_strict(d, ptrs, metas);
        if (!fd.failed()) {
            break;
        }
    }

    // Forty transactions wrap the ring; the journal stays quiet.
    format(d);
    c->load(d);
    {
        journal j;
        assert_eq(j.mount(&d, c), 0);
        for (unsigned t = 1; t <= 40; ++t) {
            unsigned n = 1 + t % 8;
            assert_eq(j.begin_op(), 0);
            for (unsigned k = 0; k != n; ++k) {
                blocknum_t bn = blocknum_t(30 + (t * 3 + k) % 40);
                fill(c->cached->block(bn), 1000 * t + bn);
                assert_eq(j.add(bn), 0);
            }
            j.end_op();
            assert_eq(j.commit(), 0);
            check_journal_quiet(d);
        }
        for (blocknum_t b = 3; b != journal_bn; ++b) {
            assert(memcmp(d.block(b), c->cached->block(b), blocksize) == 0);
        }
        assert_eq(j.next_tid(), tid_t(41));

        // Quarantine: a freed block is not reusable until its transaction commits.
        assert_eq(j.begin_op(), 0);
        fill(c->cached->block(5), 77);
        assert_eq(j.add(5), 0);
        j.note_free(60, 3);
        j.end_op();
        assert(j.has_quarantine());
        assert(j.quarantined(60) && j.quarantined(62));
        assert(!j.quarantined(59) && !j.quarantined(63));
        assert_eq(j.commit(), 0);
        assert(!j.quarantined(60) && !j.quarantined(62));
        assert(!j.has_quarantine());

        // Operations nest: the inner end_op does not end the operation.
        assert_eq(j.begin_op(), 0);
        assert_eq(j.begin_op(), 0);
        fill(c->cached->block(6), 78);
        assert_eq(j.add(6), 0);
        j.end_op();
        assert(c->pinned[6]);
        j.end_op();
        assert_eq(j.commit(), 0);
        assert(!c->pinned[6]);
        assert(home_is(d, {6}, 0) == false);

        // An operation may not add more than the transaction holds.
        assert_eq(j.begin_op(), 0);
        int r = 0;
        for (blocknum_t bn = 30; bn != 30 + 40 && r == 0; ++bn) {
            r = j.add(bn);
        }
        assert_eq(r, E_NOSPC);
        j.end_op();
        assert_eq(j.commit(), 0);
        check_journal_quiet(d);
    }

    // Operations on every CPU at once, with commits among them.
    format(d);
    c->load(d);
    {
        journal j;
        assert_eq(j.mount(&d, c), 0);
        shared_cache = c;
        shared_journal = &j;
        ktest_run_on_cpus(per_cpu, nullptr);
        assert_eq(j.commit(), 0);
        for (int cpu = 0; cpu != ncpu; ++cpu) {
            assert(home_is(d, {blocknum_t(40 + cpu)}, 12));
        }
        assert(!c->any_pinned());
        check_journal_quiet(d);
    }
    delete c;
    delete dp;
}
