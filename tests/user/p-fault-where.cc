// p-fault-where.cc — a user fault names the function it happened in: the
// kernel looks the faulting RIP up in the program's own ELF symbol table
// and prints the addr2line command that gives the source line.
//! expect: killed: page fault at 0x0 .* at rip 0x[0-9a-f]+ in crash_here\(\)\+0x[0-9a-f]+; source line: addr2line -e obj/user/fault-where 0x
//! expect: killed: invalid opcode .* in ns_fault::undefined_here\(\)\+0x
#include "u-lib.hh"
#include "test-util.hh"

[[gnu::noinline]] void crash_here() {
    volatile int* p = nullptr;
    *p = 1;
}

namespace ns_fault {
[[gnu::noinline]] void undefined_here() {
    asm volatile("ud2");
}
}

void process_main() {
    assert_eq(child_status(crash_here), 128 + 14);
    assert_eq(child_status(ns_fault::undefined_here), 128 + 6);
    printf("p-fault-where succeeded!\n");
}
