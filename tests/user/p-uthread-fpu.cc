// p-uthread-fpu.cc — the FPU/SSE state user threads keep across switches
// (user/u-thread.cc: switch_to keeps only the control state of a thread
// that yields, as a call must preserve; a preempted thread keeps all).
//
// Two threads yield to each other thousands of times, each with its own
// MXCSR rounding mode and its own x87 control word (precision and
// rounding): after every yield both are its own again, the x87 stack is
// empty (as at any call), and x87 and SSE arithmetic give the results
// those modes must give. A third thread never
// yields: it keeps six values on the x87 stack almost all the time and
// is preempted there by the timer, so the activation handler often
// switches from it to a yielder. The yielder must get an empty x87 stack
// (with six stale entries, its own three pushes would overflow the
// eight-slot stack and give NaNs on hardware; QEMU does not model the
// overflow, hence the tag check), and the preempted thread must get its
// six values back exactly. The three threads run on a pool of two kernel
// threads (fewer than the threads, so the timer still switches them), so
// switches also hand threads from one kernel thread to the other.
//! ncpu: 1 2 4
//! cmdline: hz=2000
//! timeout: 60
#include "u-lib.hh"
#include "u-thread.hh"

namespace {

constexpr int YIELDS = 3000;
volatile bool stop;
volatile int errors[3];
volatile uint64_t spins;

uint32_t get_mxcsr() {
    uint32_t m;
    asm volatile("stmxcsr %0" : "=m"(m));
    return m;
}
// The x87 registers in use (fxsave's abridged tag byte: bit i set when
// physical register i holds a value). A call boundary has none.
unsigned x87_tags() {
    alignas(16) uint8_t a[512];
    asm volatile("fxsave64 %0" : "=m"(*reinterpret_cast<uint8_t(*)[512]>(a)));
    return a[4];
}
uint16_t get_fcw() {
    uint16_t c;
    asm volatile("fnstcw %0" : "=m"(c));
    return c;
}

// 1 / 3 in single precision under the current MXCSR rounding mode.
float sse_third() {
    volatile float one = 1.0f, three = 3.0f;
    return one / three;
}

// x87: (1 + 2 + ... + 40) / 3 with a few values on the stack at once,
// rounded to an integer by the current x87 rounding mode (fistp).
int64_t x87_sum_third() {
    int64_t out;
    asm volatile("fldz\n\t"
                 "movl $40, %%ecx\n"
                 "1:\n\t"
                 "fld1\n\t"             // st0 = 1, st1 = acc
                 "pushq %%rcx\n\t"
                 "fildl (%%rsp)\n\t"    // st0 = i, st1 = 1, st2 = acc
                 "popq %%rcx\n\t"
                 "fmulp\n\t"            // st0 = i, st1 = acc
                 "faddp\n\t"            // st0 = acc + i
                 "decl %%ecx\n\t"
                 "jnz 1b\n\t"
                 "pushq $3\n\t"
                 "fildl (%%rsp)\n\t"
                 "fdivrp\n\t"           // st0 = acc / 3 = 273.33...
                 "fistpq (%%rsp)\n\t"
                 "popq %0"
                 : "=r"(out) : : "rcx", "memory", "cc");
    return out;
}

void* yielder(void* arg) {
    int me = int(uintptr_t(arg));
    // MXCSR: all exceptions masked; rounding down (me 0) or up (me 1).
    uint32_t mxcsr = 0x1F80 | (me == 0 ? 0x2000 : 0x4000);
    // x87: exceptions masked, double precision, rounding down or up.
    uint16_t fcw = uint16_t(0x027F | (me == 0 ? 0x0400 : 0x0800));
    asm volatile("ldmxcsr %0" : : "m"(mxcsr));
    asm volatile("fldcw %0" : : "m"(fcw));
    float third = sse_third();
    int64_t want = me == 0 ? 273 : 274;
    // At least YIELDS turns, and on until the holder has been preempted
    // more than 10 times (checked below): how many ticks 3000 turns span
    // depends on how often the host runs this vCPU, and at load 15 one run
    // saw exactly 10. The bound keeps a kernel that never preempts from
    // spinning until the harness's timeout.
    for (int i = 0; i < YIELDS || (uthread_preemptions() <= 10 && i < 100 * YIELDS); ++i) {
        uthread_yield();

        // MXCSR's low six bits are sticky status flags, not kept by a call.
        if (x87_tags() != 0 || (get_mxcsr() & ~0x3FU) != mxcsr || get_fcw() != fcw || sse_third() != third
            || x87_sum_third() != want) {
            errors[me] = errors[me] + 1;
        }
    }
    return nullptr;
}

// Holds 1, 2, ..., 6 on the x87 stack while it spins; checks and pops
// them, briefly, every few thousand turns.
void* holder(void*) {
    while (!stop) {
        double v[6];
        asm volatile("fld1\n\t"
                     "fld1\n\t"
                     "fadd %%st(1), %%st\n\t"   // 2, 1
                     "fld1\n\t"
                     "fadd %%st(1), %%st\n\t"   // 3, 2, 1
                     "fld1\n\t"
                     "fadd %%st(1), %%st\n\t"   // 4, 3, 2, 1
                     "fld1\n\t"
                     "fadd %%st(1), %%st\n\t"   // 5, 4, 3, 2, 1
                     "fld1\n\t"
                     "fadd %%st(1), %%st\n\t"   // 6, 5, 4, 3, 2, 1
                     "movl $20000, %%ecx\n"
                     "1:\n\t"
                     "pause\n\t"
                     "decl %%ecx\n\t"
                     "jnz 1b\n\t"
                     "fstpl 40(%0)\n\t"
                     "fstpl 32(%0)\n\t"
                     "fstpl 24(%0)\n\t"
                     "fstpl 16(%0)\n\t"
                     "fstpl 8(%0)\n\t"
                     "fstpl 0(%0)"
                     : : "r"(v) : "rcx", "memory", "cc");
        for (int k = 0; k < 6; ++k) {
            if (v[k] != double(k + 1)) {
                errors[2] = errors[2] + 1;
            }
        }
        spins = spins + 1;
    }
    return nullptr;
}

}  // namespace

void process_main() {
    assert_eq(uthread_pool_start(2), 0);
    uthread* h;
    uthread* y[2];
    assert_eq(uthread_create(&h, holder, nullptr), 0);
    assert_eq(uthread_create(&y[0], yielder, reinterpret_cast<void*>(0)), 0);
    assert_eq(uthread_create(&y[1], yielder, reinterpret_cast<void*>(1)), 0);
    assert_eq(uthread_join(y[0], nullptr), 0);
    assert_eq(uthread_join(y[1], nullptr), 0);
    stop = true;
    assert_eq(uthread_join(h, nullptr), 0);
    assert_eq(errors[0], 0);
    assert_eq(errors[1], 0);
    assert_eq(errors[2], 0);
    assert_gt(spins, 0u);
    assert_gt(uthread_preemptions(), 10u);
    console_printf("uthread-fpu: %d yields each, %lu holder rounds, %lu preemptions\n",
                   YIELDS, (unsigned long) spins, (unsigned long) uthread_preemptions());
    console_printf("uthread-fpu succeeded!\n");
}
