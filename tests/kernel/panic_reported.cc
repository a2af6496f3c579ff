// panic_reported.cc — a panic on purpose: the harness must report it as a
// failure with the message and a symbolized backtrace, proving that it
// catches failures at all.
//! result: fail
//! expect: PANIC: .*deliberate panic from ktest 42
//! expect: Backtrace:
//! expect: ktest_function_panic_reported
//! expect: ^Source lines: addr2line -ipfCe obj/kernel.elf 0xffffffff8[0-9a-f]+ 0x
#include "ktest.hh"
#include "assert.hh"

KTEST(panic_reported) {
    panic("deliberate panic from ktest %d", 42);
}
