// elf.cc — ELF64 executable validation (see elf.hh).
//
// Easy to get wrong: every header field is untrusted. Range checks use the
// subtract-first form (`offset <= size && len <= size - offset`) so that
// no sum can wrap, and segment ends are computed only after checking the
// start is below VA_LOWEND.
#include "unaligned.hh"
#include "elf.hh"
#include "abi/errno.hh"
#include "abi/memlayout.hh"
#include "x86-64.hh"

namespace {

// The ELF64 structures (System V ABI), only the fields we use named.
struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};
struct elf64_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};
static_assert(sizeof(elf64_ehdr) == 64 && sizeof(elf64_phdr) == 56);

constexpr uint16_t ET_EXEC = 2;
constexpr uint16_t EM_X86_64 = 62;
constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_TLS = 7;
constexpr uint32_t PF_X = 1, PF_W = 2;

bool in_file(uint64_t offset, uint64_t len, size_t size) {
    return offset <= size && len <= size - offset;
}

// Checks one PT_LOAD header and appends it to `out`.
bool add_segment(const elf64_phdr& ph, size_t size, elf_program* out) {
    if (ph.memsz == 0) {
        return true;                        // occupies nothing: ignore
    }
    if (ph.filesz > ph.memsz || !in_file(ph.offset, ph.filesz, size)) {
        return false;
    }
    if (ph.vaddr < USER_TEXT_BASE || ph.vaddr >= VA_LOWEND
        || ph.memsz > VA_LOWEND - ph.vaddr) {
        return false;                       // outside user memory (or wraps)
    }
    if (ph.vaddr % PAGESIZE != ph.offset % PAGESIZE) {
        return false;                       // cannot be mapped page by page
    }
    uint64_t lo = round_down(ph.vaddr, PAGESIZE);
    uint64_t hi = round_up(ph.vaddr + ph.memsz, PAGESIZE);  // <= VA_LOWEND
    if (user_range_overlaps_image_reserved(lo, hi)) {
        return false;
    }
    for (unsigned i = 0; i < out->nsegments; ++i) {
        auto& s = out->segments[i];
        uint64_t slo = round_down(s.va, PAGESIZE);
        uint64_t shi = round_up(s.va + s.memsz, PAGESIZE);
        if (lo < shi && slo < hi) {
            return false;                   // shares a page with another segment
        }
    }
    if (out->nsegments == elf_program::max_segments) {
        return false;
    }
    out->segments[out->nsegments++] = {ph.vaddr, ph.memsz, ph.filesz, ph.offset,
                                       (ph.flags & PF_W) != 0, (ph.flags & PF_X) != 0};
    return true;
}

// `image` holds the first `head` bytes of a file of `size` bytes: the
// headers must lie in those, the segments in the file.
int parse(const void* image, size_t head, size_t size, elf_program* out) {
    if (!image || head < sizeof(elf64_ehdr) || head > size) {
        return E_NOEXEC;
    }
    auto eh = read_unaligned<elf64_ehdr>(image, 0);
    if (eh.ident[0] != 0x7F || eh.ident[1] != 'E' || eh.ident[2] != 'L' || eh.ident[3] != 'F'
        || eh.ident[4] != 2 /* 64-bit */ || eh.ident[5] != 1 /* little-endian */
        || eh.ident[6] != 1 /* version */) {
        return E_NOEXEC;
    }
    if (eh.type != ET_EXEC || eh.machine != EM_X86_64 || eh.version != 1
        || eh.ehsize != sizeof(elf64_ehdr) || eh.phentsize != sizeof(elf64_phdr)
        || eh.phnum == 0 || eh.phnum > elf_program::max_phdrs
        || !in_file(eh.phoff, uint64_t(eh.phnum) * sizeof(elf64_phdr), head)) {
        return E_NOEXEC;
    }
    for (unsigned i = 0; i < eh.phnum; ++i) {
        auto ph = read_unaligned<elf64_phdr>(image, eh.phoff + i * sizeof(elf64_phdr));
        if (ph.type == PT_DYNAMIC || ph.type == PT_INTERP || ph.type == PT_TLS) {
            return E_NOEXEC;                // static programs only, no TLS
        }
        if (ph.type == PT_LOAD && !add_segment(ph, size, out)) {
            return E_NOEXEC;
        }
    }
    // The entry point must be in bytes of an executable segment that come
    // from the file.
    for (unsigned i = 0; i < out->nsegments; ++i) {
        auto& s = out->segments[i];
        if (s.executable && eh.entry >= s.va && eh.entry - s.va < s.filesz) {
            out->entry = eh.entry;
            return 0;
        }
    }
    return E_NOEXEC;
}

}  // namespace

int elf_parse(const void* image, size_t size, elf_program* out) {
    return elf_parse_headers(image, size, size, out);
}

int elf_parse_headers(const void* head, size_t head_size, size_t file_size,
                      elf_program* out) {
    *out = elf_program();
    int r = parse(head, head_size, file_size, out);
    if (r != 0) {
        *out = elf_program();
    }
    return r;
}
