// pci.hh — PCI configuration space, bus enumeration, BARs and MSI.
//
// Configuration access uses the legacy mechanism #1 (ports 0xCF8 address,
// 0xCFC data), which every PC chipset QEMU emulates has, so no ACPI table
// is needed; it reaches the first 256 bytes of each function's space, all
// that Nuthatch uses. `pci_init` walks the buses once at boot (bus 0, then
// behind each PCI-to-PCI bridge) and keeps what it found in a table that
// drivers search by class.
// Easy to get wrong: the address/data pair is two port accesses, so every
// access holds `pci_lock`; a 64-bit memory BAR takes two BAR slots; sizing
// a BAR writes all-ones to it, so memory decoding is turned off meanwhile;
// an MSI capability's data register moves by 4 bytes when the function
// supports 64-bit addresses.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct pci_function {
    uint8_t bus = 0, slot = 0, func = 0;
    uint16_t vendor = 0, device = 0;
    uint8_t class_code = 0, subclass = 0, prog_if = 0;
    uint8_t header_type = 0;            // bits 6:0 (0: device, 1: bridge)
};

// Configuration-space registers used outside pci.cc.
constexpr unsigned PCI_COMMAND = 0x04;
constexpr uint16_t PCI_COMMAND_IO = 0x1, PCI_COMMAND_MEMORY = 0x2,
    PCI_COMMAND_BUS_MASTER = 0x4, PCI_COMMAND_INTX_DISABLE = 0x400;

uint32_t pci_read32(const pci_function& f, unsigned offset);
uint16_t pci_read16(const pci_function& f, unsigned offset);
uint8_t pci_read8(const pci_function& f, unsigned offset);
void pci_write32(const pci_function& f, unsigned offset, uint32_t value);
void pci_write16(const pci_function& f, unsigned offset, uint16_t value);

// Enumerate every bus reachable from bus 0. Once, at boot, on CPU 0.
void pci_init();
// The `index`th function (0, 1, ...) with this class and subclass, or
// nullptr when there are no more.
const pci_function* pci_find_class(uint8_t class_code, uint8_t subclass, int index = 0);
// Number of functions pci_init found.
int pci_function_count();

// Memory BAR `bar` (0..5): its physical base and size in bytes. False if it
// is an I/O BAR, unimplemented, or the last slot of a 64-bit pair.
bool pci_memory_bar(const pci_function& f, int bar, uint64_t* base, uint64_t* size);
// Set bits in the command register (memory decoding, bus mastering...).
void pci_enable(const pci_function& f, uint16_t command_bits);
// Program the function's MSI capability to send `vector` (fixed delivery,
// edge) to the local APIC `apic_id`, enable it and disable INTx. False if
// the function has no MSI capability.
bool pci_enable_msi(const pci_function& f, uint32_t apic_id, int vector);
