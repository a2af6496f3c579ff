// symtab.cc — lookups in the embedded symbol table (see symtab.hh).
#include "symtab.hh"
#include "string.hh"

struct kernel_symbol {
    uint64_t address;
    uint64_t name_offset;   // into kernel_symbol_names
};
extern "C" const uint64_t kernel_symbol_count;
extern "C" const kernel_symbol kernel_symbols[];
extern "C" const char kernel_symbol_names[];
extern "C" char kernel_text_end[];

symbol_match symbol_lookup(uint64_t address) {
    uint64_t lo = 0, hi = kernel_symbol_count;
    if (hi == 0 || address < kernel_symbols[0].address
        || address >= reinterpret_cast<uint64_t>(kernel_text_end)) {
        return {nullptr, 0};
    }
    // Last symbol whose address is <= `address`.
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (kernel_symbols[mid].address <= address) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return {kernel_symbol_names + kernel_symbols[lo].name_offset,
            address - kernel_symbols[lo].address};
}

uint64_t symbol_address(const char* name) {
    for (uint64_t i = 0; i < kernel_symbol_count; ++i) {
        if (strcmp(kernel_symbol_names + kernel_symbols[i].name_offset, name) == 0) {
            return kernel_symbols[i].address;
        }
    }
    return 0;
}
