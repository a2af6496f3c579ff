// usersym.hh — naming the function of a user program that an address is in,
// from the program's own ELF symbol table (its file in the initfs).
//
// Used by the user fault path, so a killed process's message says where it
// crashed: "at rip 0x10040a in process_main()+0x1a". Compiled for host
// tests too (no kernel globals besides initfs_lookup).
// Easy to get wrong: the ELF is untrusted bytes. Every offset, size and
// index is range-checked; a stripped or malformed file gives "not found",
// never a fault.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct user_symbol {
    char name[64];          // demangled where simple ("a::b()"), else as stored
    uint64_t offset;        // address - symbol start
};

// Looks `address` up in the symbol table of the ELF image; true if a
// function (or other sized text symbol) contains it.
bool user_symbol_lookup(const void* image, size_t size, uint64_t address, user_symbol* out);

// For a fault message: appends " in NAME+0xOFF" for `program`'s (initfs
// file) symbol at `address`, if it has one, then the command that gives
// the source line ("; line: addr2line -e obj/user/PROGRAM 0x...") to the
// string `buf` (capacity `size`); cut short if it does not fit.
void user_fault_where(const char* program, uint64_t address, char* buf, size_t size);
