// initfs.cc — validation and lookup of the initfs image (see initfs.hh).
//
// Easy to get wrong: ranges are compared as `offset <= size && len <=
// size - offset`, never `offset + len <= size`, which can wrap.
#include "unaligned.hh"
#include "initfs.hh"
#include "abi/initfs.h"

// From kernel/arch/initfs-image.S.
extern "C" const uint8_t initfs_image_start[] __attribute__((weak));
extern "C" const uint8_t initfs_image_end[] __attribute__((weak));

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);   // lib/crc32c.cc

namespace {

bool names_equal(const char* a, const char* b) {
    for (size_t i = 0; i <= INITFS_NAME_MAX; ++i) {
        if (a[i] != b[i]) {
            return false;
        }
        if (a[i] == '\0') {
            return true;
        }
    }
    return false;
}

}  // namespace

const char* initfs_validate(const void* image, size_t size) {
    if (!image || size < sizeof(initfs_header)) {
        return "initfs: image smaller than its header";
    }
    if (reinterpret_cast<uintptr_t>(image) % 8 != 0) {
        return "initfs: image misaligned";
    }
    auto h = read_unaligned<initfs_header>(image, 0);
    if (h.magic != INITFS_MAGIC) {
        return "initfs: bad magic";
    }
    if (h.version != INITFS_VERSION) {
        return "initfs: unknown version";
    }
    if (h.entry_size != sizeof(initfs_entry) || h.reserved != 0) {
        return "initfs: bad entry size";
    }
    if (h.image_size != size) {
        return "initfs: recorded size differs from the image size";
    }
    if (h.count > INITFS_MAX_FILES) {
        return "initfs: too many files";
    }
    size_t table_end = sizeof(initfs_header) + size_t(h.count) * sizeof(initfs_entry);
    if (table_end > size) {
        return "initfs: entry table past the end of the image";
    }
    uint64_t previous_end = table_end;
    for (uint32_t i = 0; i < h.count; ++i) {
        auto e = read_unaligned<initfs_entry>(image, sizeof(initfs_header) + i * sizeof(initfs_entry));
        size_t len = 0;
        while (len <= INITFS_NAME_MAX && e.name[len] != '\0') {
            ++len;
        }
        if (len == 0 || len > INITFS_NAME_MAX) {
            return "initfs: empty or unterminated name";
        }
        for (size_t j = len; j <= INITFS_NAME_MAX; ++j) {
            if (e.name[j] != '\0') {
                return "initfs: garbage after a name";
            }
        }
        if (e.reserved != 0) {
            return "initfs: reserved entry field set";
        }
        if (e.offset % INITFS_ALIGN != 0) {
            return "initfs: misaligned file data";
        }
        // Files are in entry order, after the table, without overlap.
        if (e.offset < previous_end || e.offset > size || e.size > size - e.offset) {
            return "initfs: file data out of range or overlapping";
        }
        previous_end = e.offset + e.size;
        if (crc32c(0, static_cast<const uint8_t*>(image) + e.offset, e.size) != e.crc32c) {
            return "initfs: checksum mismatch";
        }
        for (uint32_t k = 0; k < i; ++k) {
            auto other = read_unaligned<initfs_entry>(image,
                                               sizeof(initfs_header) + k * sizeof(initfs_entry));
            if (names_equal(other.name, e.name)) {
                return "initfs: duplicate name";
            }
        }
    }
    return nullptr;
}

bool initfs_find(const void* image, size_t image_size, const char* name,
                 const uint8_t** data, size_t* size) {
    if (!name || image_size < sizeof(initfs_header)) {
        return false;
    }
    auto h = read_unaligned<initfs_header>(image, 0);
    for (uint32_t i = 0; i < h.count; ++i) {
        auto* e = reinterpret_cast<const initfs_entry*>(
            static_cast<const uint8_t*>(image) + sizeof(initfs_header)
            + i * sizeof(initfs_entry));
        if (names_equal(e->name, name)) {
            *data = static_cast<const uint8_t*>(image) + e->offset;
            *size = e->size;
            return true;
        }
    }
    return false;
}

namespace {

// 0 unchecked, 1 valid, 2 invalid. Checked once; the image is read-only.
int embedded_state = 0;

bool embedded_image(const uint8_t** image, size_t* size) {
    auto start = reinterpret_cast<uintptr_t>(initfs_image_start);
    auto end = reinterpret_cast<uintptr_t>(initfs_image_end);
    if (start == 0 || end < start) {
        return false;
    }
    *image = initfs_image_start;
    *size = end - start;
    if (embedded_state == 0) {
        embedded_state = initfs_validate(*image, *size) ? 2 : 1;
    }
    return embedded_state == 1;
}

}  // namespace

bool initfs_lookup(const char* name, const uint8_t** data, size_t* size) {
    const uint8_t* image;
    size_t image_size;
    return embedded_image(&image, &image_size)
        && initfs_find(image, image_size, name, data, size);
}

const char* initfs_name(unsigned i) {
    const uint8_t* image;
    size_t image_size;
    if (!embedded_image(&image, &image_size) || i >= read_unaligned<initfs_header>(image, 0).count) {
        return nullptr;
    }
    return reinterpret_cast<const initfs_entry*>(image + sizeof(initfs_header)
                                                 + i * sizeof(initfs_entry))->name;
}
