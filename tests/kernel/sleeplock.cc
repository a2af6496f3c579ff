// sleeplock.cc — sleeping locks under contention: four tasks per CPU (so
// the race happens at one CPU too) take a sleeplock and yield *inside* the
// critical section, many times. Mutual exclusion: a plain counter updated
// as read / yield / write loses updates without the lock, and an
// "inside" count must never exceed 1. No lost wake-up: every acquire
// but the first of a round finds the lock held and sleeps; a wake-up lost
// hangs the test (the harness times out). Then the rwlock: readers
// overlap (several are seen inside at once), a writer is alone (no reader
// and no other writer inside), and mixed traffic ends with the right
// counts.
//! expect: ktest sleeplock: passed
//! ncpu: 1 4
#include <atomic>
#include "cpustate.hh"
#include "ktest.hh"
#include "log.hh"
#include "sleeplock.hh"

namespace {

constexpr int per_cpu = 4;
constexpr int rounds = 300;

struct mutex_state {
    sleeplock lock;
    long counter = 0;                   // [lock], deliberately not atomic
    std::atomic<int> inside{0};
};

void mutex_worker(int, int index, void* arg) {
    auto* st = static_cast<mutex_state*>(arg);
    for (int i = 0; i < rounds; ++i) {
        st->lock.lock();
        assert_eq(st->inside.fetch_add(1) + 1, 1);
        assert(st->lock.held());
        long c = st->counter;
        if ((i + index) % 3 == 0) {
            current()->yield();         // hold the lock across a switch
        }
        st->counter = c + 1;
        st->inside.fetch_sub(1);
        st->lock.unlock();
        if (i % 7 == 0) {
            current()->yield();
        }
    }
}

struct rw_state {
    rwlock lock;
    long writes = 0;                    // [lock exclusive]
    std::atomic<long> reads{0};
    std::atomic<int> readers_inside{0};
    std::atomic<int> writers_inside{0};
    std::atomic<int> max_readers{0};
    bool readers_only = false;
};

void rw_worker(int, int index, void* arg) {
    auto* st = static_cast<rw_state*>(arg);
    for (int i = 0; i < rounds; ++i) {
        bool write = !st->readers_only && (i + index) % 4 == 0;
        if (write) {
            st->lock.lock();
            assert_eq(st->writers_inside.fetch_add(1) + 1, 1);
            assert_eq(st->readers_inside.load(), 0);
            long w = st->writes;
            current()->yield();
            st->writes = w + 1;
            st->writers_inside.fetch_sub(1);
            st->lock.unlock();
        } else {
            st->lock.lock_shared();
            assert_eq(st->writers_inside.load(), 0);
            int n = st->readers_inside.fetch_add(1) + 1;
            int m = st->max_readers.load();
            while (n > m && !st->max_readers.compare_exchange_weak(m, n)) {
            }
            current()->yield();
            assert_eq(st->writers_inside.load(), 0);
            st->readers_inside.fetch_sub(1);
            ++st->reads;
            st->lock.unlock_shared();
        }
    }
}

}  // namespace

KTEST(sleeplock) {
    int ntasks = ncpu * per_cpu;

    auto* m = new mutex_state;
    assert(m);
    ktest_run_tasks(mutex_worker, m, per_cpu);
    assert_eq(m->counter, long(ntasks) * rounds);
    assert(m->lock.try_lock());         // free again after the storm
    m->lock.unlock();
    delete m;

    auto* r = new rw_state;
    assert(r);
    r->readers_only = true;
    ktest_run_tasks(rw_worker, r, per_cpu);
    assert_eq(r->reads.load(), long(ntasks) * rounds);
    assert_ge(r->max_readers.load(), 2);        // it is shared, not a mutex
    log_printf(log_level::info, "sleeplock: up to %d readers at once\n", r->max_readers.load());

    r->readers_only = false;
    r->reads = 0;
    ktest_run_tasks(rw_worker, r, per_cpu);
    long writes = 0;
    for (int index = 0; index < ntasks; ++index) {
        for (int i = 0; i < rounds; ++i) {
            writes += (i + index) % 4 == 0;
        }
    }
    assert_eq(r->writes, writes);
    assert_eq(r->reads.load(), long(ntasks) * rounds - writes);
    assert(r->lock.try_lock());
    assert(r->lock.held_exclusive());
    r->lock.unlock();
    delete r;
}
