// ahci_nodisk.cc — with no disk attached (the default for tests), the AHCI
// controller is found but no disk: blockdev_root() is nullptr and the boot
// goes on to this test.
//! expect: ktest ahci_nodisk: passed
//! expect: ahci: no disk attached
//! ncpu: 1
#include "ahci.hh"
#include "blockdev.hh"
#include "ktest.hh"
#include "pci.hh"

KTEST(ahci_nodisk) {
    assert(!blockdev_root());
    assert(!ahci_root_disk());
    // The controller itself is there (q35's built-in AHCI, class 01:06).
    assert(pci_find_class(0x01, 0x06));
}
