// panic_bad_frame.cc — a kernel fault with a corrupt frame pointer is still
// reported: the backtrace stops at a frame that is not mapped (here in the
// direct map's range, far above the memory there is) instead of faulting
// inside the panic, which used to halt the CPU in silence.
//! result: fail
//! timeout: 20
//! expect: PANIC: kernel invalid opcode
//! expect: Backtrace:
//! reject: nested fault
#include "ktest.hh"
#include "kaddr.hh"

KTEST(panic_bad_frame) {
    uint64_t bad = KERNEL_DIRECT_BASE + (uint64_t(600) << 30);
    asm volatile("movq %0, %%rbp\n\t"
                 "ud2" : : "r"(bad) : "memory");
}
