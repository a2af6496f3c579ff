// initfs.hh — read the initial file system linked into the kernel
// (format: include/abi/initfs.h).
//
// The image is validated completely before any file is handed out:
// header, entry table, every name, range and checksum. Compiled for host
// tests too, so it touches no kernel globals except the two image symbols
// (weak: absent on the host, where the embedded image is simply empty).
#pragma once
#include <stddef.h>
#include <stdint.h>

// Checks `image` of `size` bytes. Returns nullptr if it is well formed, or
// a message saying what is wrong.
const char* initfs_validate(const void* image, size_t size);

// Finds `name` in a validated image. Returns true and sets *data, *size.
bool initfs_find(const void* image, size_t image_size, const char* name,
                 const uint8_t** data, size_t* size);

// The same, in the image embedded in the kernel; false if the name is not
// there or the embedded image is invalid (which is checked once).
bool initfs_lookup(const char* name, const uint8_t** data, size_t* size);

// The name of the i-th file of the embedded image, or nullptr.
const char* initfs_name(unsigned i);
