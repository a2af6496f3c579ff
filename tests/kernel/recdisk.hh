// recdisk.hh — for kernel tests: a block device over a ramdisk that
// records every request it gets (read, write, readv, writev: first block
// and count), so a test can check how the buffer cache and the file system
// batch their transfers. The ramdisk does the work (a vectored request
// reaches it one block at a time, so its own counters count blocks).
// Easy to get wrong: the log holds max_log requests (asserted); reset
// nlog_ before the part of a test that counts.
#pragma once
#include "abi/errno.hh"
#include "blockdev.hh"
#include "ktest.hh"
#include "ramdisk.hh"

struct recdisk final : blockdev {
    ramdisk* inner_;
    static constexpr int max_log = 256;
    struct req {
        char op;                    // 'r', 'w', 'R' (readv), 'W' (writev)
        uint64_t bn;
        size_t count;
    } log_[max_log];
    int nlog_ = 0;
    bool fail_vectored_write_ = false;

    explicit recdisk(ramdisk* inner) : inner_(inner) {
        name_ = "recdisk";
        nblocks_ = inner->nblocks_;
    }
    void note(char op, uint64_t bn, size_t count) {
        assert(nlog_ < max_log);
        log_[nlog_++] = {op, bn, count};
    }
    int read(uint64_t bn, size_t count, void* buf) override {
        note('r', bn, count);
        return inner_->read(bn, count, buf);
    }
    int write(uint64_t bn, size_t count, const void* buf) override {
        note('w', bn, count);
        return inner_->write(bn, count, buf);
    }
    int flush() override {
        return inner_->flush();
    }
    int readv(uint64_t bn, size_t count, void* const* bufs) override {
        note('R', bn, count);
        for (size_t i = 0; i != count; ++i) {
            if (int r = inner_->read(bn + i, 1, bufs[i]); r != 0) {
                return r;
            }
        }
        return 0;
    }
    int writev(uint64_t bn, size_t count, const void* const* bufs) override {
        note('W', bn, count);
        if (fail_vectored_write_) {
            return E_IO;
        }
        for (size_t i = 0; i != count; ++i) {
            if (int r = inner_->write(bn + i, 1, bufs[i]); r != 0) {
                return r;
            }
        }
        return 0;
    }
    // Was request `i` exactly this?
    bool is(int i, char op, uint64_t bn, size_t count) const {
        return i < nlog_ && log_[i].op == op && log_[i].bn == bn && log_[i].count == count;
    }
};

// Requests of kind `op` in the log, and the blocks they carried.
inline int recdisk_count(const recdisk* d, char op, size_t* blocks = nullptr) {
    int n = 0;
    size_t b = 0;
    for (int i = 0; i != d->nlog_; ++i) {
        if (d->log_[i].op == op) {
            ++n;
            b += d->log_[i].count;
        }
    }
    if (blocks) {
        *blocks = b;
    }
    return n;
}
