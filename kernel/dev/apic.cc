// apic.cc — local APIC and I/O APIC (see apic.hh).
#include "apic.hh"
#include "acpi.hh"
#include "arch/segments.h"
#include "arch/insns.hh"
#include "assert.hh"
#include "kaddr.hh"

namespace {

// Local APIC register offsets.
constexpr uint32_t LAPIC_ID = 0x20;
constexpr uint32_t LAPIC_TPR = 0x80;
constexpr uint32_t LAPIC_EOI = 0xB0;
constexpr uint32_t LAPIC_SVR = 0xF0;
constexpr uint32_t LAPIC_ESR = 0x280;
constexpr uint32_t LAPIC_ICR_LOW = 0x300;
constexpr uint32_t LAPIC_ICR_HIGH = 0x310;
constexpr uint32_t LAPIC_LVT_TIMER = 0x320;
constexpr uint32_t LAPIC_LVT_LINT0 = 0x350;
constexpr uint32_t LAPIC_LVT_LINT1 = 0x360;
constexpr uint32_t LAPIC_LVT_ERROR = 0x370;
constexpr uint32_t LAPIC_TIMER_INITIAL = 0x380;
constexpr uint32_t LAPIC_TIMER_CURRENT = 0x390;
constexpr uint32_t LAPIC_TIMER_DIVIDE = 0x3E0;

constexpr uint32_t LVT_MASKED = 1U << 16;
constexpr uint32_t LVT_PERIODIC = 1U << 17;
constexpr uint32_t ICR_PENDING = 1U << 12;
constexpr uint32_t ICR_LEVEL_ASSERT = 1U << 14;
constexpr uint32_t ICR_INIT = 5U << 8;
constexpr uint32_t ICR_STARTUP = 6U << 8;
constexpr uint32_t ICR_NMI = 4U << 8;
constexpr uint32_t ICR_ALL_BUT_SELF = 3U << 18;

uint64_t lapic_pa = 0xFEE00000;
uint64_t ioapic_pa = 0xFEC00000;
uint32_t ioapic_gsi_base = 0;
const madt_info* madt_copy;

volatile uint32_t& lapic_reg(uint32_t offset) {
    return *pa2kptr<volatile uint32_t>(lapic_pa + offset);
}

void ioapic_write(uint32_t reg, uint32_t value) {
    *pa2kptr<volatile uint32_t>(ioapic_pa) = reg;
    *pa2kptr<volatile uint32_t>(ioapic_pa + 0x10) = value;
}
uint32_t ioapic_read(uint32_t reg) {
    *pa2kptr<volatile uint32_t>(ioapic_pa) = reg;
    return *pa2kptr<volatile uint32_t>(ioapic_pa + 0x10);
}

void icr_send(uint32_t apic_id, uint32_t low) {
    lapic_reg(LAPIC_ICR_HIGH) = apic_id << 24;
    lapic_reg(LAPIC_ICR_LOW) = low;
    while (lapic_reg(LAPIC_ICR_LOW) & ICR_PENDING) {
        pause();
    }
}

}  // namespace

void apic_init(const madt_info& madt) {
    madt_copy = &madt;
    if (madt.lapic_pa) {
        lapic_pa = madt.lapic_pa;
    }
    if (madt.ioapic_pa) {
        ioapic_pa = madt.ioapic_pa;
        ioapic_gsi_base = madt.ioapic_gsi_base;
    }
    // Mask the legacy 8259 PICs: every interrupt comes through the APICs.
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    // Mask every I/O APIC input until a driver routes it.
    uint32_t entries = ((ioapic_read(1) >> 16) & 0xFF) + 1;
    for (uint32_t i = 0; i < entries; ++i) {
        ioapic_write(0x10 + 2 * i, LVT_MASKED);
        ioapic_write(0x11 + 2 * i, 0);
    }
}

void lapic_init_cpu() {
    // Enable the local APIC (global enable bit in the MSR, software enable
    // in the spurious-vector register).
    wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | (1U << 11));
    lapic_reg(LAPIC_SVR) = 0x100 | INT_SPURIOUS;
    lapic_reg(LAPIC_TPR) = 0;
    lapic_reg(LAPIC_LVT_LINT0) = LVT_MASKED;
    lapic_reg(LAPIC_LVT_LINT1) = LVT_MASKED;
    lapic_reg(LAPIC_LVT_ERROR) = LVT_MASKED;
    lapic_reg(LAPIC_LVT_TIMER) = LVT_MASKED;
    lapic_reg(LAPIC_ESR) = 0;
    lapic_reg(LAPIC_ESR) = 0;
    lapic_eoi();
}

uint32_t lapic_id() {
    return lapic_reg(LAPIC_ID) >> 24;
}

void lapic_eoi() {
    lapic_reg(LAPIC_EOI) = 0;
}

void lapic_send_ipi(uint32_t apic_id, int vector) {
    icr_send(apic_id, uint32_t(vector) | ICR_LEVEL_ASSERT);
}

void lapic_send_nmi(uint32_t apic_id) {
    icr_send(apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}

void lapic_send_init(uint32_t apic_id) {
    icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

void lapic_send_startup(uint32_t apic_id, uint32_t page) {
    icr_send(apic_id, ICR_STARTUP | (page & 0xFF));
}

void lapic_timer_start(uint32_t count) {
    lapic_reg(LAPIC_TIMER_DIVIDE) = 0x3;        // divide by 16
    lapic_reg(LAPIC_LVT_TIMER) = LVT_PERIODIC | INT_TIMER;
    lapic_reg(LAPIC_TIMER_INITIAL) = count;
}

void lapic_timer_oneshot_max() {
    lapic_reg(LAPIC_TIMER_DIVIDE) = 0x3;
    lapic_reg(LAPIC_LVT_TIMER) = LVT_MASKED;
    lapic_reg(LAPIC_TIMER_INITIAL) = 0xFFFFFFFF;
}

uint32_t lapic_timer_current() {
    return lapic_reg(LAPIC_TIMER_CURRENT);
}

void ioapic_route_isa_irq(int irq, uint32_t apic_id) {
    uint32_t gsi = irq;
    uint32_t flags = 0;     // ISA default: active high, edge triggered
    for (int i = 0; madt_copy && i < madt_copy->noverrides; ++i) {
        if (madt_copy->overrides[i].source_irq == irq) {
            gsi = madt_copy->overrides[i].gsi;
            uint16_t f = madt_copy->overrides[i].flags;
            if ((f & 3) == 3) {
                flags |= 1U << 13;      // active low
            }
            if (((f >> 2) & 3) == 3) {
                flags |= 1U << 15;      // level triggered
            }
        }
    }
    assert(gsi >= ioapic_gsi_base);
    uint32_t input = gsi - ioapic_gsi_base;
    ioapic_write(0x11 + 2 * input, apic_id << 24);
    ioapic_write(0x10 + 2 * input, flags | (INT_IRQ_BASE + irq));
}
