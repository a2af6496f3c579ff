// acpi.hh — finding ACPI tables and using the few the kernel needs.
//
// The RSDP comes from the Multiboot 2 information when the loader gave it
// (required under UEFI, where the BIOS area does not exist), otherwise from
// a scan of the EBDA and 0xE0000-0xFFFFF. Every table is checksummed and
// length-checked before use. Easy to get wrong: table pointers are
// physical; read them through the direct map.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct boot_info;

struct __attribute__((packed)) acpi_table_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};

// What the MADT says about interrupt controllers and CPUs.
struct madt_info {
    static constexpr int max_cpus = 64;
    uint32_t lapic_ids[max_cpus];
    int ncpus = 0;                      // enabled (or online-capable) CPUs
    uint64_t lapic_pa = 0;
    uint64_t ioapic_pa = 0;             // first I/O APIC only
    uint32_t ioapic_gsi_base = 0;
    struct {
        uint8_t source_irq;
        uint32_t gsi;
        uint16_t flags;
    } overrides[16];
    int noverrides = 0;
};

void acpi_init(const boot_info& info);
// Parse the MADT; false if there is none (then: one CPU, default APICs).
bool acpi_parse_madt(madt_info* out);
// The first table with this signature, checksum verified, or nullptr.
const acpi_table_header* acpi_find_table(const char signature[4]);
// Enter S5 if the FADT and DSDT say how; returns if it cannot.
void acpi_power_off();
