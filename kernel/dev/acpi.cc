// acpi.cc — RSDP/RSDT/XSDT walking and S5 power-off (see acpi.hh).
#include "acpi.hh"
#include "arch/insns.hh"
#include "bootinfo.hh"
#include "log.hh"
#include "kaddr.hh"
#include "string.hh"

namespace {

uint64_t root_table_pa = 0;     // RSDT or XSDT
bool root_is_xsdt = false;

bool checksum_ok(const void* p, size_t n) {
    uint8_t sum = 0;
    for (size_t i = 0; i < n; ++i) {
        sum += static_cast<const uint8_t*>(p)[i];
    }
    return sum == 0;
}

// Tables must lie in memory the kernel maps: below 4 GiB during boot.
const acpi_table_header* table_at(uint64_t pa) {
    if (pa == 0 || pa >= (uint64_t(1) << 32) - sizeof(acpi_table_header)) {
        return nullptr;
    }
    auto* h = pa2kptr<const acpi_table_header>(pa);
    if (h->length < sizeof(acpi_table_header) || h->length > (1U << 20)
        || !checksum_ok(h, h->length)) {
        return nullptr;
    }
    return h;
}

bool use_rsdp(const uint8_t* rsdp, size_t size) {
    if (size < 20 || memcmp(rsdp, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20)) {
        return false;
    }
    uint8_t revision = rsdp[15];
    if (revision >= 2 && size >= 36 && checksum_ok(rsdp, 36)) {
        uint64_t xsdt;
        memcpy(&xsdt, rsdp + 24, 8);
        if (table_at(xsdt)) {
            root_table_pa = xsdt;
            root_is_xsdt = true;
            return true;
        }
    }
    uint32_t rsdt;
    memcpy(&rsdt, rsdp + 16, 4);
    if (table_at(rsdt)) {
        root_table_pa = rsdt;
        root_is_xsdt = false;
        return true;
    }
    return false;
}

bool scan_for_rsdp(uint64_t start, uint64_t end) {
    for (uint64_t pa = start; pa + 36 <= end; pa += 16) {
        if (use_rsdp(pa2kptr<const uint8_t>(pa), 36)) {
            return true;
        }
    }
    return false;
}

}  // namespace

void acpi_init(const boot_info& info) {
    if (info.rsdp_size && use_rsdp(info.rsdp, info.rsdp_size)) {
        return;
    }
    uint64_t ebda = uint64_t(*pa2kptr<const uint16_t>(0x40E)) << 4;
    if (ebda >= 0x80000 && ebda < 0xA0000 && scan_for_rsdp(ebda, ebda + 1024)) {
        return;
    }
    if (!scan_for_rsdp(0xE0000, 0x100000)) {
        log_printf(log_level::warn, "acpi: no RSDP found\n");
    }
}

const acpi_table_header* acpi_find_table(const char signature[4]) {
    const acpi_table_header* root = table_at(root_table_pa);
    if (!root) {
        return nullptr;
    }
    size_t entry_size = root_is_xsdt ? 8 : 4;
    size_t count = (root->length - sizeof(*root)) / entry_size;
    auto* entries = reinterpret_cast<const uint8_t*>(root + 1);
    for (size_t i = 0; i < count; ++i) {
        uint64_t pa = 0;
        memcpy(&pa, entries + i * entry_size, entry_size);
        const acpi_table_header* t = table_at(pa);
        if (t && memcmp(t->signature, signature, 4) == 0) {
            return t;
        }
    }
    return nullptr;
}

void acpi_power_off() {
    auto* fadt = acpi_find_table("FACP");
    if (!fadt || fadt->length < 76) {
        return;
    }
    auto* f = reinterpret_cast<const uint8_t*>(fadt);
    uint32_t pm1a_control, pm1b_control, dsdt32;
    memcpy(&pm1a_control, f + 64, 4);
    memcpy(&pm1b_control, f + 68, 4);
    memcpy(&dsdt32, f + 40, 4);
    uint64_t dsdt_pa = dsdt32;
    if (fadt->length >= 148) {
        uint64_t x_dsdt;
        memcpy(&x_dsdt, f + 140, 8);
        if (x_dsdt) {
            dsdt_pa = x_dsdt;
        }
    }
    // \_S5 is a package whose first two elements are SLP_TYPa and SLP_TYPb.
    // Find the name, then read the package's first elements, which are
    // byte constants: ZeroOp (0), OneOp (1) or BytePrefix (0x0A) value.
    const acpi_table_header* dsdt = table_at(dsdt_pa);
    uint16_t slp_typa = 0, slp_typb = 0;
    if (dsdt) {
        auto* aml = reinterpret_cast<const uint8_t*>(dsdt);
        for (uint32_t i = sizeof(*dsdt); i + 12 < dsdt->length; ++i) {
            if (memcmp(aml + i, "_S5_", 4) != 0 || aml[i + 4] != 0x12) {
                continue;
            }
            uint32_t p = i + 5;
            p += ((aml[p] >> 6) & 3) + 1;   // PkgLength
            ++p;                            // NumElements
            auto element = [&](uint16_t* out) {
                if (aml[p] == 0x0A) {
                    *out = aml[p + 1];
                    p += 2;
                } else {
                    *out = aml[p] == 0x01 ? 1 : 0;
                    p += 1;
                }
            };
            element(&slp_typa);
            element(&slp_typb);
            break;
        }
    }
    constexpr uint16_t slp_en = 1 << 13;
    if (pm1a_control) {
        outw(pm1a_control, ((slp_typa & 7) << 10) | slp_en);   // SLP_TYP is 3 bits
    }
    if (pm1b_control) {
        outw(pm1b_control, ((slp_typb & 7) << 10) | slp_en);
    }
}

bool acpi_parse_madt(madt_info* out) {
    *out = madt_info();
    auto* madt = acpi_find_table("APIC");
    if (!madt || madt->length < sizeof(acpi_table_header) + 8) {
        return false;
    }
    auto* base = reinterpret_cast<const uint8_t*>(madt);
    uint32_t lapic32;
    memcpy(&lapic32, base + sizeof(acpi_table_header), 4);
    out->lapic_pa = lapic32;
    for (uint32_t off = sizeof(acpi_table_header) + 8; off + 2 <= madt->length;) {
        uint8_t type = base[off], len = base[off + 1];
        if (len < 2 || off + len > madt->length) {
            break;                      // malformed entry: stop, keep what we have
        }
        const uint8_t* e = base + off;
        uint32_t flags;
        switch (type) {
        case 0:                         // processor local APIC
            if (len < 8) {
                break;                  // too short to hold its flags
            }
            memcpy(&flags, e + 4, 4);
            if ((flags & 3) && out->ncpus < madt_info::max_cpus) {
                out->lapic_ids[out->ncpus++] = e[3];
            }
            break;
        case 1:                         // I/O APIC
            if (len >= 12 && !out->ioapic_pa) {
                uint32_t addr;
                memcpy(&addr, e + 4, 4);
                memcpy(&out->ioapic_gsi_base, e + 8, 4);
                out->ioapic_pa = addr;
            }
            break;
        case 2:                         // interrupt source override
            if (len >= 10 && out->noverrides < 16) {
                auto& o = out->overrides[out->noverrides++];
                o.source_irq = e[3];
                memcpy(&o.gsi, e + 4, 4);
                memcpy(&o.flags, e + 8, 2);
            }
            break;
        case 5:                         // 64-bit local APIC address
            if (len >= 12) {
                memcpy(&out->lapic_pa, e + 4, 8);
            }
            break;
        default:
            break;
        }
        off += len;
    }
    return true;
}
