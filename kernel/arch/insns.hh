// insns.hh — inline-assembly wrappers for privileged instructions.
//
// Kernel C++ gets its instructions from here and lib/insns-unpriv.hh (the
// ones user code shares); the only other inline assembly is in arch/
// (descriptor loads, asm-offsets) and preemption_point. Easy to get wrong: every asm that touches memory
// the compiler cannot see (CR3, invlpg, lgdt) needs a "memory" clobber.
#pragma once
#include "insns-unpriv.hh"
#include "x86-64.hh"

inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint16_t inw(uint16_t port) {
    uint16_t v;
    asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline uint32_t inl(uint16_t port) {
    uint32_t v;
    asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline void outb(uint16_t port, uint8_t v) {
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline void outw(uint16_t port, uint16_t v) {
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
inline void outl(uint16_t port, uint32_t v) {
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t(hi) << 32) | lo;
}
inline void wrmsr(uint32_t msr, uint64_t v) {
    asm volatile("wrmsr" : : "c"(msr), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)) : "memory");
}

inline uint64_t rdcr0() { uint64_t v; asm volatile("movq %%cr0, %0" : "=r"(v)); return v; }
inline uint64_t rdcr2() { uint64_t v; asm volatile("movq %%cr2, %0" : "=r"(v)); return v; }
inline uint64_t rdcr3() { uint64_t v; asm volatile("movq %%cr3, %0" : "=r"(v)); return v; }
inline uint64_t rdcr4() { uint64_t v; asm volatile("movq %%cr4, %0" : "=r"(v)); return v; }
inline void wrcr0(uint64_t v) { asm volatile("movq %0, %%cr0" : : "r"(v) : "memory"); }
inline void wrcr3(uint64_t v) { asm volatile("movq %0, %%cr3" : : "r"(v) : "memory"); }
inline void wrcr4(uint64_t v) { asm volatile("movq %0, %%cr4" : : "r"(v) : "memory"); }

inline uint64_t rdrflags() {
    uint64_t v;
    asm volatile("pushfq; popq %0" : "=r"(v));
    return v;
}
inline bool is_cli() { return !(rdrflags() & EFLAGS_IF); }
inline void cli() { asm volatile("cli" : : : "memory"); }
inline void sti() { asm volatile("sti" : : : "memory"); }
inline void hlt() { asm volatile("hlt" : : : "memory"); }
// Enable interrupts and halt until one arrives, atomically (`sti` takes
// effect after the next instruction), then disable them again.
inline void sti_hlt_cli() { asm volatile("sti; hlt; cli" : : : "memory"); }
// Read a quadword at `offset` in this CPU's GSBASE segment.
template <unsigned offset>
inline uint64_t read_gs_quad() {
    uint64_t v;
    asm volatile("movq %%gs:%c1, %0" : "=r"(v) : "i"(offset));
    return v;
}
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}
inline void invlpg(uintptr_t va) {
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};
inline cpuid_result cpuid(uint32_t leaf, uint32_t subleaf = 0) {
    cpuid_result r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

// Stop this CPU for good (interrupts off, halted).
[[noreturn]] inline void halt_forever() {
    for (;;) {
        asm volatile("cli; hlt" : : : "memory");
    }
}

// User FPU/SSE state: save and restore the 512-byte fxsave image.
inline void fxsave(void* area) {
    asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}
inline void fxrstor(const void* area) {
    asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

// Let user code use x87/SSE: no emulation, FXSAVE/SSE enabled.
inline void fpu_init_cpu() {
    wrcr0((rdcr0() & ~uint64_t(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    wrcr4(rdcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}
// The fxsave image of the state a new program's FPU starts in: what
// `fninit` leaves (control word 0x037F, empty stack) and the default MXCSR
// 0x1F80 (all SSE exceptions masked). Written as data rather than captured
// with fninit/ldmxcsr/fxsave, which some hypervisors cannot emulate.
inline void fpu_initial_state(uint8_t (&area)[512]) {
    for (auto& b : area) {
        b = 0;
    }
    area[0] = 0x7F;         // FCW
    area[1] = 0x03;
    area[24] = 0x80;        // MXCSR
    area[25] = 0x1F;
}
