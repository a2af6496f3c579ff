// bufcache_pin.cc — the journal's pins: a pinned dirty block never reaches
// its home location — not when 200 other blocks push through a 10-slot
// cache, not at sync(0) or sync(1) (which do not drop it either) — and is
// written by the first sync after its last pin goes. for_each walks
// exactly the pinned (or dirty) entries with a reference held. When every
// slot is pinned, get waits for an unpin instead of failing or evicting.
//! expect: ktest bufcache_pin: passed
//! lab: disk 10
#include <atomic>
#include "bufcache.hh"
#include "cpustate.hh"
#include "ktest.hh"
#include "ramdisk.hh"
#include "string.hh"

namespace {

constexpr size_t nslots = 10;

void write_pinned(bufcache& c, ramdisk* d, uint64_t bn, unsigned char v, bool pin) {
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

int count_entry(bcentry* e, void* arg) {
    assert(e->data());
    ++*static_cast<int*>(arg);
    return 0;
}

struct waiter_state {
    bufcache* cache;
    ramdisk* disk;
    std::atomic<int> done{0};
};

}  // namespace

KTEST(bufcache_pin) {
    ramdisk* d = ramdisk::make(400);
    assert(d);
    bufcache c;
    assert_eq(c.init(nslots), 0);

    // Blocks 3 and 4 pinned (4 twice), block 5 dirty and not pinned.
    write_pinned(c, d, 3, 0x33, true);
    write_pinned(c, d, 4, 0x44, true);
    bcentry* e;
    assert_eq(c.get(d, 4, &e), 0);
    c.pin(e);
    assert_eq(e->pins(), 2U);
    c.put(e);
    write_pinned(c, d, 5, 0x55, false);
    assert_eq(c.pinned_count(), 2U);
    int n = 0;
    assert_eq(c.for_each(d, BC_ONLY_PINNED, count_entry, &n), 0);
    assert_eq(n, 2);
    n = 0;
    assert_eq(c.for_each(d, BC_ONLY_DIRTY, count_entry, &n), 0);
    assert_eq(n, 3);

    // Eviction pressure: 200 dirty blocks through the 8 other slots.
    for (uint64_t bn = 100; bn < 300; ++bn) {
        write_pinned(c, d, bn, uint8_t(bn), false);
    }
    assert_eq(d->block_writes(3), 0U);
    assert_eq(d->block_writes(4), 0U);
    assert_eq(d->block_writes(5), 1U);          // evicted like any other
    assert_eq(c.sync(d, 0), 0);
    assert_eq(c.sync(d, 1), 0);
    assert_eq(d->block_writes(3), 0U);
    assert_eq(d->block_writes(4), 0U);
    assert_eq(d->block(3)[0], 0);
    // Still cached and still dirty (sync(1) dropped everything else).
    uint64_t reads = d->reads_.load();
    assert_eq(c.get(d, 3, &e), 0);
    assert_eq(d->reads_.load(), reads);
    assert(e->dirty());
    assert_eq(e->data()[100], 0x33);
    // write_back refuses a pinned block too.
    assert_eq(c.write_back(e), 0);
    assert_eq(d->block_writes(3), 0U);
    c.unpin(e);
    c.put(e);

    // 3 unpinned: the next sync writes it; 4 still has one pin.
    assert_eq(c.get(d, 4, &e), 0);
    c.unpin(e);
    c.put(e);
    assert_eq(c.pinned_count(), 1U);
    assert_eq(c.sync(d, 0), 0);
    assert_eq(d->block_writes(3), 1U);
    assert_eq(d->block(3)[4095], 0x33);
    assert_eq(d->block_writes(4), 0U);
    assert_eq(c.get(d, 4, &e), 0);
    c.unpin(e);
    assert_eq(c.write_back(e), 0);              // the journal's own write-home
    assert_eq(d->block_writes(4), 1U);
    assert_eq(d->block(4)[0], 0x44);
    c.put(e);
    assert_eq(c.pinned_count(), 0U);

    // Every slot pinned: get waits until one is unpinned.
    bcentry* pinned[nslots];
    for (size_t i = 0; i < nslots; ++i) {
        assert_eq(c.get(d, 10 + i, &pinned[i]), 0);
        c.pin(pinned[i]);
        c.put(pinned[i]);
    }
    waiter_state ws;
    ws.cache = &c;
    ws.disk = d;
    int cpu = ncpu > 1 ? 1 : 0;
    uint64_t waits = c.stats().waits;   // before the task can start
    proc* t = spawn_kernel_task(cpu, [](void* a) {
        auto* w = static_cast<waiter_state*>(a);
        bcentry* x;
        assert_eq(w->cache->get(w->disk, 50, &x), 0);
        w->cache->put(x);
        w->done = 1;
        current()->pstate_ = ps_exited;
        current()->yield_noreturn();
    }, &ws, "pin waiter");
    assert(t);
    while (c.stats().waits == waits) {
        current()->yield();             // until the task is waiting
    }
    for (int i = 0; i < 20; ++i) {
        current()->yield();
    }
    assert_eq(ws.done.load(), 0);
    c.unpin(pinned[7]);
    while (!ws.done.load()) {
        current()->yield();
    }
    while (!t->descheduled_) {
        current()->yield();
    }
    proc::free(t);
    for (size_t i = 0; i < nslots; ++i) {
        if (i != 7) {
            c.unpin(pinned[i]);
        }
    }
    assert_eq(c.sync(d, 2), 0);
    c.destroy();
    delete d;
}
