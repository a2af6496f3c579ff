// stack_overflow.cc — a kernel task whose stack runs into its own `proc` is
// caught the next time it leaves the CPU, by the canary at the end of the
// proc, instead of corrupting the task silently. The test task fills its
// stack from where it is down to 64 bytes past the canary (into the FPU
// area, unused by a kernel task), then yields.
//! result: fail
//! expect: assertion .* failed: kernel stack overflow
#include "ktest.hh"
#include "proc.hh"
#include "string.hh"

namespace {
__attribute__((noinline)) void overflow_and_yield() {
    proc* p = current();
    uintptr_t bottom = reinterpret_cast<uintptr_t>(&p->stack_canary_);
    uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    // alloca takes the space below this frame's own slots, so filling it
    // leaves them alone; the calls after it (memset, yield) push their
    // frames into the 512-byte FPU area below.
    size_t n = here - bottom + 64;
    char* buf = static_cast<char*>(__builtin_alloca(n));
    assert_le(reinterpret_cast<uintptr_t>(buf), bottom - 64);
    memset(buf, 0xAB, n);
    asm volatile("" : : "r"(buf) : "memory");
    p->yield();
}
}  // namespace

KTEST(stack_overflow) {
    overflow_and_yield();
}
