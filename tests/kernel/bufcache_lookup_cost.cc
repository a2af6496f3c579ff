// bufcache_lookup_cost.cc — what a get costs as the cache grows: cached
// blocks (hits) and uncached ones (a clean victim evicted, the block read
// from a ramdisk), each timed with the TSC over 512 gets, the fastest of 9
// rounds, in a 128-slot and a 1024-slot cache. The index is O(1): a get
// that misses in the big cache must cost less than twice one in the small
// cache (with the linear scan it replaced, which looked at every slot to
// find nothing, it cost 6× as much). Booted under `-icount shift=0` the
// figures are guest instructions (docs/bufcache.md gives them before and
// after the hash table).
//! expect: ktest bufcache_lookup_cost: passed
//! ncpu: 1
#include "bufcache.hh"
#include "arch/insns.hh"
#include "ktest.hh"
#include "log.hh"
#include "ramdisk.hh"

namespace {

constexpr uint64_t nblocks = 4096;
constexpr int rounds = 9;
constexpr uint64_t per_round = 512;

struct cost {
    uint64_t hit, miss;
};

cost measure(ramdisk* d, size_t nslots) {
    bufcache c;
    assert_eq(c.init(nslots), 0);
    cost best = {~uint64_t(0), ~uint64_t(0)};
    bcentry* e;
    // Fill the cache with blocks 0 .. nslots − 1.
    for (uint64_t bn = 0; bn != nslots; ++bn) {
        assert_eq(c.get(d, bn, &e), 0);
        c.put(e);
    }
    uint64_t next_new = nslots;
    for (int r = 0; r != rounds; ++r) {
        // Hits: the most recently used half, so nothing is evicted.
        uint64_t t0 = rdtsc();
        for (uint64_t i = 0; i != per_round; ++i) {
            assert_eq(c.get(d, (next_new - 1 - (i % (nslots / 2))) % nblocks, &e), 0);
            c.put(e);
        }
        uint64_t t1 = rdtsc();
        // Misses: new blocks, each evicting the least recently used.
        for (uint64_t i = 0; i != per_round; ++i) {
            assert_eq(c.get(d, next_new++ % nblocks, &e), 0);
            c.put(e);
        }
        uint64_t t2 = rdtsc();
        best.hit = (t1 - t0) / per_round < best.hit ? (t1 - t0) / per_round : best.hit;
        best.miss = (t2 - t1) / per_round < best.miss ? (t2 - t1) / per_round : best.miss;
    }
    c.destroy();
    return best;
}

}  // namespace

KTEST(bufcache_lookup_cost) {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);
    cost small = measure(d, 128);
    cost big = measure(d, 1024);
    log_printf(log_level::info, "bufcache_lookup_cost: 128 slots: hit %lu, miss %lu; "
               "1024 slots: hit %lu, miss %lu (TSC per get)\n",
               (unsigned long) small.hit, (unsigned long) small.miss,
               (unsigned long) big.hit, (unsigned long) big.miss);
    assert_lt(big.miss, 2 * small.miss);
}
