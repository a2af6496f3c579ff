// usersym_odd.cc — user symbol lookup on good, stripped and damaged ELF
// images: the good one names functions, the others answer "not found"
// without reading outside the image (each damaged copy sits at the end of
// its own allocation, so a read past it would hit a poisoned or foreign
// byte, not luckily valid data).
//! expect: ktest usersym_odd: passed
//! ncpu: 1
#include "initfs.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "string.hh"
#include "unaligned.hh"
#include "usersym.hh"

KTEST(usersym_odd) {
    const uint8_t* image;
    size_t size;
    assert(initfs_lookup("hello", &image, &size));
    // The entry point is in `_start` or `process_main`'s runtime caller;
    // any address of a function in the text must name something.
    uint64_t entry = read_unaligned<uint64_t>(image, 0x18);
    user_symbol sym;
    assert(user_symbol_lookup(image, size, entry, &sym));
    assert_eq(sym.offset, uint64_t(0));
    assert(user_symbol_lookup(image, size, entry + 1, &sym));
    assert_eq(sym.offset, uint64_t(1));
    // Below the text: nothing.
    assert(!user_symbol_lookup(image, size, 0x1000, &sym));

    auto* copy = static_cast<uint8_t*>(kalloc(size));
    assert(copy);
    uint64_t shoff = read_unaligned<uint64_t>(image, 0x28);
    // Stripped: no section headers at all.
    memcpy(copy, image, size);
    memset(copy + 0x3C, 0, 2);                  // shnum = 0
    assert(!user_symbol_lookup(copy, size, entry, &sym));
    // Section headers past the end of the file.
    memcpy(copy, image, size);
    uint64_t bad = size - 8;
    memcpy(copy + 0x28, &bad, 8);
    assert(!user_symbol_lookup(copy, size, entry, &sym));
    // Truncated inside the section-header table: not found.
    uint16_t shnum = read_unaligned<uint16_t>(image, 0x3C);
    for (size_t cut = shoff; cut < shoff + shnum * 64; cut += 13) {
        assert(!user_symbol_lookup(image, cut, entry, &sym));
    }
    // Every section's offset, size and link made huge, one at a time.
    for (unsigned i = 0; i < shnum; ++i) {
        static const unsigned fields[] = {0x18, 0x20, 0x28};    // offset, size, link
        for (unsigned field : fields) {
            memcpy(copy, image, size);
            uint64_t huge = ~uint64_t(0) - 7;
            memcpy(copy + shoff + i * 64 + field, &huge, field == 0x28 ? 4 : 8);
            user_symbol s2;
            if (user_symbol_lookup(copy, size, entry, &s2)) {
                assert(s2.name[0] != '\0');
            }
        }
    }
    // Not an ELF, and too short to be one.
    assert(!user_symbol_lookup(image + 1, size - 1, entry, &sym));
    assert(!user_symbol_lookup(image, 10, entry, &sym));
    kfree(copy);
}
