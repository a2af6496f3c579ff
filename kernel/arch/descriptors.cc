// descriptors.cc — GDT, TSS and IDT setup (see descriptors.hh).
#include "arch/descriptors.hh"
#include "arch/segments.h"
#include "cpustate.hh"

extern "C" const uint64_t exception_stub_table[256];

namespace {

x86_64_gate idt[256];

// Separate stacks for double faults and NMIs, so that both work even when
// the kernel stack is what went wrong.
alignas(16) char ist_stacks[MAXCPU][2][PAGESIZE];

struct __attribute__((packed)) pseudo_descriptor {
    uint16_t limit;
    uint64_t base;
};

constexpr uint64_t segment(uint64_t type_bits) {
    // Long mode ignores base and limit for code/data; keep them flat.
    return type_bits | 0x0000FFFF | (uint64_t(0xF) << 48);
}
constexpr uint64_t SEG_P = uint64_t(1) << 47;
constexpr uint64_t SEG_S = uint64_t(1) << 44;          // code/data, not system
constexpr uint64_t SEG_CODE = uint64_t(0xA) << 40;     // execute/read
constexpr uint64_t SEG_DATA = uint64_t(0x2) << 40;     // read/write
constexpr uint64_t SEG_L = uint64_t(1) << 53;          // 64-bit code
constexpr uint64_t SEG_DB = uint64_t(1) << 54;
constexpr uint64_t SEG_G = uint64_t(1) << 55;
constexpr uint64_t SEG_DPL3 = uint64_t(3) << 45;

}  // namespace

void idt_init() {
    for (int v = 0; v < 256; ++v) {
        uint64_t addr = exception_stub_table[v];
        auto& g = idt[v];
        g.offset_low = addr & 0xFFFF;
        g.offset_mid = (addr >> 16) & 0xFFFF;
        g.offset_high = addr >> 32;
        g.selector = SEGSEL_KERNEL_CODE;
        g.type_attr = 0x8E;                 // present, DPL 0, interrupt gate
        g.ist = v == INT_DOUBLEFAULT ? IST_DOUBLEFAULT : v == INT_NMI ? IST_NMI : 0;
        g.reserved = 0;
    }
}

void descriptors_init_cpu(cpustate* c) {
    auto& gdt = c->gdt_;
    gdt[0] = 0;
    gdt[SEGSEL_KERNEL_CODE >> 3] = segment(SEG_P | SEG_S | SEG_CODE | SEG_L | SEG_G);
    gdt[SEGSEL_KERNEL_DATA >> 3] = segment(SEG_P | SEG_S | SEG_DATA | SEG_DB | SEG_G);
    gdt[SEGSEL_USER_DATA >> 3] = segment(SEG_P | SEG_S | SEG_DATA | SEG_DB | SEG_G | SEG_DPL3);
    gdt[SEGSEL_USER_CODE >> 3] = segment(SEG_P | SEG_S | SEG_CODE | SEG_L | SEG_G | SEG_DPL3);
    // 16-byte TSS descriptor: type 9 (available 64-bit TSS).
    uint64_t tss = reinterpret_cast<uint64_t>(&c->tss_);
    gdt[SEGSEL_TSS >> 3] = (sizeof(x86_64_tss) - 1) | ((tss & 0xFFFFFF) << 16)
        | (uint64_t(0x9) << 40) | SEG_P | (((tss >> 24) & 0xFF) << 56);
    gdt[(SEGSEL_TSS >> 3) + 1] = tss >> 32;

    c->tss_ = {};
    c->tss_.iomap_base = sizeof(x86_64_tss);   // no I/O bitmap: user port I/O faults
    c->tss_.ist[IST_DOUBLEFAULT - 1] = reinterpret_cast<uint64_t>(ist_stacks[c->index_][0] + PAGESIZE);
    c->tss_.ist[IST_NMI - 1] = reinterpret_cast<uint64_t>(ist_stacks[c->index_][1] + PAGESIZE);
    c->tss_.rsp[0] = c->stack_top();

    pseudo_descriptor gdtr{sizeof(c->gdt_) - 1, reinterpret_cast<uint64_t>(gdt)};
    pseudo_descriptor idtr{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
    asm volatile("lidt %0" : : "m"(idtr) : "memory");
    // Reload CS with a far return, then the data segments.
    asm volatile("pushq %0\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movw %w1, %%ds\n\t"
                 "movw %w1, %%es\n\t"
                 "movw %w1, %%ss\n\t"
                 : : "i"(SEGSEL_KERNEL_CODE), "r"(SEGSEL_KERNEL_DATA) : "rax", "memory");
    // FS and GS: null selectors; loading them may clear the bases, so
    // GSBASE (this cpustate) is written again afterwards.
    asm volatile("movw %w0, %%fs; movw %w0, %%gs" : : "r"(0) : "memory");
    wrmsr(MSR_IA32_GS_BASE, reinterpret_cast<uint64_t>(c));
    asm volatile("ltr %w0" : : "r"(SEGSEL_TSS) : "memory");
}

void set_kernel_stack(cpustate* c, uintptr_t rsp0) {
    c->tss_.rsp[0] = rsp0;
}
