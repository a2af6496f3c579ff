// bufcache_runs.cc — the cache moves runs of consecutive blocks in one
// device request (blockdev::readv/writev), over a ramdisk wrapped in a
// device that records every request:
//   - sync(0) sorts the dirty blocks and writes each run of consecutive
//     ones in one writev (at most bufcache::max_run blocks), a lone one
//     with write; a pinned block splits a run and stays home-less;
//   - write_back_range writes the dirty blocks of a range the same way and
//     leaves clean, uncached and out-of-range blocks alone;
//   - a failed run write returns E_IO and leaves every block of the run
//     dirty (the next sync writes them);
//   - prefetch reads the uncached blocks of a range in one readv per run
//     (a cached block splits it; the result counts the blocks from the
//     start now cached), the gets that follow are hits, at most a quarter
//     of the slots loaded per call, never a dirty victim (nothing is
//     written to make room), and a failed read leaves nothing valid behind.
//! expect: ktest bufcache_runs: passed
#include "bufcache.hh"
#include "ktest.hh"
#include "ramdisk.hh"
#include "recdisk.hh"
#include "string.hh"

namespace {

void write_block(bufcache& c, blockdev* d, uint64_t bn, unsigned char v, bool pin = false) {
    bcentry* e;
    assert_eq(c.get(d, bn, &e), 0);
    e->write_begin();
    memset(e->data(), v, BUFCACHE_BLOCKSIZE);
    if (pin) {
        c.pin(e);
    }
    e->write_end();
    c.put(e);
}

bool on_disk(ramdisk* d, uint64_t bn, unsigned char v) {
    for (size_t i = 0; i != BUFCACHE_BLOCKSIZE; ++i) {
        if (d->block(bn)[i] != v) {
            return false;
        }
    }
    return true;
}

bool dirty(bufcache& c, blockdev* d, uint64_t bn) {
    bcentry* e;
    assert_eq(c.get(d, bn, &e), 0);
    bool r = e->dirty();
    c.put(e);
    return r;
}

void unpin(bufcache& c, blockdev* d, uint64_t bn) {
    bcentry* e;
    assert_eq(c.get(d, bn, &e), 0);
    c.unpin(e);
    c.put(e);
}

}  // namespace

KTEST(bufcache_runs) {
    ramdisk* rd = ramdisk::make(400);
    assert(rd);
    auto* d = new recdisk(rd);
    assert(d);
    bufcache c;
    assert_eq(c.init(128), 0);

    // --- sync: blocks 10..29 dirty with 20 pinned; 40 and 42 alone; 100..139
    // (40 blocks: more than one request carries), written in scrambled order.
    for (uint64_t bn = 139; bn >= 100; --bn) {
        write_block(c, d, bn, uint8_t(bn));
    }
    for (uint64_t bn = 29; bn >= 10; --bn) {
        write_block(c, d, bn, uint8_t(bn), bn == 20);
    }
    write_block(c, d, 42, 42);
    write_block(c, d, 40, 40);
    d->nlog_ = 0;
    assert_eq(c.sync(d, 0), 0);
    assert_eq(d->nlog_, 6);
    assert(d->is(0, 'W', 10, 10));
    assert(d->is(1, 'W', 21, 9));
    assert(d->is(2, 'w', 40, 1));
    assert(d->is(3, 'w', 42, 1));
    assert(d->is(4, 'W', 100, bufcache::max_run));
    assert(d->is(5, 'W', 100 + bufcache::max_run, 40 - bufcache::max_run));
    static const uint64_t written[] = {10, 19, 21, 29, 40, 42, 100, 131, 132, 139};
    for (uint64_t bn : written) {
        assert(on_disk(rd, bn, uint8_t(bn)));
        assert(!dirty(c, d, bn));
    }
    assert(!on_disk(rd, 20, 20));
    assert(dirty(c, d, 20));
    unpin(c, d, 20);
    d->nlog_ = 0;
    assert_eq(c.sync(d, 0), 0);
    assert_eq(d->nlog_, 1);
    assert(d->is(0, 'w', 20, 1));
    assert(on_disk(rd, 20, 20));

    // --- write_back_range: 50..57 dirty but 53 clean (cached), 60 dirty
    // outside the range; range [48, 58).
    for (uint64_t bn = 50; bn != 58; ++bn) {
        write_block(c, d, bn, 0x50);
    }
    assert_eq(c.sync(d, 0), 0);
    for (uint64_t bn = 50; bn != 58; ++bn) {
        if (bn != 53) {
            write_block(c, d, bn, 0x51);
        }
    }
    write_block(c, d, 60, 0x60);
    d->nlog_ = 0;
    assert_eq(c.write_back_range(d, 48, 10), 0);
    assert_eq(d->nlog_, 2);
    assert(d->is(0, 'W', 50, 3));
    assert(d->is(1, 'W', 54, 4));
    assert(on_disk(rd, 57, 0x51) && on_disk(rd, 53, 0x50));
    assert(dirty(c, d, 60) && !on_disk(rd, 60, 0x60));
    assert_eq(c.sync(d, 0), 0);

    // --- a failed run write: E_IO, every block of the run still dirty,
    // the next sync writes them.
    for (uint64_t bn = 70; bn != 75; ++bn) {
        write_block(c, d, bn, 0x70);
    }
    d->fail_vectored_write_ = true;
    assert_eq(c.sync(d, 0), E_IO);
    for (uint64_t bn = 70; bn != 75; ++bn) {
        assert(dirty(c, d, bn));
    }
    d->fail_vectored_write_ = false;
    assert_eq(c.sync(d, 0), 0);
    for (uint64_t bn = 70; bn != 75; ++bn) {
        assert(!dirty(c, d, bn) && on_disk(rd, bn, 0x70));
    }

    // --- prefetch: drop everything, cache 205, then prefetch [200, 220):
    // [200, 205) and [206, 220) in one readv each; the gets that follow
    // load nothing.
    assert_eq(c.sync(d, 1), 0);
    for (uint64_t bn = 200; bn != 220; ++bn) {
        memset(rd->block(bn), int(bn), BUFCACHE_BLOCKSIZE);
    }
    bcentry* e;
    assert_eq(c.get(d, 205, &e), 0);
    c.put(e);
    d->nlog_ = 0;
    assert_eq(c.prefetch(d, 200, 20), 20U);
    assert_eq(d->nlog_, 2);
    assert(d->is(0, 'R', 200, 5));
    assert(d->is(1, 'R', 206, 14));
    uint64_t loads = c.stats().loads;
    for (uint64_t bn = 200; bn != 220; ++bn) {
        assert_eq(c.get(d, bn, &e), 0);
        assert_eq(memcmp(e->data(), rd->block(bn), BUFCACHE_BLOCKSIZE), 0);
        assert_eq(e->data()[0], uint8_t(bn));
        c.put(e);
    }
    assert_eq(c.stats().loads, loads);
    // At most a quarter of the slots per call; nothing past the disk's end.
    d->nlog_ = 0;
    assert_eq(c.prefetch(d, 300, 100), c.nslots() / 4);
    assert_eq(c.prefetch(d, 398, 10), 2U);
    assert_eq(c.prefetch(d, 400, 1), 0U);

    // A failed read: nothing valid is left, the next get reads (and fails).
    assert_eq(c.sync(d, 1), 0);
    rd->fail_read_bn_ = 252;
    assert_eq(c.prefetch(d, 250, 5), 0U);
    assert_eq(c.get(d, 252, &e), E_IO);
    rd->fail_read_bn_ = -1;
    assert_eq(c.get(d, 252, &e), 0);
    c.put(e);
    assert_eq(c.sync(d, 1), 0);
    c.destroy();

    // A small cache full of dirty blocks: prefetch takes no slot and
    // writes nothing.
    assert_eq(c.init(8), 0);
    for (uint64_t bn = 0; bn != 8; ++bn) {
        write_block(c, d, 300 + bn, 0x30);
    }
    d->nlog_ = 0;
    assert_eq(c.prefetch(d, 350, 2), 0U);
    assert_eq(d->nlog_, 0);
    assert_eq(c.sync(d, 0), 0);
    assert_eq(c.sync(d, 1), 0);
    c.destroy();
    delete d;
    delete rd;
}
