// memdisk.hh — a block device in kernel memory for the journal's kernel
// tests (not a test itself): counts the blocks written, so a test can say
// "nothing was written" and find how many writes a piece of work takes.
// Easy to get wrong: it is sized at construction and refuses transfers
// past its end like a real disk (E_INVAL); check ok() before use.
#pragma once
#include "blockdev.hh"
#include "kalloc.hh"
#include "string.hh"
#include "abi/errno.hh"

struct memdisk : blockdev {
    unsigned char* data_;
    unsigned long writes_ = 0;      // blocks written
    unsigned long flushes_ = 0;

    explicit memdisk(uint64_t nblocks) {
        name_ = "memdisk";
        nblocks_ = nblocks;
        data_ = static_cast<unsigned char*>(kalloc_zeroed(nblocks * BLOCKDEV_BLOCKSIZE));
    }
    ~memdisk() override {
        kfree(data_);
    }
    bool ok() const {
        return data_ != nullptr;
    }
    unsigned char* block(uint64_t bn) {
        return data_ + bn * BLOCKDEV_BLOCKSIZE;
    }
    int read(uint64_t bn, size_t count, void* buf) override {
        if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
            return E_INVAL;
        }
        memcpy(buf, block(bn), count * BLOCKDEV_BLOCKSIZE);
        return 0;
    }
    int write(uint64_t bn, size_t count, const void* buf) override {
        if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
            return E_INVAL;
        }
        memcpy(block(bn), buf, count * BLOCKDEV_BLOCKSIZE);
        writes_ += count;
        return 0;
    }
    int flush() override {
        ++flushes_;
        return 0;
    }
};
