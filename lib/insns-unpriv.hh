// insns-unpriv.hh — wrappers for the few instructions that kernel and user
// code both use and any ring may execute (stack and frame pointer reads,
// `pause`). The kernel's privileged wrappers are in kernel/arch/insns.hh.
//
// Easy to get wrong: these are plain reads of the *current* registers; a
// caller that wants its caller's frame must not be inlined into another
// function whose frame it then reads instead.
#pragma once
#include <stdint.h>

inline uintptr_t rdrsp() {
    uintptr_t v;
    asm volatile("movq %%rsp, %0" : "=r"(v));
    return v;
}
inline uintptr_t rdrbp() {
    uintptr_t v;
    asm volatile("movq %%rbp, %0" : "=r"(v));
    return v;
}
inline void pause() {
    asm volatile("pause" : : : "memory");
}
