// cmdline_numbers.cc — cmdline_number takes decimal numbers from 0 to
// 2^31 - 1 and gives the fallback, with a warning, for anything else:
// before, 20-digit values overflowed a long (undefined behaviour) and
// ncpu=4294967297 became 1.
//! cmdline: nt_zero=0 nt_ok=42 nt_max=2147483647 nt_over=2147483648 nt_huge=99999999999999999999999 nt_neg=-5 nt_hex=0x10 nt_empty=
//! expect: command line: nt_over=2147483648 is not a number from 0 to 2147483647; ignored
//! expect: command line: nt_huge=.* is not a number
//! expect: ktest cmdline_numbers: passed
#include "cmdline.hh"
#include "ktest.hh"

KTEST(cmdline_numbers) {
    assert_eq(cmdline_number("nt_zero", 7), 0L);
    assert_eq(cmdline_number("nt_ok", 7), 42L);
    assert_eq(cmdline_number("nt_max", 7), 2147483647L);
    assert_eq(cmdline_number("nt_over", 7), 7L);
    assert_eq(cmdline_number("nt_huge", 7), 7L);
    assert_eq(cmdline_number("nt_neg", 7), 7L);
    assert_eq(cmdline_number("nt_hex", 7), 7L);
    assert_eq(cmdline_number("nt_empty", 7), 7L);
    assert_eq(cmdline_number("nt_absent", 7), 7L);
}
