// usersym.cc — user-program symbol lookup (see usersym.hh).
//
// Reads the section headers, finds SHT_SYMTAB and its linked string table,
// and picks the STT_FUNC symbol whose [value, value + size) holds the
// address (or, for symbols of size 0, the closest one below it). Names are
// Itanium-mangled C++; a small demangler turns the common shapes
// (`_Z12process_mainv`, `_ZN2ns4funcEi`) into `process_main()` and
// `ns::func()`, leaving anything else as it is.
#include "usersym.hh"
#include "initfs.hh"
#include "printf.hh"
#include "string.hh"
#include "unaligned.hh"

namespace {

struct elf64_shdr {
    uint32_t name;
    uint32_t type;
    uint64_t flags;
    uint64_t addr;
    uint64_t offset;
    uint64_t size;
    uint32_t link;
    uint32_t info;
    uint64_t addralign;
    uint64_t entsize;
};
struct elf64_sym {
    uint32_t name;
    uint8_t info;
    uint8_t other;
    uint16_t shndx;
    uint64_t value;
    uint64_t size;
};
constexpr uint32_t sht_symtab = 2;
constexpr uint8_t stt_func = 2;

bool range_ok(size_t size, uint64_t offset, uint64_t len) {
    return offset <= size && len <= size - offset;
}

// One <number><identifier> of a mangled name at *p (within [*p, end)),
// appended to out; false if malformed.
bool source_name(const char** p, const char* end, char* out, size_t cap, size_t* used) {
    uint64_t len = 0;
    const char* s = *p;
    if (s == end || *s < '0' || *s > '9') {
        return false;
    }
    while (s != end && *s >= '0' && *s <= '9' && len < 1000) {
        len = len * 10 + uint64_t(*s++ - '0');
    }
    if (len == 0 || uint64_t(end - s) < len || *used + len + 1 > cap) {
        return false;
    }
    memcpy(out + *used, s, len);
    *used += len;
    out[*used] = '\0';
    *p = s + len;
    return true;
}

// Demangle the simple shapes into `out`; false leaves the caller to copy.
bool demangle(const char* m, char* out, size_t cap) {
    const char* end = m + strlen(m);
    if (end - m < 3 || m[0] != '_' || m[1] != 'Z') {
        return false;
    }
    const char* p = m + 2;
    size_t used = 0;
    out[0] = '\0';
    if (*p == 'N') {
        ++p;
        while (p != end && (*p == 'K' || *p == 'V')) {
            ++p;                        // cv-qualifiers of a member function
        }
        bool first = true;
        while (p != end && *p != 'E') {
            if (!first) {
                if (used + 3 > cap) {
                    return false;
                }
                memcpy(out + used, "::", 3);
                used += 2;
            }
            if (!source_name(&p, end, out, cap, &used)) {
                return false;
            }
            first = false;
        }
        if (p == end) {
            return false;
        }
    } else if (!source_name(&p, end, out, cap, &used)) {
        return false;
    }
    if (used + 3 > cap) {
        return false;
    }
    memcpy(out + used, "()", 3);
    return true;
}

}  // namespace

bool user_symbol_lookup(const void* image, size_t size, uint64_t address, user_symbol* out) {
    if (size < 64) {
        return false;
    }
    auto* bytes = static_cast<const unsigned char*>(image);
    if (bytes[0] != 0x7F || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F'
        || bytes[4] != 2) {
        return false;
    }
    uint64_t shoff = read_unaligned<uint64_t>(image, 0x28);
    uint16_t shentsize = read_unaligned<uint16_t>(image, 0x3A);
    uint16_t shnum = read_unaligned<uint16_t>(image, 0x3C);
    if (shentsize != sizeof(elf64_shdr) || !range_ok(size, shoff, uint64_t(shnum) * shentsize)) {
        return false;
    }
    for (unsigned i = 0; i < shnum; ++i) {
        auto sh = read_unaligned<elf64_shdr>(image, shoff + i * sizeof(elf64_shdr));
        if (sh.type != sht_symtab || sh.entsize != sizeof(elf64_sym)
            || !range_ok(size, sh.offset, sh.size) || sh.link >= shnum) {
            continue;
        }
        auto strtab = read_unaligned<elf64_shdr>(image, shoff + sh.link * sizeof(elf64_shdr));
        if (!range_ok(size, strtab.offset, strtab.size) || strtab.size == 0) {
            continue;
        }
        // Best: a sized function containing the address; else the closest
        // function start below it.
        bool found = false, contained = false;
        elf64_sym best = {};
        for (uint64_t k = 0; k < sh.size / sizeof(elf64_sym); ++k) {
            auto s = read_unaligned<elf64_sym>(image, sh.offset + k * sizeof(elf64_sym));
            if ((s.info & 0xF) != stt_func || s.value > address || s.name >= strtab.size) {
                continue;
            }
            bool inside = s.size != 0 && address - s.value < s.size;
            if (inside ? (!contained || s.value > best.value)
                       : (!contained && (!found || s.value > best.value))) {
                best = s;
                found = true;
                contained = inside;
            }
        }
        if (!found) {
            return false;
        }
        // The name: NUL-terminated inside the string table, else cut.
        const char* name = reinterpret_cast<const char*>(bytes + strtab.offset + best.name);
        size_t max = strtab.size - best.name;
        char raw[sizeof(out->name)];
        size_t n = strnlen(name, max < sizeof(raw) - 1 ? max : sizeof(raw) - 1);
        memcpy(raw, name, n);
        raw[n] = '\0';
        if (!demangle(raw, out->name, sizeof(out->name))) {
            memcpy(out->name, raw, n + 1);
        }
        out->offset = address - best.value;
        return true;
    }
    return false;
}

void user_fault_where(const char* program, uint64_t address, char* buf, size_t size) {
    const uint8_t* image;
    size_t image_size;
    user_symbol sym;
    size_t used = strnlen(buf, size);
    if (used + 1 >= size) {
        return;
    }
    if (initfs_lookup(program, &image, &image_size)
        && user_symbol_lookup(image, image_size, address, &sym)) {
        int n = snprintf(buf + used, size - used, " in %s+0x%lx", sym.name,
                         (unsigned long) sym.offset);
        used = n < 0 ? used : used + size_t(n) < size ? used + size_t(n) : size - 1;
    }
    if (used + 1 < size) {
        snprintf(buf + used, size - used, "; source line: addr2line -e obj/user/%s 0x%lx",
                 program, (unsigned long) address);
    }
}
