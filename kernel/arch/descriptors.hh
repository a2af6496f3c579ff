// descriptors.hh — GDT, TSS and IDT.
//
// Each CPU has its own GDT and TSS (in its cpustate); the IDT is shared.
// Easy to get wrong: TSS.RSP0 must name the running task's kernel stack
// top before that task returns to user mode, or the next interrupt from
// user mode lands on another task's stack.
#pragma once
#include <stdint.h>

struct cpustate;

// Fill the shared IDT (once, on the boot CPU).
void idt_init();
// Load this CPU's GDT, TSS and the IDT; reload segment registers.
void descriptors_init_cpu(cpustate* c);
// Stack the CPU switches to on an interrupt from user mode.
void set_kernel_stack(cpustate* c, uintptr_t rsp0);
