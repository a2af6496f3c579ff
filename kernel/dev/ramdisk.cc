// ramdisk.cc — a block device in kalloc'd pages (see ramdisk.hh).
// Easy to get wrong: the range check must not overflow (bn + count on
// untrusted numbers), and a failed transfer moves nothing.
#include "ramdisk.hh"
#include <new>
#include "abi/errno.hh"
#include "kalloc.hh"
#include "proc.hh"
#include "sleeplock.hh"
#include "string.hh"

ramdisk* ramdisk::make(uint64_t nblocks, const void* image, size_t image_size) {
    if (nblocks == 0 || nblocks > (kalloc_max_size / sizeof(void*))
        || image_size > nblocks * BLOCKDEV_BLOCKSIZE) {
        return nullptr;
    }
    auto* d = new ramdisk;
    if (!d) {
        return nullptr;
    }
    d->name_ = "ramdisk";
    d->blocks_ = static_cast<unsigned char**>(kalloc_zeroed(nblocks * sizeof(unsigned char*)));
    d->block_reads_ = static_cast<std::atomic<uint64_t>*>(
        kalloc_zeroed(nblocks * sizeof(std::atomic<uint64_t>)));
    d->block_writes_ = static_cast<std::atomic<uint64_t>*>(
        kalloc_zeroed(nblocks * sizeof(std::atomic<uint64_t>)));
    if (!d->blocks_ || !d->block_reads_ || !d->block_writes_) {
        delete d;
        return nullptr;
    }
    d->nblocks_ = nblocks;      // from here on the destructor frees pages
    for (uint64_t i = 0; i < nblocks; ++i) {
        if (!(d->blocks_[i] = static_cast<unsigned char*>(kalloc_page()))) {
            delete d;
            return nullptr;
        }
    }
    const auto* src = static_cast<const unsigned char*>(image);
    for (size_t off = 0; off < image_size; off += BLOCKDEV_BLOCKSIZE) {
        size_t n = image_size - off < BLOCKDEV_BLOCKSIZE ? image_size - off : BLOCKDEV_BLOCKSIZE;
        memcpy(d->blocks_[off / BLOCKDEV_BLOCKSIZE], src + off, n);
    }
    return d;
}

ramdisk::~ramdisk() {
    if (blocks_) {
        for (uint64_t i = 0; i < nblocks_; ++i) {
            kfree(blocks_[i]);
        }
    }
    kfree(blocks_);
    kfree(block_reads_);
    kfree(block_writes_);
}

void ramdisk::reset_counters() {
    reads_ = 0;
    writes_ = 0;
    flushes_ = 0;
    for (uint64_t i = 0; i < nblocks_; ++i) {
        block_reads_[i] = 0;
        block_writes_[i] = 0;
    }
}

int ramdisk::transfer(uint64_t bn, size_t count, void* buf, bool write) {
    assert_may_sleep();
    if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
        return E_INVAL;
    }
    int64_t fail = write ? fail_write_bn_.load() : fail_read_bn_.load();
    if (fail >= 0 && uint64_t(fail) >= bn && uint64_t(fail) - bn < count) {
        for (unsigned i = delay_yields_.load(); i > 0; --i) {
            current()->yield();
        }
        return E_IO;
    }
    auto* p = static_cast<unsigned char*>(buf);
    if (write && on_write_) {
        for (size_t i = 0; i < count; ++i) {
            on_write_(bn + i, p + i * BLOCKDEV_BLOCKSIZE, on_write_arg_);
        }
    }
    // Half the transfer, the delay, then the rest: a task that looks at the
    // disk meanwhile sees a transfer in progress, as with a real device.
    size_t half = count / 2;
    auto move = [&](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            if (write) {
                memcpy(blocks_[bn + i], p + i * BLOCKDEV_BLOCKSIZE, BLOCKDEV_BLOCKSIZE);
                ++block_writes_[bn + i];
            } else {
                memcpy(p + i * BLOCKDEV_BLOCKSIZE, blocks_[bn + i], BLOCKDEV_BLOCKSIZE);
                ++block_reads_[bn + i];
            }
        }
    };
    move(0, half);
    for (unsigned i = delay_yields_.load(); i > 0; --i) {
        current()->yield();
    }
    move(half, count);
    ++(write ? writes_ : reads_);
    return 0;
}

int ramdisk::read(uint64_t bn, size_t count, void* buf) {
    return transfer(bn, count, buf, false);
}

int ramdisk::write(uint64_t bn, size_t count, const void* buf) {
    return transfer(bn, count, const_cast<void*>(buf), true);
}

int ramdisk::flush() {
    assert_may_sleep();
    ++flushes_;
    return fail_flush_.load() ? E_IO : 0;
}
