// p-rflags-hostile.cc — flags a process leaves set do not leak into the
// kernel: DF (the direction of `rep movs`/`rep stos`) and AC (which turns
// SMAP off at CPL 0).
//
// `syscall` clears both through the FMASK MSR, but interrupts and
// exceptions do not: the entry code must (`cld`, and `clac` where the CPU
// has SMAP). The kernel asserts both are clear at the top of its exception
// handler, so without either instruction this test panics.
//
// Ways in: timer interrupts landing in a long user loop with DF set, then
// with AC set (each repeated until the tick count shows interrupts arrived
// inside it), and a page fault in a child with DF and AC set, which the
// kernel reports and kills (vector 14). AC at CPL 3 would also enable
// alignment checks if CR0.AM were set; the loops touch only aligned stack
// slots.
//! cmdline: hz=1000
//! expect: process \d+ \(rflags-hostile\) killed: page fault at 0x8
#include "test-util.hh"

namespace {

// Spin `n` iterations with DF set; only registers are touched in between.
void spin_with_df_set(unsigned long n) {
    asm volatile("std\n"
                 "1: pause\n"
                 "   dec %0\n"
                 "   jnz 1b\n"
                 "cld"
                 : "+r"(n) : : "cc");
}

// The same with AC set (pushf/popf: user mode has no stac).
void spin_with_ac_set(unsigned long n) {
    asm volatile("pushfq\n"
                 "orq $0x40000, (%%rsp)\n"
                 "popfq\n"
                 "1: pause\n"
                 "   dec %0\n"
                 "   jnz 1b\n"
                 "pushfq\n"
                 "andq $~0x40000, (%%rsp)\n"
                 "popfq"
                 : "+r"(n) : : "cc", "memory");
}

// Repeat `spin` until at least three ticks passed while it ran (ticks only
// advance on interrupts).
void spin_across_ticks(void (*spin)(unsigned long)) {
    unsigned long in_window = 0;
    for (int round = 0; round < 1000 && in_window < 3; ++round) {
        unsigned long before = ticks();
        spin(2000000);
        in_window += ticks() - before;
    }
    assert_ge(in_window, 3UL);
}

// Fault with DF and AC set.
void fault_with_flags_set() {
    asm volatile("std\n"
                 "pushfq\n"
                 "orq $0x40000, (%%rsp)\n"
                 "popfq\n"
                 "movb $1, 0x8"
                 : : : "memory");
    sys_exit(1);            // not reached
}

}  // namespace

void process_main() {
    spin_across_ticks(spin_with_df_set);
    spin_across_ticks(spin_with_ac_set);

    // An exception: the child faults with DF and AC set and is killed alone.
    assert_eq(child_status(fault_with_flags_set), 128 + 14);
    console_printf("rflags-hostile succeeded!\n");
    sys_exit(0);
}
