// blockdev.cc — the root block device (see kernel/core/blockdev.hh).
//
// Set once at boot (ahci_init, from kernel_start, before any other CPU or
// process runs), so readers need no lock. Easy to get wrong: it stays
// nullptr when the machine has no disk; every user must check.
#include "blockdev.hh"

namespace {
blockdev* root_blockdev;
}

blockdev* blockdev_root() {
    return root_blockdev;
}

void blockdev_set_root(blockdev* dev) {
    root_blockdev = dev;
}
