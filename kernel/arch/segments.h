/* segments.h — GDT layout and interrupt vectors, named once for C++ and
 * assembly. The order of the user segments is fixed by SYSRET: it loads
 * SS from STAR[63:48] + 8 and CS from STAR[63:48] + 16.
 * Plain C preprocessor only: included from .S files. */
#pragma once
#define SEGSEL_KERNEL_CODE  0x08
#define SEGSEL_KERNEL_DATA  0x10
#define SEGSEL_USER_DATA    0x1B    /* 0x18 | RPL 3 */
#define SEGSEL_USER_CODE    0x23    /* 0x20 | RPL 3 */
#define SEGSEL_TSS          0x28    /* 16-byte descriptor: 0x28 and 0x30 */
#define GDT_ENTRIES         7

/* Interrupt vectors beyond the 32 exceptions. */
#define INT_TIMER           32      /* local APIC timer */
#define INT_IRQ_BASE        48      /* I/O APIC input n arrives at 48 + n */
#define INT_IPI_RESCHEDULE  0xF0    /* another CPU queued work for us */
#define INT_IPI_HALT        0xF1    /* panic: stop this CPU */
#define INT_IPI_TLB         0xF2    /* flush this CPU's TLB (vm.cc tlb_shootdown) */
#define INT_SPURIOUS        0xFF

/* Interrupt stack table slots (TSS IST1..IST7). */
#define IST_DOUBLEFAULT     1
#define IST_NMI             2
