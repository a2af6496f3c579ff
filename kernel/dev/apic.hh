// apic.hh — the local APIC (one per CPU: timer, IPIs, EOI) and the I/O
// APIC (routes device interrupts to CPUs).
//
// Both are memory-mapped, reached through the uncached part of the direct
// map. Easy to get wrong: ISA IRQ numbers are not I/O APIC inputs; the
// MADT's interrupt source overrides say which input each IRQ arrives on
// (the PIT's IRQ 0 is usually input 2), with which polarity and trigger.
#pragma once
#include <stdint.h>

void lapic_init_cpu();
uint32_t lapic_id();
void lapic_eoi();
void lapic_send_ipi(uint32_t apic_id, int vector);
void lapic_send_nmi(uint32_t apic_id);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint32_t page);
// Periodic timer on vector INT_TIMER, `count` bus ticks (divide by 16).
void lapic_timer_start(uint32_t count);
void lapic_timer_oneshot_max();
uint32_t lapic_timer_current();

// Route ISA IRQ `irq` to vector INT_IRQ_BASE + irq on the CPU `apic_id`.
void ioapic_route_isa_irq(int irq, uint32_t apic_id);

struct madt_info;
void apic_init(const madt_info& madt);
