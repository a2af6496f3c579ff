// bufcache_concurrent.cc — the buffer cache under concurrency, four tasks
// per CPU (twelve at one CPU, so races happen there too), ramdisk transfers that yield
// half way:
//   - load once: every task asks for the same uncached block at the same
//     moment; the ramdisk is read exactly once and all get the same entry;
//   - a 10-slot cache and a working set of 40 blocks per task, written in
//     several passes, sometimes two blocks held at once (inside a
//     reservation of 2, which is what keeps 16 tasks from deadlocking on
//     10 slots), while one task syncs over and over: every block the disk
//     receives is whole (a writer fills a block in two halves with a yield
//     in between, so a write-back that did not wait for write_end would
//     send a torn block), and after the last sync the disk holds exactly
//     the last pass, by CRC-32C; the cache had to wait for slots.
//! expect: ktest bufcache_concurrent: passed
//! timeout: 60
#include <atomic>
#include "bufcache.hh"
#include "cpustate.hh"
#include "ktest.hh"
#include "lib.hh"
#include "log.hh"
#include "ramdisk.hh"
#include "string.hh"

namespace {

// Four tasks per CPU; twelve on one CPU, so that more tasks than slots
// hold a block across a yield and some must wait for a slot.
int per_cpu() {
    return ncpu == 1 ? 12 : 4;
}
constexpr size_t nslots = 10;
constexpr uint64_t blocks_per_task = 40;
constexpr unsigned passes = 4;

struct shared {
    ramdisk* disk;
    bufcache cache;
    std::atomic<int> arrived{0};
    int ntasks;
    bcentry* seen[64];
    std::atomic<int> writers_left{0};
    std::atomic<uint64_t> torn{0};
    std::atomic<uint64_t> syncs{0};
};

// Wait (yielding) until every task has arrived.
void barrier(shared* s) {
    s->arrived.fetch_add(1);
    while (s->arrived.load() < s->ntasks) {
        current()->yield();
    }
}

void load_once(int, int index, void* arg) {
    auto* s = static_cast<shared*>(arg);
    barrier(s);
    bcentry* e;
    assert_eq(s->cache.get(s->disk, 7, &e), 0);
    assert_eq(e->data()[0], 0x77);
    s->seen[index] = e;
    current()->yield();
    s->cache.put(e);
}

// Block contents: 512 words, each (bn << 32 | gen).
void fill_half(bcentry* e, uint64_t bn, unsigned gen, int half) {
    auto* w = reinterpret_cast<uint64_t*>(e->data());
    for (size_t i = half * 256; i < size_t(half + 1) * 256; ++i) {
        w[i] = bn << 32 | gen;
    }
}

// The ramdisk shows us every block before it is stored.
void check_whole(uint64_t bn, const void* data, void* arg) {
    auto* s = static_cast<shared*>(arg);
    auto* w = static_cast<const uint64_t*>(data);
    for (size_t i = 1; i < 512; ++i) {
        if (w[i] != w[0]) {
            ++s->torn;
            log_printf(log_level::error, "bufcache_concurrent: torn block %lu written\n",
                       (unsigned long) bn);
            return;
        }
    }
    if (w[0] != 0 && (w[0] >> 32) != bn) {
        ++s->torn;
    }
}

void write_one(shared* s, uint64_t bn, unsigned gen) {
    bcentry* e;
    assert_eq(s->cache.get(s->disk, bn, &e), 0);
    // First a quick change, so the block is dirty (and a sync may pick it)
    // while the slow change below is half done.
    e->write_begin();
    fill_half(e, bn, gen + 1000, 0);
    fill_half(e, bn, gen + 1000, 1);
    e->write_end();
    current()->yield();
    e->write_begin();
    fill_half(e, bn, gen, 0);
    current()->yield();
    fill_half(e, bn, gen, 1);
    e->write_end();
    s->cache.put(e);
}

void worker(int, int index, void* arg) {
    auto* s = static_cast<shared*>(arg);
    if (index == 0) {
        // The syncer: until every writer is done.
        while (s->writers_left.load() > 0) {
            assert_eq(s->cache.sync(s->disk, s->syncs.load() % 2), 0);
            ++s->syncs;
            current()->yield();
        }
        return;
    }
    uint64_t first = uint64_t(index) * blocks_per_task;
    for (unsigned gen = 1; gen <= passes; ++gen) {
        for (uint64_t i = 0; i < blocks_per_task; ++i) {
            uint64_t bn = first + (i * 7 + gen) % blocks_per_task;
            if (i % 5 == 0) {
                // Two at once: reserve first, or all tasks could hold one
                // slot each and wait for a second forever.
                uint64_t other = first + (i * 7 + gen + 1) % blocks_per_task;
                assert_eq(s->cache.reserve(2), 0);
                bcentry* a;
                bcentry* b;
                assert_eq(s->cache.get(s->disk, bn, &a), 0);
                current()->yield();
                assert_eq(s->cache.get(s->disk, other, &b), 0);
                // Read-only look at both: contents belong to this task.
                uint64_t wa = reinterpret_cast<uint64_t*>(a->data())[0];
                uint64_t wb = reinterpret_cast<uint64_t*>(b->data())[0];
                assert(wa == 0 || (wa >> 32) == bn);
                assert(wb == 0 || (wb >> 32) == other);
                s->cache.put(b);
                s->cache.put(a);
                s->cache.unreserve(2);
            }
            write_one(s, bn, gen);
        }
    }
    s->writers_left.fetch_sub(1);
}

}  // namespace

KTEST(bufcache_concurrent) {
    auto* s = new shared;
    assert(s);
    s->ntasks = ncpu * per_cpu();
    assert_le(s->ntasks, 64);
    s->disk = ramdisk::make(uint64_t(s->ntasks) * blocks_per_task);
    assert(s->disk);
    assert_eq(s->cache.init(nslots), 0);
    s->disk->delay_yields_ = 3;

    // Load once.
    memset(s->disk->block(7), 0x77, BUFCACHE_BLOCKSIZE);
    ktest_run_tasks(load_once, s, per_cpu());
    assert_eq(s->disk->block_reads(7), 1U);
    for (int i = 1; i < s->ntasks; ++i) {
        assert(s->seen[i] == s->seen[0]);
    }
    assert_eq(s->cache.sync(s->disk, 2), 0);

    // The working set.
    s->disk->reset_counters();
    s->disk->on_write_ = check_whole;
    s->disk->on_write_arg_ = s;
    s->writers_left = s->ntasks - 1;
    ktest_run_tasks(worker, s, per_cpu());
    assert_eq(s->cache.sync(s->disk, 2), 0);
    assert_eq(s->torn.load(), 0U);
    uint32_t want = 0, got = 0;
    static unsigned char block[BUFCACHE_BLOCKSIZE];
    for (int t = 1; t < s->ntasks; ++t) {
        for (uint64_t i = 0; i < blocks_per_task; ++i) {
            uint64_t bn = uint64_t(t) * blocks_per_task + i;
            auto* w = reinterpret_cast<uint64_t*>(block);
            for (size_t j = 0; j < 512; ++j) {
                w[j] = bn << 32 | passes;
            }
            want = crc32c(want, block, sizeof(block));
            got = crc32c(got, s->disk->block(bn), BUFCACHE_BLOCKSIZE);
        }
    }
    assert_eq(got, want);
    bcstats st = s->cache.stats();
    log_printf(log_level::info,
               "bufcache_concurrent: %d tasks, %lu syncs, %lu loads, %lu write-backs, %lu waits for a slot\n",
               s->ntasks, (unsigned long) s->syncs.load(), (unsigned long) st.loads,
               (unsigned long) st.writebacks, (unsigned long) st.waits);
    assert_gt(st.waits, 0U);
    s->cache.destroy();
    delete s->disk;
    delete s;
}
