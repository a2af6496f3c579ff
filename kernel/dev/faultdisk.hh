// faultdisk.hh — a block device that stops writing: a wrapper around
// another blockdev that passes the first N block writes through and then
// silently drops every later one (reporting success), as if the power had
// failed between two writes. The crash tests use it (`diskfail=N` on the
// kernel command line, docs/journal.md) to land a "crash" exactly between
// two block writes, and the journal's kernel tests use it to crash replay
// itself at every point.
//
// Easy to get wrong: the budget counts blocks, not calls, so a multi-block
// write can be cut in the middle (a torn write); flush() after the cut
// does nothing, and reads still see the inner device (what is on "disk").
// Each flush logs (at debug level, so on the debug console) how many block
// writes have passed: the crash script reads it to size its random cuts.
#pragma once
#include "blockdev.hh"
#include <atomic>

struct faultdisk : blockdev {
    blockdev* inner_;
    std::atomic<long> budget_;      // block writes still allowed; < 0: no limit
    std::atomic<long> dropped_{0};  // block writes dropped so far
    std::atomic<long> passed_{0};   // block writes passed through so far

    faultdisk(blockdev* inner, long budget);
    int read(uint64_t bn, size_t count, void* buf) override;
    int write(uint64_t bn, size_t count, const void* buf) override;
    int flush() override;
    bool failed() const {
        return dropped_.load() != 0;
    }
};

// If the kernel command line has `diskfail=N`, a faultdisk around `dev`
// (allocated once; lives forever) with budget N, and a log line saying so;
// otherwise `dev` itself.
blockdev* faultdisk_from_cmdline(blockdev* dev);
