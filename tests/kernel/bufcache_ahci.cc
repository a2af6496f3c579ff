// bufcache_ahci.cc — the kernel's own buffer cache (bufcache_root, sized by
// `bufcache=10` on the command line) over the AHCI disk: the superblock is
// read through it; 200 blocks of the disk's data area are written through
// the cache by four tasks per CPU at once (10 slots: eviction and dirty
// write-back all the way), then sync(1) writes the rest, flushes the disk
// and empties the cache; reading the blocks straight from the device, and
// again through the cache, gives what was written. The disk is a snapshot
// (`disk: yes`), so obj/disk.img never changes.
//! expect: ktest bufcache_ahci: passed
//! disk: yes
//! cmdline: bufcache=10
//! timeout: 60
//! lab: disk 15
#include "abi/chickadeefs.hh"
#include "bufcache.hh"
#include "cpustate.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "log.hh"
#include "string.hh"

namespace {

constexpr uint64_t nwrite = 200;
constexpr int per_cpu = 4;

struct shared {
    bufcache* cache;
    blockdev* disk;
    uint64_t first;             // first block written
    int ntasks;
};

uint8_t byte_of(uint64_t bn, size_t i) {
    return uint8_t(bn * 13 + i * 5 + (i >> 10));
}

void writer(int, int index, void* arg) {
    auto* s = static_cast<shared*>(arg);
    for (uint64_t k = uint64_t(index); k < nwrite; k += uint64_t(s->ntasks)) {
        uint64_t bn = s->first + k;
        bcentry* e;
        assert_eq(s->cache->get(s->disk, bn, &e), 0);
        e->write_begin();
        for (size_t i = 0; i < BUFCACHE_BLOCKSIZE; ++i) {
            e->data()[i] = byte_of(bn, i);
        }
        e->write_end();
        s->cache->put(e);
    }
}

}  // namespace

KTEST(bufcache_ahci) {
    blockdev* disk = blockdev_root();
    assert(disk, "no disk");
    bufcache* cache = bufcache_root();
    assert(cache);
    assert_eq(cache->nslots(), 10U);

    bcentry* e;
    assert_eq(cache->get(disk, 0, &e), 0);
    chkfs::superblock sb;
    memcpy(&sb, e->data() + chkfs::superblock_offset, sizeof(sb));
    cache->put(e);
    assert_eq(sb.magic, chkfs::magic);
    assert_le(sb.data_bn + nwrite, sb.journal_bn);

    auto* s = new shared;
    assert(s);
    s->cache = cache;
    s->disk = disk;
    s->first = sb.journal_bn - nwrite;  // the end of the data area
    s->ntasks = ncpu * per_cpu;
    ktest_run_tasks(writer, s, per_cpu);
    bcstats st = cache->stats();
    assert_ge(st.writebacks, nwrite - 10);      // most went home on eviction
    assert_eq(cache->sync(disk, 1), 0);
    assert_eq(cache->sync(disk, 2), 0);

    auto* buf = static_cast<uint8_t*>(kalloc(BUFCACHE_BLOCKSIZE));
    assert(buf);
    for (uint64_t k = 0; k < nwrite; ++k) {
        uint64_t bn = s->first + k;
        assert_eq(disk->read(bn, 1, buf), 0);
        for (size_t i = 0; i < BUFCACHE_BLOCKSIZE; ++i) {
            assert_eq(buf[i], byte_of(bn, i));
        }
        assert_eq(cache->get(disk, bn, &e), 0);
        assert_eq(memcmp(e->data(), buf, BUFCACHE_BLOCKSIZE), 0);
        cache->put(e);
    }
    kfree(buf);
    st = cache->stats();
    log_printf(log_level::info, "bufcache_ahci: %lu loads, %lu write-backs, %lu evictions, %lu waits\n",
               (unsigned long) st.loads, (unsigned long) st.writebacks,
               (unsigned long) st.evictions, (unsigned long) st.waits);
    assert_eq(cache->sync(disk, 1), 0);
    delete s;
}
