// blockdev.hh — a disk as the rest of the kernel sees it: numbered 4096-byte
// blocks (chickadeefs's block size), read and written by the calling task,
// which sleeps until its transfer is done.
//
// Implemented by the AHCI driver (kernel/dev/ahci.cc) and by the in-memory
// disk of kernel tests (`ramdisk`, kernel/dev/ramdisk.cc). Used by the
// buffer cache (kernel/core/bufcache.*), the file system's mount and journal
// replay, and sys_readdiskfile.
//
// Concurrency is the driver's business: several tasks, on several CPUs, may
// call `read`/`write` at once, and a driver that can keep several commands
// in flight (AHCI with NCQ) must not serialise them behind one lock held
// across the transfer.
// Easy to get wrong: `buf` must be kernel memory from the direct map or
// kalloc (the driver hands its physical address to the device); a transfer
// may not cross the end of the disk (E_INVAL, nothing transferred); a device
// error is E_IO, never a panic; never call these holding a spinlock (they
// sleep).
#pragma once
#include "abi/types.hh"

constexpr size_t BLOCKDEV_BLOCKSIZE = 4096;

struct blockdev {
    const char* name_ = "disk";
    uint64_t nblocks_ = 0;          // size in BLOCKDEV_BLOCKSIZE blocks

    virtual ~blockdev() {}

    // Transfer `count` (≥ 1) whole blocks starting at block `bn` between the
    // disk and `buf` (count × 4096 bytes of kernel memory). Blocks the
    // calling task until done. 0, or E_INVAL (range past the end, count 0),
    // E_IO (the device reported an error), E_NOMEM.
    virtual int read(uint64_t bn, size_t count, void* buf) = 0;
    virtual int write(uint64_t bn, size_t count, const void* buf) = 0;
    // Returns once every write that returned before the call is on stable
    // storage (a device cache flush). 0 or E_IO.
    virtual int flush() = 0;

    // Vectored: `count` (≥ 1) consecutive blocks from `bn`, block i to or
    // from `bufs[i]` (4096 bytes of kernel memory each; page-aligned buffers
    // let a driver move them in one command). The same results as
    // read/write; on an error some blocks may have been transferred (as
    // with a multi-block read or write). The default moves one block at a
    // time; the AHCI driver puts up to max-per-command blocks in one
    // command (kernel/dev/ahci.cc), so the buffer cache can write a run of
    // dirty blocks, or read a run ahead, in one disk request.
    virtual int readv(uint64_t bn, size_t count, void* const* bufs);
    virtual int writev(uint64_t bn, size_t count, const void* const* bufs);
};

// The disk the kernel boots with (the first one found), or nullptr when the
// machine has none. Set once at boot, before the first process.
blockdev* blockdev_root();
void blockdev_set_root(blockdev* dev);
