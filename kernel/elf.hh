// elf.hh — check a user program's ELF64 image and list what to load.
//
// exec hands the first page of a program file to elf_parse_headers, which
// accepts only a static x86-64 executable whose loadable segments all lie
// in user memory the program may own: inside [USER_TEXT_BASE, VA_LOWEND),
// page-disjoint from each other and from the console page, the activation
// segment and the stack page. The loader may then copy segment bytes
// without further checks. Compiled for host tests too.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct elf_segment {
    uint64_t va;            // first byte (not necessarily page-aligned)
    uint64_t memsz;         // bytes in memory; [filesz, memsz) is zero-filled
    uint64_t filesz;        // bytes copied from the file
    uint64_t offset;        // file offset of the first byte
    bool writable;
    bool executable;
};

struct elf_program {
    static constexpr unsigned max_segments = 8;
    static constexpr unsigned max_phdrs = 32;
    uint64_t entry = 0;
    elf_segment segments[max_segments] = {};
    unsigned nsegments = 0;
};

// Parses the image; returns 0 and fills `out`, or E_NOEXEC if the image is
// malformed or not loadable.
int elf_parse(const void* image, size_t size, elf_program* out);
// The same from the first `head_size` bytes of a file of `file_size`
// bytes (exec reads only the first page): the ELF and program headers must
// lie in those bytes, the segments' data in the file.
int elf_parse_headers(const void* head, size_t head_size, size_t file_size,
                      elf_program* out);
