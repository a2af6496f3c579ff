// ubsan_planted.cc — planted undefined behaviour in a SAN=1 kernel: each
// bug gets a report naming its kind, this file's line and this function,
// and kalloc hands out poisoned (0xa5) memory. Booted with ubsan=report so
// every report prints and the run goes on. Skipped unless built SAN=1.
//! requires: san
//! cmdline: ubsan=report
//! ncpu: 1
//! expect: UBSAN: signed integer overflow: 2147483647 \+ 1 in type 'int' at tests/kernel/ubsan_planted.cc:\d+:\d+ in ktest_function_ubsan_planted
//! expect: UBSAN: shift exponent 40 is out of range for 32-bit type 'int' at tests/kernel/ubsan_planted.cc:\d+
//! expect: UBSAN: load of misaligned address 0x[0-9a-f]+ for type .*int.*, which needs 4-byte alignment at tests/kernel/ubsan_planted.cc:\d+
//! expect: UBSAN: index 8 out of bounds for type 'int \[8\]' at tests/kernel/ubsan_planted.cc:\d+
//! expect: UBSAN: negation of -2147483648 cannot be represented in type 'int' at tests/kernel/ubsan_planted.cc
//! expect: ktest ubsan_planted: passed
#include "kalloc.hh"
#include "ktest.hh"
#include "ubsan.hh"

namespace {
volatile int big = 2147483647, one = 1, forty = 40, eight = 8, minimum = -2147483647 - 1;
int table[8];
volatile int sink;
}

KTEST(ubsan_planted) {
    unsigned before = ubsan_reports();
    sink = big + one;                                       // signed overflow
    sink = one << forty;                                    // shift too far
    alignas(8) char buffer[16] = {};
    sink = *reinterpret_cast<volatile int*>(buffer + 1);    // misaligned load
    sink = table[eight];                                    // out of bounds
    sink = -minimum;                                        // negation overflow
    // (The out-of-bounds load is also reported as an object-size error.)
    assert_ge(ubsan_reports() - before, 5u);

    // Fresh memory is poisoned, not zero.
    auto* fresh = static_cast<unsigned char*>(kalloc(100));
    assert(fresh);
    assert_eq(fresh[50], 0xA5);
    kfree(fresh);
    auto* page = static_cast<unsigned char*>(kalloc(8192));
    assert(page);
    assert_eq(page[5000], 0xA5);
    kfree(page);
    assert_eq(page[5000], 0x6B);            // freed memory is poisoned too
}
