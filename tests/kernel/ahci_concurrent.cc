// ahci_concurrent.cc — many tasks on every CPU read (and write) different
// blocks of the disk at the same time; every block's contents match the
// CRC-32C of what was written, and, when the disk offers NCQ, several
// commands were really in flight at once (the driver's high-water mark).
// Without NCQ (tests/boot/ahci-noncq.test boots this with ahci=noncq) the
// same work must pass with exactly one command in flight at a time.
// Easy to get wrong: each task needs its own buffer (kalloc, not the small
// kernel stack); blocks are disjoint between tasks, so writes never race.
//! expect: ktest ahci_concurrent: passed
//! expect: ahci_concurrent: \d+ transfers, at most \d+ in flight
//! disk: yes
#include <atomic>
#include "abi/errno.hh"
#include "ahci.hh"
#include "blockdev.hh"
#include "cpustate.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "lib.hh"
#include "log.hh"
#include "string.hh"
#include "waitqueue.hh"

namespace {

constexpr int tasks_per_cpu = 4;
constexpr uint64_t region = 96;         // blocks shared out among the tasks

void fill(uint8_t* buf, uint64_t bn, unsigned seed) {
    for (size_t i = 0; i < BLOCKDEV_BLOCKSIZE; ++i) {
        buf[i] = uint8_t((bn * 977 + i * 13 + seed * 71) ^ (i >> 5));
    }
}

struct shared_state {
    blockdev* disk;
    uint64_t base;
    int ntasks;                         // tasks in all
    uint32_t crc1[region];              // CRC of each block under seed 1
    std::atomic<int> transfers{0};
    std::atomic<int> mismatches{0};
    std::atomic<int> failures{0};
};

struct task_arg {
    shared_state* s;
    int index;                          // 0 .. ntasks-1
    std::atomic<int>* remaining;
    wait_queue* done;
};

void worker(void* p) {
    auto* a = static_cast<task_arg*>(p);
    shared_state* s = a->s;
    auto* buf = static_cast<uint8_t*>(kalloc(2 * BLOCKDEV_BLOCKSIZE));
    assert(buf);
    uint8_t* expect = buf + BLOCKDEV_BLOCKSIZE;
    // Read: this task's blocks, twice over, checked by CRC.
    for (int round = 0; round < 2; ++round) {
        for (uint64_t i = a->index; i < region; i += s->ntasks) {
            if (s->disk->read(s->base + i, 1, buf) != 0) {
                ++s->failures;
            } else if (crc32c(buf, BLOCKDEV_BLOCKSIZE) != s->crc1[i]) {
                ++s->mismatches;
            }
            ++s->transfers;
        }
    }
    // Write a new pattern to the same blocks and read each back.
    for (uint64_t i = a->index; i < region; i += s->ntasks) {
        fill(expect, s->base + i, 2);
        if (s->disk->write(s->base + i, 1, expect) != 0
            || s->disk->read(s->base + i, 1, buf) != 0) {
            ++s->failures;
        } else if (memcmp(buf, expect, BLOCKDEV_BLOCKSIZE) != 0) {
            ++s->mismatches;
        }
        s->transfers += 2;
    }
    kfree(buf);
    current()->pstate_ = ps_exited;
    --*a->remaining;
    a->done->wake_all();
    current()->yield_noreturn();
}

void on_cpu(int cpu, void* arg) {
    auto* s = static_cast<shared_state*>(arg);
    std::atomic<int> remaining{tasks_per_cpu};
    wait_queue done;
    task_arg args[tasks_per_cpu];
    proc* tasks[tasks_per_cpu];
    for (int t = 0; t < tasks_per_cpu; ++t) {
        args[t] = {s, cpu * tasks_per_cpu + t, &remaining, &done};
        tasks[t] = spawn_kernel_task(cpu, worker, &args[t], "ahci reader");
        assert(tasks[t]);
    }
    waiter w;
    w.block_until(done, [&] { return remaining.load() == 0; });
    for (proc* t : tasks) {
        while (!t->descheduled_) {
            current()->yield();
        }
        proc::free(t);
    }
}

}  // namespace

KTEST(ahci_concurrent) {
    ahci_disk* d = ahci_root_disk();
    assert(d && blockdev_root() == d, "no AHCI root disk");
    auto* s = new shared_state;
    assert(s);
    s->disk = d;
    s->base = d->nblocks_ / 3;
    s->ntasks = ncpu * tasks_per_cpu;

    // Known contents: seed 1 everywhere, written in one transfer.
    auto* all = static_cast<uint8_t*>(kalloc(region * BLOCKDEV_BLOCKSIZE));
    assert(all);
    for (uint64_t i = 0; i < region; ++i) {
        fill(all + i * BLOCKDEV_BLOCKSIZE, s->base + i, 1);
        s->crc1[i] = crc32c(all + i * BLOCKDEV_BLOCKSIZE, BLOCKDEV_BLOCKSIZE);
    }
    assert_eq(d->write(s->base, region, all), 0);

    ktest_run_on_cpus(on_cpu, s);

    assert_eq(s->failures.load(), 0);
    assert_eq(s->mismatches.load(), 0);
    int per_task = 0;
    for (int t = 0; t < s->ntasks; ++t) {
        int mine = 0;
        for (uint64_t i = t; i < region; i += s->ntasks) {
            ++mine;
        }
        per_task += 4 * mine;
    }
    assert_eq(s->transfers.load(), per_task);
    // Every block now holds seed 2 (one more read, all at once).
    assert_eq(d->read(s->base, region, all), 0);
    auto* expect = static_cast<uint8_t*>(kalloc(BLOCKDEV_BLOCKSIZE));
    assert(expect);
    for (uint64_t i = 0; i < region; ++i) {
        fill(expect, s->base + i, 2);
        assert(memcmp(all + i * BLOCKDEV_BLOCKSIZE, expect, BLOCKDEV_BLOCKSIZE) == 0);
    }

    int in_flight;
    {
        spinlock_guard guard(d->lock_);
        in_flight = d->max_in_flight_;
    }
    kprintf("ahci_concurrent: %d transfers, at most %d in flight (%s, %d CPUs)\n",
            s->transfers.load(), in_flight, d->ncq_ ? "NCQ" : "no NCQ", ncpu);
    if (d->ncq_) {
        // Several tasks per CPU each keep a command outstanding: the
        // driver must have had more than one with the device at once.
        assert_gt(in_flight, 1);
        assert_le(in_flight, d->depth_);
    } else {
        assert_eq(in_flight, 1);
    }
    kfree(expect);
    kfree(all);
    delete s;
}
