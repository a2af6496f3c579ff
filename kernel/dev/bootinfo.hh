// bootinfo.hh — the boot information the loader handed us, in a form the
// kernel owns.
//
// Multiboot 1 (QEMU `-kernel`) and Multiboot 2 (GRUB, BIOS or UEFI) are both
// parsed here into one `boot_info`. Everything the loader wrote is treated
// as untrusted input: tags may be truncated, maps may overlap or be empty.
// The parser never reads outside what `phys_reader` says exists, and it
// produces a sorted, non-overlapping memory map in which reserved ranges win
// over usable ones. This file is compiled for host tests too, so it must
// not touch hardware or kernel globals.
#pragma once
#include <stddef.h>
#include <stdint.h>

constexpr uint32_t MULTIBOOT1_LOADER_MAGIC = 0x2BADB002;
constexpr uint32_t MULTIBOOT2_LOADER_MAGIC = 0x36D76289;

enum class memory_type : uint32_t {
    usable = 1,
    reserved = 2,
    acpi_reclaimable = 3,
    acpi_nvs = 4,
    bad = 5,
};

struct boot_memory_region {
    uint64_t base;
    uint64_t size;
    memory_type type;
    uint64_t end() const { return base + size; }
};

struct boot_module {
    uint64_t start;     // physical, inclusive
    uint64_t end;       // physical, exclusive
    char name[64];
};

// Reads physical memory for the parser: returns a pointer through which
// [pa, pa + len) can be read, or nullptr if that range is not readable.
struct phys_reader {
    const void* (*map)(void* context, uint64_t pa, size_t len);
    void* context;
    const void* get(uint64_t pa, size_t len) const { return map(context, pa, len); }
};

struct boot_info {
    static constexpr unsigned max_regions = 128;
    static constexpr unsigned max_modules = 16;
    static constexpr uint64_t max_physical = uint64_t(1) << 52;

    unsigned loader_version = 0;        // 1 or 2
    uint64_t info_pa = 0;               // the loader's structure itself
    uint64_t info_size = 0;
    char cmdline[512] = {};
    char loader_name[64] = {};
    boot_memory_region regions[max_regions] = {};
    unsigned nregions = 0;
    boot_module modules[max_modules] = {};
    unsigned nmodules = 0;
    uint8_t rsdp[36] = {};              // copy of the ACPI RSDP, if given
    unsigned rsdp_size = 0;             // 0: the loader gave none
    unsigned warnings = 0;              // malformed pieces clamped or skipped

    uint64_t usable_bytes() const;
    // One past the highest usable byte (0 if none).
    uint64_t usable_end() const;
};

// Parses the loader's information into `out`. Returns nullptr on success or
// a message saying why the information is unusable (wrong magic, structure
// unreadable, no memory map at all). Malformed but survivable input is
// clamped or skipped and counted in `out->warnings`.
const char* parse_boot_info(uint32_t magic, uint64_t info_pa,
                            const phys_reader& reader, boot_info* out);

// Sorts `regions`, drops empty ones, resolves overlaps (any non-usable type
// wins over usable), merges neighbours of one type, and trims usable ranges
// inward to whole pages. Returns the new count. Exposed for tests.
unsigned normalize_memory_map(boot_memory_region* regions, unsigned n,
                              unsigned capacity);
