// abi/initfs.h — the initial file system image: every user program and
// every file of initfs/, packed by scripts/mkinitfs.py into obj/initfs.img
// and linked into the kernel (kernel/arch/initfs-image.S); read by
// kernel/initfs.cc, and the memory file system starts with its files.
//
// Layout (little-endian; all offsets from the start of the image):
//   initfs_header                 at 0
//   initfs_entry[count]           at sizeof(initfs_header)
//   file data                     each file at a multiple of
//                                 INITFS_ALIGN, after the entry table,
//                                 in entry order, zero padding between
// An entry's name is 1..63 bytes + NUL (the rest of the 64 bytes zero);
// names are unique; `crc32c` is crc32c(0, data, size) as in lib.hh.
// Easy to get wrong: every field is checked before use (the image is
// input); a reader must not trust count, offsets or sizes, and must do the
// range arithmetic without overflow.
#pragma once
#include <stdint.h>

#define INITFS_MAGIC        0x5346544948554E00ULL   // "\0NUHITFS" little-endian
#define INITFS_VERSION      1
#define INITFS_NAME_MAX     63                      // bytes, without the NUL
#define INITFS_ALIGN        4096
#define INITFS_MAX_FILES    1024

struct initfs_header {
    uint64_t magic;             // INITFS_MAGIC
    uint32_t version;           // INITFS_VERSION
    uint32_t count;             // number of entries
    uint64_t image_size;        // total bytes, header included
    uint32_t entry_size;        // sizeof(initfs_entry)
    uint32_t reserved;          // 0
};

struct initfs_entry {
    char name[INITFS_NAME_MAX + 1];
    uint64_t offset;            // of the data; multiple of INITFS_ALIGN
    uint64_t size;              // bytes of data
    uint32_t crc32c;            // of the data
    uint32_t reserved;          // 0
};

static_assert(sizeof(initfs_header) == 32, "initfs_header layout");
static_assert(sizeof(initfs_entry) == 88, "initfs_entry layout");
