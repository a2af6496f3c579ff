// blockdev.cc — the root block device (see kernel/core/blockdev.hh).
//
// Set once at boot (ahci_init, from kernel_start, before any other CPU or
// process runs), so readers need no lock. Easy to get wrong: it stays
// nullptr when the machine has no disk; every user must check. With
// `diskfail=N` on the command line the root is the disk wrapped in a
// faultdisk (kernel/dev/faultdisk.hh), so everything above it — replay,
// cache, file system — sees writes stop after N blocks (the crash tests).
#include "blockdev.hh"
#include "faultdisk.hh"
#include "abi/errno.hh"

namespace {
blockdev* root_blockdev;
}

// The default vectored transfers: one block per call.
int blockdev::readv(uint64_t bn, size_t count, void* const* bufs) {
    if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
        return E_INVAL;
    }
    for (size_t i = 0; i != count; ++i) {
        if (int r = read(bn + i, 1, bufs[i]); r != 0) {
            return r;
        }
    }
    return 0;
}

int blockdev::writev(uint64_t bn, size_t count, const void* const* bufs) {
    if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
        return E_INVAL;
    }
    for (size_t i = 0; i != count; ++i) {
        if (int r = write(bn + i, 1, bufs[i]); r != 0) {
            return r;
        }
    }
    return 0;
}

blockdev* blockdev_root() {
    return root_blockdev;
}

void blockdev_set_root(blockdev* dev) {
    root_blockdev = faultdisk_from_cmdline(dev);
}
