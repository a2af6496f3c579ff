// p-act-redzone.cc — data a leaf function keeps below RSP, in the 128-byte
// red zone, survives activations (the fast path builds its frame strictly
// below the red zone; the exact path writes nothing on the user stack).
//
// redzone_run (assembly, a leaf: it never moves RSP) fills all sixteen
// quadwords of [rsp-128, rsp) with a pattern, spins in registers until
// the header's `delivered` counter has grown by `ticks`, then checks every
// quadword. Rounds use the default handler (fast path) and then force the
// exact path.
//! lab: act 15
//! cmdline: hz=2000
#include "u-lib.hh"
#include "u-activation.hh"

extern "C" {
// Returns 0, or 1 + the index of the first corrupted quadword.
int redzone_run(uint64_t pattern, uint64_t ticks);
volatile int force_exact;

__attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    int r = force_exact ? sys_act_resume(slot) : act_resume(slot);
    panic("resume failed: %d", r);
}
}

asm(R"(
    .text
    .globl redzone_run
    .type redzone_run, @function
redzone_run:
    # %rdi = pattern, %rsi = ticks. Quadword i (1..16) at -8*i(%rsp) holds
    # pattern ^ (i * 0x0101010101010101) rotated by i.
    .irp i, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
    movabsq $(\i * 0x0101010101010101), %rax
    xorq %rdi, %rax
    rolq $\i, %rax
    movq %rax, -8*\i(%rsp)
    .endr
    addq 0x3FE00058, %rsi          # target = delivered + ticks
1:  pause
    cmpq 0x3FE00058, %rsi
    ja 1b
    .irp i, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
    movabsq $(\i * 0x0101010101010101), %rax
    xorq %rdi, %rax
    rolq $\i, %rax
    cmpq %rax, -8*\i(%rsp)
    je 2f
    movl $\i + 1, %eax
    ret
2:
    .endr
    xorl %eax, %eax
    ret
    .size redzone_run, . - redzone_run
)");

void process_main() {
    auto* tc = act_tc0();
    uint64_t f0 = tc->resumed_fast, e0 = tc->resumed_exact;
    for (int round = 0; round < 40; ++round) {
        force_exact = round >= 20;
        uint64_t pattern = (uint64_t(rand()) << 33) ^ uint64_t(rand()) ^ 0xC0FFEE;
        int r = redzone_run(pattern, 5);
        if (r != 0) {
            panic("red zone quadword at rsp-%d corrupted (%s path)",
                  8 * (r - 1), force_exact ? "exact" : "fast");
        }
    }
    force_exact = false;
    // Both paths really ran.
    assert_ge(tc->resumed_fast - f0, 80u);
    assert_ge(tc->resumed_exact - e0, 80u);
    console_printf("act-redzone succeeded!\n");
}
