// ahci_rwv.cc — the AHCI driver's vectored transfers (blockdev::readv and
// writev): 40 blocks from 40 separate pages go out in two commands (32 +
// 8) and read back right with a plain read; read back into 40 separate
// pages, again two commands; buffers that each cross a page take two PRD
// entries, so a command carries at most 28 of them (two commands still,
// 28 + 12) and the data are right; a range past the end, or a buffer
// outside kernel memory anywhere in the list, is E_INVAL with no command
// issued. The disk is a snapshot (`disk: yes`).
//! expect: ktest ahci_rwv: passed
//! disk: yes
#include "abi/errno.hh"
#include "ahci.hh"
#include "blockdev.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "string.hh"

namespace {

constexpr size_t n = 40;

uint8_t pattern_byte(uint64_t bn, size_t i, unsigned seed) {
    return uint8_t((bn * 37 + i * 11 + (i >> 7) + seed * 53) ^ (i >> 4));
}

void fill(uint8_t* p, uint64_t bn, unsigned seed) {
    for (size_t i = 0; i < BLOCKDEV_BLOCKSIZE; ++i) {
        p[i] = pattern_byte(bn, i, seed);
    }
}

bool holds(const uint8_t* p, uint64_t bn, unsigned seed) {
    for (size_t i = 0; i < BLOCKDEV_BLOCKSIZE; ++i) {
        if (p[i] != pattern_byte(bn, i, seed)) {
            return false;
        }
    }
    return true;
}

uint64_t commands(ahci_disk* a) {
    spinlock_guard guard(a->lock_);
    return a->ncommands_;
}

}  // namespace

KTEST(ahci_rwv) {
    ahci_disk* a = ahci_root_disk();
    blockdev* d = blockdev_root();
    assert(a && d == a, "no AHCI root disk with disk: yes");
    uint64_t base = d->nblocks_ - n - 16;

    // 40 separate pages (kalloc'd one by one: not contiguous in general).
    uint8_t* pages[n];
    for (size_t i = 0; i != n; ++i) {
        pages[i] = static_cast<uint8_t*>(kalloc(BLOCKDEV_BLOCKSIZE));
        assert(pages[i]);
        fill(pages[i], base + i, 1);
    }
    uint64_t c0 = commands(a);
    assert_eq(d->writev(base, n, reinterpret_cast<const void* const*>(pages)), 0);
    assert_eq(commands(a) - c0, 2U);
    auto* big = static_cast<uint8_t*>(kalloc(n * BLOCKDEV_BLOCKSIZE));
    assert(big);
    memset(big, 0, n * BLOCKDEV_BLOCKSIZE);
    assert_eq(d->read(base, n, big), 0);
    for (size_t i = 0; i != n; ++i) {
        assert(holds(big + i * BLOCKDEV_BLOCKSIZE, base + i, 1));
    }

    // Back into the separate pages.
    for (size_t i = 0; i != n; ++i) {
        memset(pages[i], 0xEE, BLOCKDEV_BLOCKSIZE);
    }
    c0 = commands(a);
    assert_eq(d->readv(base, n, reinterpret_cast<void* const*>(pages)), 0);
    assert_eq(commands(a) - c0, 2U);
    for (size_t i = 0; i != n; ++i) {
        assert(holds(pages[i], base + i, 1));
    }

    // Buffers that cross a page (2 KiB into two-page allocations): two PRD
    // entries each, 28 blocks per command at most.
    uint8_t* pairs[n];
    uint8_t* odd[n];
    for (size_t i = 0; i != n; ++i) {
        pairs[i] = static_cast<uint8_t*>(kalloc(2 * BLOCKDEV_BLOCKSIZE));
        assert(pairs[i]);
        odd[i] = pairs[i] + 2048;
        fill(odd[i], base + i, 2);
    }
    c0 = commands(a);
    assert_eq(d->writev(base, n, reinterpret_cast<const void* const*>(odd)), 0);
    assert_eq(commands(a) - c0, 2U);
    for (size_t i = 0; i != n; ++i) {
        memset(odd[i], 0, BLOCKDEV_BLOCKSIZE);
    }
    assert_eq(d->readv(base, n, reinterpret_cast<void* const*>(odd)), 0);
    for (size_t i = 0; i != n; ++i) {
        assert(holds(odd[i], base + i, 2));
    }
    assert_eq(d->read(base, n, big), 0);
    for (size_t i = 0; i != n; ++i) {
        assert(holds(big + i * BLOCKDEV_BLOCKSIZE, base + i, 2));
    }

    // Refused, with no command issued: past the end, count 0, a buffer in
    // the list that is not kernel memory (the others untouched).
    c0 = commands(a);
    assert_eq(d->readv(d->nblocks_ - 2, 3, reinterpret_cast<void* const*>(pages)), E_INVAL);
    assert_eq(d->writev(base, 0, reinterpret_cast<const void* const*>(pages)), E_INVAL);
    for (size_t i = 0; i != n; ++i) {
        memset(pages[i], 0x5A, BLOCKDEV_BLOCKSIZE);
    }
    uint8_t* saved = pages[7];
    pages[7] = reinterpret_cast<uint8_t*>(uintptr_t(0x400000));    // user half
    assert_eq(d->readv(base, n, reinterpret_cast<void* const*>(pages)), E_INVAL);
    pages[7] = saved;
    assert_eq(commands(a) - c0, 0U);
    for (size_t i = 0; i != n; ++i) {
        assert_eq(pages[i][0], 0x5A);
        assert_eq(pages[i][BLOCKDEV_BLOCKSIZE - 1], 0x5A);
    }

    for (size_t i = 0; i != n; ++i) {
        kfree(pages[i]);
        kfree(pairs[i]);
    }
    kfree(big);
}
