// bufcache_index.cc — the cache's index (docs/bufcache.md, "Found in
// O(1)") on a 1024-slot cache over two ramdisks whose block numbers
// overlap:
//   - every get returns the right block of the right device (each block
//     is stamped with its device and number), through 3000 gets that
//     evict over and over, a failed load (the failed slot is reused first
//     and the block reads again) and a sync(1) that empties the cache;
//   - blocks still cached are hits (no device read), evicted ones are
//     read again;
//   - lookups and victim searches look at a few entries per get, not at
//     every slot: fewer than 4 on average (the linear scan it replaced
//     looked at ~1000).
//! expect: ktest bufcache_index: passed
//! ncpu: 1
#include "bufcache.hh"
#include "ktest.hh"
#include "log.hh"
#include "ramdisk.hh"
#include "string.hh"

namespace {

constexpr size_t nslots = 1024;
constexpr uint64_t nblocks = 1500;

void stamp(ramdisk* d, unsigned tag) {
    for (uint64_t bn = 0; bn != nblocks; ++bn) {
        memset(d->block(bn), 0, 16);
        memcpy(d->block(bn), &bn, sizeof(bn));
        memcpy(d->block(bn) + 8, &tag, sizeof(tag));
    }
}

void check(bufcache& c, ramdisk* d, unsigned tag, uint64_t bn) {
    bcentry* e;
    assert_eq(c.get(d, bn, &e), 0);
    uint64_t got_bn;
    unsigned got_tag;
    memcpy(&got_bn, e->data(), sizeof(got_bn));
    memcpy(&got_tag, e->data() + 8, sizeof(got_tag));
    assert_eq(got_bn, bn);
    assert_eq(got_tag, tag);
    c.put(e);
}

}  // namespace

KTEST(bufcache_index) {
    ramdisk* a = ramdisk::make(nblocks);
    ramdisk* b = ramdisk::make(nblocks);
    assert(a && b);
    a->name_ = "ra";
    b->name_ = "rb";
    stamp(a, 0xA);
    stamp(b, 0xB);
    bufcache c;
    assert_eq(c.init(nslots), 0);

    // 3000 gets alternating devices over the same numbers: the cache
    // fills, then evicts the least recently used.
    for (uint64_t i = 0; i != nblocks; ++i) {
        check(c, a, 0xA, i);
        check(c, b, 0xB, i);
    }
    bcstats s0 = c.stats();
    assert_eq(s0.loads, 2 * nblocks);
    assert_eq(s0.evictions, 2 * nblocks - nslots);
    // The last 1024 gets are cached: hits, in any order, no read.
    uint64_t reads = a->reads_.load() + b->reads_.load();
    for (uint64_t i = nblocks; i-- != nblocks - nslots / 2;) {
        check(c, b, 0xB, i);
        check(c, a, 0xA, i);
    }
    assert_eq(a->reads_.load() + b->reads_.load(), reads);
    bcstats s1 = c.stats();
    assert_eq(s1.hits - s0.hits, nslots);
    // Evicted long ago: read again.
    check(c, a, 0xA, 0);
    assert_eq(a->block_reads(0), 2u);

    // A failed load: E_IO, then the block reads again and is right.
    a->fail_read_bn_ = 7;
    bcentry* e;
    assert_eq(c.get(a, 7, &e), E_IO);
    assert_eq(c.get(a, 7, &e), E_IO);
    a->fail_read_bn_ = -1;
    check(c, a, 0xA, 7);
    check(c, b, 0xB, 7);

    // Every get looked at a handful of entries.
    bcstats s2 = c.stats();
    uint64_t gets = s2.hits + s2.loads + s2.load_errors;
    log_printf(log_level::info, "bufcache_index: %lu probes for %lu gets\n",
               (unsigned long) s2.probes, (unsigned long) gets);
    assert_lt(s2.probes, 4 * gets);

    // sync(1) forgets everything: the next gets read again, still right.
    assert_eq(c.sync(nullptr, 1), 0);
    reads = a->reads_.load() + b->reads_.load();
    check(c, b, 0xB, nblocks - 1);
    check(c, a, 0xA, nblocks - 1);
    assert_eq(a->reads_.load() + b->reads_.load(), reads + 2);
    c.destroy();
}
