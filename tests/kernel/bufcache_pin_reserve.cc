// bufcache_pin_reserve.cc — pinned slots count against the cache's
// reservations (docs/bufcache.md, "When every slot is in use"):
//   - a block pinned by a task inside a reservation is charged to that
//     reservation: long-lived + pinned + reserved (committed_slots) does
//     not grow, and unreserve gives back only what is left;
//   - the hang: a 6-slot cache with 3 blocks pinned by a finished journal
//     operation (its transaction not yet committed) and two tasks that
//     each reserve 3 and then hold 3 blocks at once. Counting only
//     reservations (3 + 3 ≤ 6) admits both, they fill the 3 free slots and
//     wait for each other forever. Counting pins, the second reservation
//     does not fit: reserve calls the journal's release hook, which
//     commits (unpins), and both finish. A watchdog task fails the test
//     with the counts if they have not finished within 3 seconds.
//! expect: ktest bufcache_pin_reserve: passed
//! ncpu: 1 4
#include <atomic>
#include "bufcache.hh"
#include "journal.hh"
#include "journal-test-disk.hh"
#include "ktest.hh"
#include "log.hh"
#include "proc.hh"
#include "ramdisk.hh"
#include "string.hh"
#include "timer.hh"

using namespace chkfs;

namespace {

constexpr blocknum_t nblocks = 200, njournal = 32;
constexpr size_t nslots = 6;

struct shared {
    ramdisk* disk;
    bufcache cache;
    journal* j;
    std::atomic<int> first_held{0};
    std::atomic<int> done{0};
};

void set(shared* s, blocknum_t bn, unsigned char v, bool journaled) {
    bcentry* e;
    assert_eq(s->cache.get(s->disk, bn, &e), 0);
    e->write_begin();
    memset(e->data(), v, blocksize);
    if (journaled) {
        assert_eq(s->j->add(bn), 0);
    }
    e->write_end();
    s->cache.put(e);
}

void release_pins(void* arg) {
    auto* j = static_cast<journal*>(arg);
    if (!j->inside_op()) {
        j->commit();
    }
}

// Tasks 0 and 1 reserve 3 and hold blocks 20+10i .. 22+10i at once (each
// waits, after its first, until the other holds its first too); task 2 is
// the watchdog.
void worker(int, int index, void* arg) {
    auto* s = static_cast<shared*>(arg);
    if (index == 2) {
        uint64_t deadline = ticks.load() + 3 * 100;
        while (s->done.load() < 2) {
            if (ticks.load() > deadline) {
                panic("bufcache_pin_reserve: two reserved tasks stalled: %lu pinned, "
                      "%lu committed of %lu slots (pins not counted against reservations)\n",
                      (unsigned long) s->cache.pinned_count(),
                      (unsigned long) s->cache.committed_slots(), (unsigned long) nslots);
            }
            msleep(10);
        }
        return;
    }
    assert_eq(s->cache.reserve(3), 0);
    assert_le(s->cache.committed_slots(), nslots);
    bcentry* held[3];
    for (int k = 0; k != 3; ++k) {
        assert_eq(s->cache.get(s->disk, blocknum_t(20 + 10 * index + k), &held[k]), 0);
        if (k == 0) {
            s->first_held.fetch_add(1);
            while (s->first_held.load() < 2) {
                current()->yield();
            }
        }
        current()->yield();
    }
    for (int k = 0; k != 3; ++k) {
        s->cache.put(held[k]);
    }
    s->cache.unreserve(3);
    s->done.fetch_add(1);
}

}  // namespace

KTEST(bufcache_pin_reserve) {
    auto* s = new shared;
    s->disk = ramdisk::make(nblocks);
    assert(s->disk);
    format_journal_test_disk(*s->disk, nblocks, njournal);
    assert_eq(s->cache.init(nslots), 0);
    bufcache_journal_client client(&s->cache, s->disk);
    s->j = new journal;
    assert_eq(s->j->mount(s->disk, &client), 0);
    assert_eq(s->cache.add_pin_release(release_pins, s->j), 0);

    // Charging: pins inside a reservation use it up.
    assert_eq(s->cache.reserve(4), 0);
    assert_eq(s->cache.committed_slots(), 4u);
    assert_eq(s->j->begin_op(), 0);
    assert(s->j->inside_op());
    set(s, 3, 1, true);
    set(s, 4, 1, true);
    set(s, 4, 2, true);                 // already pinned: no new charge
    s->j->end_op();
    assert(!s->j->inside_op());
    assert_eq(s->cache.pinned_count(), 2u);
    assert_eq(s->cache.committed_slots(), 4u);
    s->cache.unreserve(4);              // gives back the 2 left
    assert_eq(s->cache.committed_slots(), 2u);
    assert_eq(s->j->commit(), 0);
    assert_eq(s->cache.committed_slots(), 0u);

    // Used up: a reservation of 1 and two pins.
    assert_eq(s->cache.reserve(1), 0);
    assert_eq(s->j->begin_op(), 0);
    set(s, 5, 1, true);
    set(s, 6, 1, true);
    s->j->end_op();
    s->cache.unreserve(1);
    assert_eq(s->cache.committed_slots(), 2u);
    assert_eq(s->j->commit(), 0);

    // The hang: 3 pins left by an operation outside any reservation.
    assert_eq(s->j->begin_op(), 0);
    set(s, 7, 3, true);
    set(s, 8, 3, true);
    set(s, 9, 3, true);
    s->j->end_op();
    assert_eq(s->cache.pinned_count(), 3u);
    uint64_t commits = s->j->commits();
    ktest_run_tasks(worker, s, 3, 1);
    assert_eq(s->done.load(), 2);
    assert_gt(s->j->commits(), commits);            // the hook committed
    assert_ge(s->cache.stats().reliefs, 1u);
    assert_eq(s->cache.committed_slots(), 0u);
    assert_eq(s->cache.sync(s->disk, 2), 0);
    log_printf(log_level::info, "bufcache_pin_reserve: %lu reliefs\n",
               (unsigned long) s->cache.stats().reliefs);
}
