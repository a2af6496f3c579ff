// ahci_error.cc — device errors come back as E_IO, never a panic: QEMU's
// blkdebug driver (rules in ahci_error.blkdebug) fails every read of block
// 100. The failing command gets E_IO, the port
// is recovered, and the next transfer works; with several commands in
// flight, only the one that fails alone gets E_IO (the others are retried
// and succeed). tests/boot/ahci-error-noncq.test runs it without NCQ.
//! expect: ktest ahci_error: passed
//! expect: ahci: device error
//! disk: blkdebug:tests/kernel/ahci_error.blkdebug:obj/disk.img
#include <atomic>
#include "abi/chickadeefs.hh"
#include "abi/errno.hh"
#include "ahci.hh"
#include "blockdev.hh"
#include "cpustate.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "lib.hh"
#include "log.hh"
#include "string.hh"

namespace {

constexpr uint64_t bad_read = 100;

bool superblock_ok(blockdev* d, uint8_t* buf) {
    if (d->read(0, 1, buf) != 0) {
        return false;
    }
    uint64_t magic;
    memcpy(&magic, buf + chkfs::superblock_offset, sizeof(magic));
    return magic == chkfs::magic;
}

struct shared_state {
    blockdev* disk;
    uint32_t crc[8];                    // blocks 96..103, read before
    std::atomic<int> ok{0}, io_errors{0}, wrong{0};
};

// Each CPU reads blocks 96..103 at once; block 100 is among them.
void on_cpu(int cpu, void* arg) {
    auto* s = static_cast<shared_state*>(arg);
    auto* buf = static_cast<uint8_t*>(kalloc(BLOCKDEV_BLOCKSIZE));
    assert(buf);
    for (int round = 0; round < 2; ++round) {
        for (int k = 0; k < 8; ++k) {
            int i = (k + cpu * 3) % 8;
            int r = s->disk->read(96 + i, 1, buf);
            if (r == E_IO && 96 + i == int(bad_read)) {
                ++s->io_errors;
            } else if (r == 0 && 96 + i != int(bad_read)
                       && crc32c(buf, BLOCKDEV_BLOCKSIZE) == s->crc[i]) {
                ++s->ok;
            } else {
                ++s->wrong;
            }
        }
    }
    kfree(buf);
}

}  // namespace

KTEST(ahci_error) {
    ahci_disk* d = ahci_root_disk();
    assert(d && blockdev_root() == d, "no AHCI root disk");
    auto* buf = static_cast<uint8_t*>(kalloc(4 * BLOCKDEV_BLOCKSIZE));
    assert(buf);

    // A failing read: E_IO; the disk works right after.
    assert_eq(d->read(bad_read, 1, buf), E_IO);
    assert(superblock_ok(d, buf));
    assert_eq(d->read(bad_read + 1, 1, buf), 0);
    // A transfer that covers the bad block fails as a whole.
    assert_eq(d->read(bad_read - 1, 3, buf), E_IO);
    assert(superblock_ok(d, buf));

    // Writes and flushes still work after the recoveries.
    memset(buf, 0xA5, BLOCKDEV_BLOCKSIZE);
    assert_eq(d->write(200, 1, buf), 0);
    memset(buf, 0, BLOCKDEV_BLOCKSIZE);
    assert_eq(d->read(200, 1, buf), 0);
    for (size_t i = 0; i < BLOCKDEV_BLOCKSIZE; ++i) {
        assert_eq(buf[i], 0xA5);
    }
    assert_eq(d->flush(), 0);

    // Concurrent readers: the bad block's readers get E_IO, every other
    // read succeeds with the right contents, even when it was in flight
    // beside the failing one.
    auto* s = new shared_state;
    assert(s);
    s->disk = d;
    for (int i = 0; i < 8; ++i) {
        if (96 + i != int(bad_read)) {
            assert_eq(d->read(96 + i, 1, buf), 0);
            s->crc[i] = crc32c(buf, BLOCKDEV_BLOCKSIZE);
        }
    }
    ktest_run_on_cpus(on_cpu, s);
    assert_eq(s->wrong.load(), 0);
    assert_eq(s->io_errors.load(), 2 * ncpu);
    assert_eq(s->ok.load(), 2 * 7 * ncpu);
    assert(superblock_ok(d, buf));

    uint64_t errors, recoveries;
    {
        spinlock_guard guard(d->lock_);
        errors = d->nerrors_;
        recoveries = d->nrecoveries_;
    }
    kprintf("ahci_error: %lu device errors, %lu port recoveries\n",
            (unsigned long) errors, (unsigned long) recoveries);
    assert_ge(errors, uint64_t(2 + 2 * ncpu));
    assert_eq(errors, recoveries);
    delete s;
    kfree(buf);
}
