// pci.cc — configuration mechanism #1, enumeration, BARs, MSI (see pci.hh).
#include "pci.hh"
#include "arch/insns.hh"
#include "assert.hh"
#include "log.hh"
#include "spinlock.hh"

namespace {

constexpr uint16_t config_address_port = 0xCF8, config_data_port = 0xCFC;
constexpr unsigned PCI_VENDOR = 0x00, PCI_CLASS_REVISION = 0x08, PCI_HEADER_TYPE = 0x0E,
    PCI_BAR0 = 0x10, PCI_STATUS = 0x06, PCI_CAPABILITIES = 0x34,
    PCI_SECONDARY_BUS = 0x19;
constexpr uint16_t PCI_STATUS_CAPABILITIES = 0x10;
constexpr uint8_t PCI_CAP_MSI = 0x05;
constexpr uint16_t MSI_ENABLE = 0x1, MSI_64BIT = 0x80, MSI_MME_MASK = 0x70;

spinlock pci_lock;              // guards the 0xCF8/0xCFC pair (a leaf)

constexpr int max_functions = 64;
pci_function functions[max_functions];      // written by pci_init only
int nfunctions = 0;

uint32_t config_address(const pci_function& f, unsigned offset) {
    return 0x80000000U | uint32_t(f.bus) << 16 | uint32_t(f.slot) << 11
        | uint32_t(f.func) << 8 | (offset & 0xFC);
}

void scan_bus(uint8_t bus, int depth);

void scan_function(uint8_t bus, uint8_t slot, uint8_t func, int depth) {
    pci_function f;
    f.bus = bus, f.slot = slot, f.func = func;
    uint32_t id = pci_read32(f, PCI_VENDOR);
    f.vendor = id & 0xFFFF;
    f.device = id >> 16;
    uint32_t cls = pci_read32(f, PCI_CLASS_REVISION);
    f.class_code = cls >> 24;
    f.subclass = cls >> 16;
    f.prog_if = cls >> 8;
    f.header_type = pci_read8(f, PCI_HEADER_TYPE) & 0x7F;
    log_printf(log_level::debug, "pci: %02x:%02x.%x %04x:%04x class %02x%02x%02x\n",
               bus, slot, func, f.vendor, f.device, f.class_code, f.subclass, f.prog_if);
    if (nfunctions < max_functions) {
        functions[nfunctions++] = f;
    } else {
        log_printf(log_level::warn, "pci: more than %d functions; %02x:%02x.%x ignored\n",
                   max_functions, bus, slot, func);
    }
    // A PCI-to-PCI bridge: its secondary bus is behind it. The depth limit
    // stops a misconfigured bridge (secondary bus 0, or a cycle) from
    // recursing forever.
    if (f.header_type == 1 && depth < 8) {
        uint8_t secondary = pci_read8(f, PCI_SECONDARY_BUS);
        if (secondary > bus) {
            scan_bus(secondary, depth + 1);
        }
    }
}

void scan_bus(uint8_t bus, int depth) {
    for (uint8_t slot = 0; slot < 32; ++slot) {
        pci_function f0;
        f0.bus = bus, f0.slot = slot;
        if ((pci_read32(f0, PCI_VENDOR) & 0xFFFF) == 0xFFFF) {
            continue;       // nothing there
        }
        bool multifunction = pci_read8(f0, PCI_HEADER_TYPE) & 0x80;
        for (uint8_t func = 0; func < (multifunction ? 8 : 1); ++func) {
            pci_function f = f0;
            f.func = func;
            if ((pci_read32(f, PCI_VENDOR) & 0xFFFF) != 0xFFFF) {
                scan_function(bus, slot, func, depth);
            }
        }
    }
}

// Offset of the first capability with this id, or 0.
unsigned find_capability(const pci_function& f, uint8_t id) {
    if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPABILITIES)) {
        return 0;
    }
    unsigned offset = pci_read8(f, PCI_CAPABILITIES) & 0xFC;
    // At most 48 capabilities fit in 192 bytes: a bound against loops.
    for (int n = 0; offset >= 0x40 && n < 48; ++n) {
        if (pci_read8(f, offset) == id) {
            return offset;
        }
        offset = pci_read8(f, offset + 1) & 0xFC;
    }
    return 0;
}

}  // namespace

uint32_t pci_read32(const pci_function& f, unsigned offset) {
    spinlock_guard guard(pci_lock);
    outl(config_address_port, config_address(f, offset));
    return inl(config_data_port);
}

uint16_t pci_read16(const pci_function& f, unsigned offset) {
    return pci_read32(f, offset) >> (8 * (offset & 2));
}

uint8_t pci_read8(const pci_function& f, unsigned offset) {
    return pci_read32(f, offset) >> (8 * (offset & 3));
}

void pci_write32(const pci_function& f, unsigned offset, uint32_t value) {
    spinlock_guard guard(pci_lock);
    outl(config_address_port, config_address(f, offset));
    outl(config_data_port, value);
}

void pci_write16(const pci_function& f, unsigned offset, uint16_t value) {
    // A 16-bit access to the data port at the right byte lane writes only
    // those two bytes (a read-modify-write of 32 bits could clear
    // write-one-to-clear status bits next door).
    spinlock_guard guard(pci_lock);
    outl(config_address_port, config_address(f, offset));
    outw(config_data_port + (offset & 2), value);
}

void pci_init() {
    nfunctions = 0;
    scan_bus(0, 0);
    log_printf(log_level::debug, "pci: %d functions\n", nfunctions);
}

int pci_function_count() {
    return nfunctions;
}

const pci_function* pci_find_class(uint8_t class_code, uint8_t subclass, int index) {
    for (int i = 0; i < nfunctions; ++i) {
        if (functions[i].class_code == class_code && functions[i].subclass == subclass
            && index-- == 0) {
            return &functions[i];
        }
    }
    return nullptr;
}

bool pci_memory_bar(const pci_function& f, int bar, uint64_t* base, uint64_t* size) {
    if (bar < 0 || bar > 5 || f.header_type != 0) {
        return false;
    }
    unsigned offset = PCI_BAR0 + 4 * bar;
    uint32_t low = pci_read32(f, offset);
    if (low & 1) {
        return false;                   // I/O space
    }
    bool is64 = ((low >> 1) & 3) == 2;
    if (is64 && bar == 5) {
        return false;
    }
    // Size: write all ones, read back which address bits stick, restore.
    // Memory decoding is off meanwhile, so the device never answers at the
    // all-ones address.
    uint16_t command = pci_read16(f, PCI_COMMAND);
    pci_write16(f, PCI_COMMAND, command & ~PCI_COMMAND_MEMORY);
    pci_write32(f, offset, 0xFFFFFFFF);
    uint64_t mask = pci_read32(f, offset) & ~uint32_t(0xF);
    pci_write32(f, offset, low);
    uint32_t high = 0;
    if (is64) {
        high = pci_read32(f, offset + 4);
        pci_write32(f, offset + 4, 0xFFFFFFFF);
        mask |= uint64_t(pci_read32(f, offset + 4)) << 32;
        pci_write32(f, offset + 4, high);
    } else {
        mask |= uint64_t(0xFFFFFFFF) << 32;
    }
    pci_write16(f, PCI_COMMAND, command);
    if ((mask & 0xFFFFFFF0) == 0 && !is64) {
        return false;                   // unimplemented BAR
    }
    *base = (uint64_t(high) << 32 | low) & ~uint64_t(0xF);
    *size = ~mask + 1;
    return *size != 0;
}

void pci_enable(const pci_function& f, uint16_t command_bits) {
    pci_write16(f, PCI_COMMAND, pci_read16(f, PCI_COMMAND) | command_bits);
}

bool pci_enable_msi(const pci_function& f, uint32_t apic_id, int vector) {
    unsigned cap = find_capability(f, PCI_CAP_MSI);
    if (!cap) {
        return false;
    }
    uint16_t control = pci_read16(f, cap + 2);
    // Message address: the local APIC's window, destination in bits 19:12
    // (physical destination mode, no redirection hint). Data: the vector,
    // fixed delivery mode, edge triggered.
    pci_write32(f, cap + 4, 0xFEE00000U | (apic_id & 0xFF) << 12);
    unsigned data_offset = cap + 8;
    if (control & MSI_64BIT) {
        pci_write32(f, cap + 8, 0);
        data_offset = cap + 12;
    }
    pci_write16(f, data_offset, uint16_t(vector & 0xFF));
    // One message (MME = 0), enabled; INTx off so only MSI arrives.
    pci_write16(f, cap + 2, uint16_t((control & ~MSI_MME_MASK) | MSI_ENABLE));
    pci_enable(f, PCI_COMMAND_INTX_DISABLE);
    return true;
}
