// bufcache_eio.cc — device errors through the buffer cache (ramdisk fault
// switches):
//   - a failed load returns E_IO to the task that started it *and* to every
//     task that was waiting for that load (four per CPU, at once); the
//     block is not left looking valid: the next get reads again and, the
//     fault gone, succeeds with the right bytes; failed slots are reused
//     (all ten can be held at once afterwards);
//   - a failed write-back at sync is E_IO and the block stays dirty (the
//     next sync writes it); a failed flush is E_IO; a failed write-back of
//     an eviction victim fails that get with E_IO and loses nothing.
//! expect: ktest bufcache_eio: passed
#include <atomic>
#include "bufcache.hh"
#include "cpustate.hh"
#include "ktest.hh"
#include "ramdisk.hh"
#include "string.hh"

namespace {

constexpr size_t nslots = 10;
constexpr int per_cpu = 4;

struct shared {
    ramdisk* disk;
    bufcache cache;
    std::atomic<int> arrived{0};
    std::atomic<int> errors{0};
    int ntasks;
};

void get_failing(int, int, void* arg) {
    auto* s = static_cast<shared*>(arg);
    s->arrived.fetch_add(1);
    while (s->arrived.load() < s->ntasks) {
        current()->yield();
    }
    bcentry* e;
    int r = s->cache.get(s->disk, 4, &e);
    assert_eq(r, E_IO);
    ++s->errors;
}

void dirty(bufcache& c, ramdisk* d, uint64_t bn, unsigned char v) {
    bcentry* e;
    assert_eq(c.get(d, bn, &e), 0);
    e->write_begin();
    memset(e->data(), v, BUFCACHE_BLOCKSIZE);
    e->write_end();
    c.put(e);
}

}  // namespace

KTEST(bufcache_eio) {
    auto* s = new shared;
    assert(s);
    s->ntasks = ncpu * per_cpu;
    s->disk = ramdisk::make(64);
    assert(s->disk);
    ramdisk* d = s->disk;
    bufcache& c = s->cache;
    assert_eq(c.init(nslots), 0);
    memset(d->block(4), 0x44, BUFCACHE_BLOCKSIZE);

    // Everyone asks for block 4 while its reads fail (slowly).
    d->fail_read_bn_ = 4;
    d->delay_yields_ = 5;
    ktest_run_tasks(get_failing, s, per_cpu);
    assert_eq(s->errors.load(), s->ntasks);
    bcstats st = c.stats();
    assert_ge(st.load_errors, 1U);
    assert_eq(st.load_errors, st.loads);
    assert_eq(st.hits, 0U);

    // The fault is gone: the next get reads again and succeeds.
    d->fail_read_bn_ = -1;
    d->delay_yields_ = 0;
    bcentry* e;
    assert_eq(c.get(d, 4, &e), 0);
    assert_eq(e->data()[0], 0x44);
    assert_eq(e->data()[4095], 0x44);
    assert_eq(d->block_reads(4), 1U);
    c.put(e);

    // Every slot usable, failed ones included.
    bcentry* held[nslots];
    for (size_t i = 0; i < nslots; ++i) {
        assert_eq(c.get(d, 20 + i, &held[i]), 0);
    }
    for (size_t i = 0; i < nslots; ++i) {
        c.put(held[i]);
    }

    // Write-back failure at sync: E_IO, still dirty, then written.
    dirty(c, d, 6, 0x66);
    d->fail_write_bn_ = 6;
    assert_eq(c.sync(d, 0), E_IO);
    assert_eq(c.get(d, 6, &e), 0);
    assert(e->dirty());
    c.put(e);
    assert_eq(c.sync(d, 1), E_IO);              // and sync(1) keeps it
    d->fail_write_bn_ = -1;
    assert_eq(c.sync(d, 0), 0);
    assert_eq(d->block(6)[10], 0x66);

    // Flush failure.
    d->fail_flush_ = true;
    assert_eq(c.sync(d, 0), E_IO);
    d->fail_flush_ = false;
    assert_eq(c.sync(d, 1), 0);

    // Eviction write-back failure: block 7 is the only unreferenced slot.
    dirty(c, d, 7, 0x77);
    for (size_t i = 0; i < nslots - 1; ++i) {
        assert_eq(c.get(d, 30 + i, &held[i]), 0);
    }
    d->fail_write_bn_ = 7;
    assert_eq(c.get(d, 50, &e), E_IO);
    d->fail_write_bn_ = -1;
    assert_eq(c.get(d, 50, &e), 0);             // now 7 goes home first
    assert_eq(d->block(7)[0], 0x77);
    c.put(e);
    for (size_t i = 0; i < nslots - 1; ++i) {
        c.put(held[i]);
    }
    assert_eq(c.sync(d, 2), 0);
    c.destroy();
    delete d;
    delete s;
}
