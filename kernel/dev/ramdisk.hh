// ramdisk.hh — a block device in kernel memory, for kernel tests of the
// buffer cache and the file system: a `blockdev` (blockdev.hh) whose blocks
// are kalloc'd pages, optionally filled from a byte array (a disk image
// linked into the kernel, or one a test builds).
//
// Test controls: counters of every read, write and flush (total and per
// block), a switch that makes reads or writes of one chosen block fail
// with E_IO, and a delay (yields per transfer) that lets other tasks run in
// the middle of a transfer, as a real disk's interrupt wait would.
// Easy to get wrong: like a real disk, it does not order concurrent
// transfers of the same block (that is the cache's business); counters and
// switches are atomics so tests may read and set them from any CPU.
#pragma once
#include <atomic>
#include "blockdev.hh"

struct ramdisk final : blockdev {
    // A new disk of `nblocks` zeroed blocks whose start is a copy of
    // `image[0, image_size)` (image_size ≤ nblocks × 4096), or nullptr
    // (out of memory: nothing kept).
    static ramdisk* make(uint64_t nblocks, const void* image = nullptr, size_t image_size = 0);
    ~ramdisk() override;

    int read(uint64_t bn, size_t count, void* buf) override;
    int write(uint64_t bn, size_t count, const void* buf) override;
    int flush() override;

    // The bytes of block `bn` as the disk holds them (tests compare).
    unsigned char* block(uint64_t bn) const { return blocks_[bn]; }

    // Totals: transfers (a multi-block transfer counts once), flushes.
    std::atomic<uint64_t> reads_{0}, writes_{0}, flushes_{0};
    // Per block: how many transfers read or wrote it.
    uint64_t block_reads(uint64_t bn) const { return block_reads_[bn].load(); }
    uint64_t block_writes(uint64_t bn) const { return block_writes_[bn].load(); }
    void reset_counters();

    // Transfers that touch this block fail with E_IO (nothing moved); −1
    // (the default) for none. Flushes fail while fail_flush_ is set.
    std::atomic<int64_t> fail_read_bn_{-1}, fail_write_bn_{-1};
    std::atomic<bool> fail_flush_{false};
    // Yields of the calling task in the middle of every transfer, failed
    // ones included (0: none).
    std::atomic<unsigned> delay_yields_{0};
    // Called with each block a write is about to store (tests check what
    // reaches the disk, e.g. that no half-modified block is ever written).
    void (*on_write_)(uint64_t bn, const void* data, void* arg) = nullptr;
    void* on_write_arg_ = nullptr;

private:
    ramdisk() = default;
    unsigned char** blocks_ = nullptr;              // [nblocks_] pages
    std::atomic<uint64_t>* block_reads_ = nullptr;  // [nblocks_]
    std::atomic<uint64_t>* block_writes_ = nullptr; // [nblocks_]
    int transfer(uint64_t bn, size_t count, void* buf, bool write);
};
