// interrupts.hh — what happens after entry.S has saved a regstate.
//
// `exception_handler` is the single C++ entry for every IDT vector: CPU
// exceptions (a kernel fault panics with a register dump; a user fault is
// the process's problem), the local APIC timer, device IRQs and IPIs.
// This is the trap side of the user boundary: the return-to-user policy
// (`return_to_user`, also used by the system-call exit in syscall.cc) and
// user-fault handling (`user_exception`) are defined here.
// Easy to get wrong: EOI before yielding, or the local APIC blocks every
// lower-priority interrupt until this task runs again.
#pragma once
#include "arch/regstate.hh"

struct proc;

// Device IRQ handlers, registered at start-up: IRQ n arrives on vector
// INT_IRQ_BASE + n. 0..23 are I/O APIC inputs; IRQ_MSI_BASE..31 are for
// message-signalled interrupts (a PCI device's MSI names the vector itself).
using irq_handler = void (*)();
void irq_register(int irq, irq_handler handler);
constexpr int IRQ_MSI_BASE = 24;
constexpr int IRQ_AHCI = IRQ_MSI_BASE;      // kernel/dev/ahci.cc

// Print a register dump (panic path).
void print_regstate(const regstate* regs);

const char* exception_name(uint64_t vector);

// A CPU exception in user mode: the process is killed as if it had called
// sys_exit(128 + vector) (process_kill); never returns today, but callers
// must not assume so (a future policy may let the process continue).
void user_exception(regstate* regs);
// Every return to user mode, from an interrupt or a system call, passes
// here last (interrupts off): it refuses a RIP outside the user half and
// delivers a pending activation.
void return_to_user(proc* p, regstate* regs);
// Set by vm_init when the CPU has SMAP: entry.S then executes `clac`.
extern "C" bool entry_clac;
