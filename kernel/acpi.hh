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

void acpi_init(const boot_info& info);
// The first table with this signature, checksum verified, or nullptr.
const acpi_table_header* acpi_find_table(const char signature[4]);
// Enter S5 if the FADT and DSDT say how; returns if it cannot.
void acpi_power_off();
