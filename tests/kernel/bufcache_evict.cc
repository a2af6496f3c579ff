// bufcache_evict.cc — a 10-slot buffer cache over a ramdisk, one task:
//   - a working set of 300 blocks written through the cache: every dirty
//     block is written home exactly when its slot is reused (counted on the
//     ramdisk), contents check by CRC-32C through the cache and on the disk,
//     before and after sync(0), which writes the rest and flushes once;
//   - LRU: the least recently *put* block is the one evicted;
//   - sync(1) drops clean unreferenced blocks (they are read again) but not
//     one still referenced;
//   - sync(2) reports a leaked reference (E_BUSY, the block number logged)
//     unless the file system declared that block long-lived;
//   - BC_NOLOAD gives zeros without a read; E_INVAL past the end.
//! expect: ktest bufcache_evict: passed
//! expect: bufcache: leaked reference to block 5 \(1 refs\)
//! lab: disk 15
#include "bufcache.hh"
#include "ktest.hh"
#include "lib.hh"
#include "log.hh"
#include "ramdisk.hh"
#include "string.hh"

namespace {

constexpr uint64_t nblocks = 320;
constexpr uint64_t working_set = 300;
constexpr size_t nslots = 10;

void fill(unsigned char* p, uint64_t bn, unsigned gen) {
    for (size_t i = 0; i < BUFCACHE_BLOCKSIZE; ++i) {
        p[i] = uint8_t(bn * 31 + i * 7 + gen * 101 + (i >> 8));
    }
}

uint32_t expected_crc(const unsigned* gens, uint64_t n) {
    static unsigned char block[BUFCACHE_BLOCKSIZE];
    uint32_t crc = 0;
    for (uint64_t bn = 0; bn < n; ++bn) {
        fill(block, bn, gens[bn]);
        crc = crc32c(crc, block, sizeof(block));
    }
    return crc;
}

uint32_t cache_crc(bufcache& c, ramdisk* d, uint64_t n) {
    uint32_t crc = 0;
    for (uint64_t bn = 0; bn < n; ++bn) {
        bcentry* e;
        assert_eq(c.get(d, bn, &e), 0);
        crc = crc32c(crc, e->data(), BUFCACHE_BLOCKSIZE);
        c.put(e);
    }
    return crc;
}

uint32_t disk_crc(ramdisk* d, uint64_t n) {
    uint32_t crc = 0;
    for (uint64_t bn = 0; bn < n; ++bn) {
        crc = crc32c(crc, d->block(bn), BUFCACHE_BLOCKSIZE);
    }
    return crc;
}

void write_block(bufcache& c, ramdisk* d, uint64_t bn, unsigned gen) {
    bcentry* e;
    assert_eq(c.get(d, bn, &e), 0);
    e->write_begin();
    fill(e->data(), bn, gen);
    e->write_end();
    assert(e->dirty());
    c.put(e);
}

bool hold_five(blockdev*, uint64_t bn, void*) {
    return bn == 5;
}

void working_set_test() {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);
    bufcache c;
    assert_eq(c.init(nslots), 0);
    static unsigned gens[working_set];

    // Write every block once. Each of the first 290 is written home when
    // its slot is taken for block bn + 10, and only then.
    for (uint64_t bn = 0; bn < working_set; ++bn) {
        gens[bn] = 1;
        write_block(c, d, bn, 1);
        uint64_t expect_home = bn + 1 > nslots ? bn + 1 - nslots : 0;
        assert_eq(d->writes_.load(), expect_home);
    }
    static unsigned char block[BUFCACHE_BLOCKSIZE];
    for (uint64_t bn = 0; bn < working_set; ++bn) {
        fill(block, bn, 1);
        bool home = bn < working_set - nslots;
        assert_eq(memcmp(d->block(bn), block, sizeof(block)) == 0, home);
        assert_eq(d->block_writes(bn), uint64_t(home ? 1 : 0));
    }
    uint32_t want = expected_crc(gens, working_set);
    assert_eq(cache_crc(c, d, working_set), want);
    // Reading everything back evicted the last ten dirty ones too.
    assert_eq(d->writes_.load(), working_set);
    assert_eq(disk_crc(d, working_set), want);

    // Change every third block; sync(0) writes exactly those, flushes once.
    d->reset_counters();
    unsigned changed = 0;
    for (uint64_t bn = 0; bn < working_set; bn += 3) {
        gens[bn] = 2;
        write_block(c, d, bn, 2);
        ++changed;
    }
    assert_eq(c.sync(d, 0), 0);
    assert_eq(d->writes_.load(), uint64_t(changed));
    assert_eq(d->flushes_.load(), 1U);
    want = expected_crc(gens, working_set);
    assert_eq(disk_crc(d, working_set), want);
    assert_eq(cache_crc(c, d, working_set), want);
    // Nothing is dirty any more: another sync writes nothing.
    assert_eq(c.sync(d, 0), 0);
    assert_eq(d->writes_.load(), uint64_t(changed));
    bcstats st = c.stats();
    log_printf(log_level::info, "bufcache_evict: %lu loads, %lu hits, %lu write-backs, %lu evictions\n",
               (unsigned long) st.loads, (unsigned long) st.hits,
               (unsigned long) st.writebacks, (unsigned long) st.evictions);
    assert_eq(c.sync(d, 2), 0);
    c.destroy();
    delete d;
}

void lru_test() {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);
    bufcache c;
    assert_eq(c.init(nslots), 0);
    bcentry* e;
    for (uint64_t bn = 0; bn < nslots; ++bn) {
        assert_eq(c.get(d, bn, &e), 0);
        c.put(e);
    }
    // Use 0 again: now 1 is the least recently used, then 2.
    assert_eq(c.get(d, 0, &e), 0);
    c.put(e);
    assert_eq(d->reads_.load(), uint64_t(nslots));
    assert_eq(c.get(d, 100, &e), 0);     // evicts 1
    c.put(e);
    assert_eq(c.get(d, 101, &e), 0);     // evicts 2
    c.put(e);
    assert_eq(c.get(d, 0, &e), 0);       // still cached
    c.put(e);
    assert_eq(d->block_reads(0), 1U);
    assert_eq(c.get(d, 3, &e), 0);       // still cached
    c.put(e);
    assert_eq(d->block_reads(3), 1U);
    assert_eq(c.get(d, 1, &e), 0);       // was evicted: read again
    c.put(e);
    assert_eq(d->block_reads(1), 2U);
    assert_eq(c.get(d, 2, &e), 0);
    c.put(e);
    assert_eq(d->block_reads(2), 2U);

    // A referenced block is never the victim, however old.
    bcentry* held;
    assert_eq(c.get(d, 200, &held), 0);
    for (uint64_t bn = 201; bn < 240; ++bn) {
        assert_eq(c.get(d, bn, &e), 0);
        c.put(e);
    }
    assert_eq(c.get(d, 200, &e), 0);
    assert(e == held);
    c.put(e);
    c.put(held);
    assert_eq(d->block_reads(200), 1U);

    // BC_NOLOAD: zeros, no read. Out of range: E_INVAL.
    d->block(250)[0] = 0xAB;
    uint64_t reads = d->reads_.load();
    assert_eq(c.get(d, 250, &e, BC_NOLOAD), 0);
    assert_eq(d->reads_.load(), reads);
    assert_eq(e->data()[0], 0);
    c.put(e);
    assert_eq(c.get(d, nblocks, &e), E_INVAL);
    assert_eq(c.get(d, ~uint64_t(0), &e), E_INVAL);
    c.destroy();
    delete d;
}

void sync_modes_test() {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);
    bufcache c;
    assert_eq(c.init(nslots), 0);
    bcentry* e;
    for (uint64_t bn = 0; bn < 8; ++bn) {
        assert_eq(c.get(d, bn, &e), 0);
        c.put(e);
    }
    bcentry* five;
    assert_eq(c.get(d, 5, &five), 0);
    assert_eq(c.sync(d, 3), E_INVAL);
    assert_eq(c.sync(d, -1), E_INVAL);

    // sync(1): everything unreferenced is dropped, the held block is not.
    assert_eq(c.sync(d, 1), 0);
    for (uint64_t bn = 0; bn < 8; ++bn) {
        assert_eq(c.get(d, bn, &e), 0);
        c.put(e);
        assert_eq(d->block_reads(bn), uint64_t(bn == 5 ? 1 : 2));
    }
    // sync(0) drops nothing.
    assert_eq(c.sync(d, 0), 0);
    assert_eq(c.get(d, 0, &e), 0);
    c.put(e);
    assert_eq(d->block_reads(0), 2U);

    // sync(2): the reference to 5 is a leak unless declared long-lived.
    assert_eq(c.sync(d, 2), E_BUSY);
    c.set_leak_exempt(hold_five, nullptr);
    assert_eq(c.sync(d, 2), 0);
    c.set_leak_exempt(nullptr, nullptr);
    c.put(five);
    assert_eq(c.sync(d, 2), 0);
    c.destroy();
    delete d;
}

}  // namespace

KTEST(bufcache_evict) {
    working_set_test();
    lru_test();
    sync_modes_test();
}
