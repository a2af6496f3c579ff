// interrupts.cc — exception and interrupt dispatch (see interrupts.hh).
#include "interrupts.hh"
#include "activation.hh"
#include "apic.hh"
#include "arch/segments.h"
#include "arch/insns.hh"
#include "backtrace.hh"
#include "cpustate.hh"
#include "printf.hh"
#include "proc.hh"
#include "process.hh"
#include "smp.hh"
#include "symtab.hh"
#include "timer.hh"
#include "usersym.hh"
#include "vm.hh"

namespace {

// 0..23: I/O APIC inputs; 24..31: MSI vectors (IRQ_MSI_BASE).
constexpr int max_irqs = 32;
irq_handler irq_handlers[max_irqs];

}  // namespace

const char* exception_name(uint64_t v) {
    static const char* const names[] = {
        "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
        "invalid opcode", "device not available", "double fault", "coprocessor overrun",
        "invalid TSS", "segment not present", "stack fault", "general protection",
        "page fault", "reserved", "x87 floating point", "alignment check",
        "machine check", "SIMD floating point", "virtualization", "control protection"};
    return v < sizeof(names) / sizeof(names[0]) ? names[v] : "reserved exception";
}

namespace {

[[noreturn]] void kernel_fault(regstate* regs) {
    if (!panic_enter()) {
        halt_forever();
    }
    uint64_t v = regs->reg_intno;
    symbol_match where = symbol_lookup(regs->reg_rip);
    panic_printf("PANIC: kernel %s (vector %lu, error code %#lx) at %p %s+0x%lx\n",
                 exception_name(v), v, regs->reg_errcode, (void*) regs->reg_rip,
                 where.name ? where.name : "?", where.offset);
    if (v == INT_PAGEFAULT) {
        uint64_t e = regs->reg_errcode;
        panic_printf("  address %p: %s, %s%s\n", (void*) rdcr2(),
                     e & PFERR_PRESENT ? "protection violation" : "page not present",
                     e & PFERR_WRITE ? "write" : "read",
                     e & PFERR_FETCH ? " (instruction fetch)" : "");
    }
    print_regstate(regs);
    print_backtrace(regs->reg_rbp, regs->reg_rip);
    panic_finish();
}

}  // namespace

void print_regstate(const regstate* r) {
    panic_printf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n",
                 r->reg_rax, r->reg_rbx, r->reg_rcx, r->reg_rdx);
    panic_printf("  rsi %016lx  rdi %016lx  rbp %016lx  rsp %016lx\n",
                 r->reg_rsi, r->reg_rdi, r->reg_rbp, r->reg_rsp);
    panic_printf("  r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n",
                 r->reg_r8, r->reg_r9, r->reg_r10, r->reg_r11);
    panic_printf("  r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n",
                 r->reg_r12, r->reg_r13, r->reg_r14, r->reg_r15);
    panic_printf("  rip %016lx  rflags %08lx  cs %04lx  ss %04lx  cr2 %016lx  cr3 %016lx\n",
                 r->reg_rip, r->reg_rflags, r->reg_cs, r->reg_ss, rdcr2(), rdcr3());
}

void irq_register(int irq, irq_handler handler) {
    assert(irq >= 0 && irq < max_irqs);
    irq_handlers[irq] = handler;
}

// entry.S executes `clac` when this is set (the CPU has SMAP).
extern "C" {
bool entry_clac = false;
}

// called from assembly (kernel/arch/entry.S), interrupts off
extern "C" [[gnu::hot]] void exception_handler(regstate* regs) {
    uint64_t entry_tsc = rdtsc();
    // entry.S clears DF and (with SMAP) AC, which user mode may have left
    // set (tests/user/p-rflags-hostile): the ABI and every `rep movs`/
    // `rep stos` need DF clear, and SMAP is off while AC is set. Without
    // SMAP, AC means nothing at CPL 0.
    uint64_t rflags = rdrflags();
    assert(!(rflags & EFLAGS_DF), "DF set in the kernel");
    assert(!entry_clac || !(rflags & EFLAGS_AC), "AC set in the kernel");
    uint64_t v = regs->reg_intno;
    if (v < 32) {
        if (v == INT_NMI) {
            // NMIs are only sent by a panicking CPU: stop here, whether
            // this CPU was in the kernel or in user mode.
            smp_cpu_stopped();
        }
        if (regs->from_user()) {
            user_exception(regs);
        } else {
            kernel_fault(regs);
        }
    } else if (v == INT_TIMER) {
        lapic_eoi();
        timer_tick();
        if (regs->from_user()) {
            activation_note_tick(current(), entry_tsc);
        }
    } else if (v == INT_IPI_RESCHEDULE) {
        lapic_eoi();
    } else if (v == INT_IPI_TLB) {
        lapic_eoi();
        tlb_serve_requests();
    } else if (v == INT_IPI_HALT) {
        halt_forever();
    } else if (v >= INT_IRQ_BASE && v < INT_IRQ_BASE + max_irqs) {
        if (auto h = irq_handlers[v - INT_IRQ_BASE]) {
            h();
        }
        lapic_eoi();
    } else if (v == INT_SPURIOUS) {
        // Spurious interrupts take no EOI.
    } else {
        lapic_eoi();
    }

    // Preempt: the interrupted task yields when its quantum is used up or
    // (for the idle task) as soon as there is other work. Interrupts were on
    // where we interrupted, so no spinlock is held.
    if (v >= 32) {
        proc* p = current();
        if (p && this_cpu()->should_preempt()) {
            p->yield();
        }
    }
    if (regs->from_user()) {
        return_to_user(current(), regs);
    }
}

namespace {
// A RIP past the user half can only come from code running off the end
// of the top page (executable where the CPU lacks NX). iretq to it would
// fault in ring 0 with the user's GS already loaded: the process dies
// here instead, as the CPU would kill it for the fetch (#GP).
[[gnu::noinline, gnu::cold]] void kill_past_user_half(proc* p, regstate* regs) {
    char why[80];
    snprintf(why, sizeof(why), "return to rip %p, past the user half",
             (void*) regs->reg_rip);
    process_kill(p, why, KILLED_STATUS_BASE + INT_GPF);
}
}  // namespace

// Every system call (but the fast path's sys_getpid and sys_gettid,
// kernel/arch/syscall.S) and every interrupt from user mode comes through
// here: the common case (nothing to do) stays small, with no stack frame; the
// rare work is in out-of-line functions.
[[gnu::hot]] void return_to_user(proc* p, regstate* regs) {
    if (regs->reg_rip >= VA_LOWEND) [[unlikely]] {
        kill_past_user_half(p, regs);
    }
    if (p->kill_requested_.load(std::memory_order_relaxed)) [[unlikely]] {
        process_check_kill(p);
    }
    activation_return_to_user(p, regs);
}

// A user task's first entry to user mode (switch.S proc_resume_regs, on
// the task's own stack with RSP = regs): the same checks as every later
// return. Without them a thread created just before its process began to
// exit would run user code until its first kernel entry (a tick).
extern "C" void proc_first_return_to_user(regstate* regs) {
    return_to_user(current(), regs);
}

// A fault in user mode kills the process, never the kernel.
void user_exception(regstate* regs) {
    proc* p = current();
    assert(p->is_user_);
    char why[256];
    uint64_t v = regs->reg_intno;
    if (v == INT_PAGEFAULT) {
        snprintf(why, sizeof(why), "page fault at %p (%s %s, error %#lx) at rip %p", (void*) rdcr2(),
                 regs->reg_errcode & PFERR_WRITE ? "write," : "read,",
                 regs->reg_errcode & PFERR_PRESENT ? "protection" : "not present",
                 (unsigned long) regs->reg_errcode,
                 (void*) regs->reg_rip);
    } else {
        snprintf(why, sizeof(why), "%s (vector %lu, error code %#lx) at rip %p",
                 exception_name(v), (unsigned long) v, (unsigned long) regs->reg_errcode,
                 (void*) regs->reg_rip);
    }
    user_fault_where(p->process_->program_, regs->reg_rip, why, sizeof(why));
    process_kill(p, why, KILLED_STATUS_BASE + int(v));
}
