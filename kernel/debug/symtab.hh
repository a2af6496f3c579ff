// symtab.hh — the kernel's own symbol table, for symbolized backtraces.
//
// The build links the kernel twice: the first image's function symbols
// are written into the `.kernsyms` section of the second (scripts/mksymtab.sh).
// The section sits after all code, so no function moves between passes.
#pragma once
#include <stdint.h>

struct symbol_match {
    const char* name;       // nullptr if unknown
    uint64_t offset;        // address - symbol start
};
symbol_match symbol_lookup(uint64_t address);
// Address of a function by its (demangled) name, or 0.
uint64_t symbol_address(const char* name);
