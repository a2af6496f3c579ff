// p-df-hostile.cc — a process that sets the direction flag cannot make the
// kernel copy backwards.
//
// The C and C++ ABIs say RFLAGS.DF is clear at every function call, and the
// kernel's string functions (`rep movsq`, `rep stosq`) rely on it. `syscall`
// clears DF through the FMASK MSR, but interrupts and exceptions do not:
// the entry code must clear it itself. The kernel asserts DF is clear at the
// top of its exception handler, so without that `cld` this test panics.
//
// Two ways in with DF = 1: timer interrupts landing in a long user loop
// (repeated until the tick count shows interrupts arrived inside it), and a
// page fault in a child, which the kernel reports and kills (vector 14).
//! cmdline: hz=1000
//! expect: process \d+ \(df-hostile\) killed: page fault at 0x8
#include "u-lib.hh"

namespace {

unsigned long ticks() {
    usage u;
    int r = sys_getusage(&u);
    assert_eq(r, 0);
    return u.time;
}

// Spin `n` iterations with DF set; only registers are touched in between.
void spin_with_df_set(unsigned long n) {
    asm volatile("std\n"
                 "1: pause\n"
                 "   dec %0\n"
                 "   jnz 1b\n"
                 "cld"
                 : "+r"(n) : : "cc");
}

}  // namespace

void process_main() {
    // Interrupts: keep spinning in DF-set windows until at least three
    // ticks have passed while we spun (ticks only advance on interrupts).
    unsigned long in_window = 0;
    for (int round = 0; round < 1000 && in_window < 3; ++round) {
        unsigned long before = ticks();
        spin_with_df_set(2000000);
        in_window += ticks() - before;
    }
    assert_ge(in_window, 3UL);

    // An exception: the child faults with DF set and is killed alone.
    pid_t child = sys_fork();
    if (child == 0) {
        asm volatile("std\n"
                     "movb $1, 0x8"
                     : : : "memory");
        sys_exit(1);        // not reached
    }
    assert_gt(child, 0);
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 128 + 14);
    sys_exit(0);
}
