// p-sumsquares.cc — a small function for tests/boot/gdb-locals.test, which
// stops gdb on its `return` line and prints its locals. Run by itself it
// only checks its own arithmetic.
//
// Easy to get wrong: the line numbers of `sum_of_squares` are named in
// gdb-locals.gdb (`hbreak p-sumsquares.cc:NN`): move them and that file must
// follow.
//! ncpu: 1
#include "u-lib.hh"

// Not inlined, and its argument comes from memory the compiler cannot see
// through, so the loop really runs and `total` really exists.
[[gnu::noinline]] long sum_of_squares(int n) {
    long total = 0;
    for (int i = 1; i <= n; ++i) {
        total += long(i) * i;
    }
    return total;                                   // line 18: gdb stops here
}

volatile int count = 10;

void process_main() {
    long result = sum_of_squares(count);
    assert_eq(result, 385);
    printf("sumsquares succeeded!\n");
}
