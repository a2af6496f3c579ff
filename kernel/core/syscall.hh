// syscall.hh — the system-call layer: what every handler receives, and the
// declaration of every handler (generated from include/abi/syscalls.def).
//
// The layer is split by subject:
//   kernel/core/syscall.cc          entry from assembly, dispatch, sysret-or-iret
//   kernel/core/syscall-process.cc  process calls (fork, exit, waitpid, exec, ...)
//   kernel/core/syscall-file.cc     descriptor and file calls (read, write, open, ...)
//   kernel/core/interrupts.cc       return_to_user and user faults (the trap side)
// Each row of syscalls.def needs a handler `R syscall_name(syscall_context*,
// T1, ..., Tn)` with exactly the row's types: the declarations below are
// generated from the table, so a handler with the wrong signature, or a
// missing one, fails to compile or link.
// Easy to get wrong: user pointers arrive typed but must never be
// dereferenced; pass them to the checked copies in uaccess.hh.
#pragma once
#include "abi/syscalls.hh"
#include "abi/usage.hh"
#include "x86-64.hh"

struct proc;
struct regstate;
struct x86_64_pagetable;

struct syscall_context {
    proc* p;                        // the calling thread (current()); p->process_ is its process
    regstate* regs;                 // its saved user registers
    bool regs_replaced = false;     // exec, act_resume: no return value
};

// The calling process's page table, for the checked copies in uaccess.hh
// (defined in syscall.cc, which sees struct proc).
x86_64_pagetable* user_pt(syscall_context* c);

#define SYSCALL(NAME, name, number, kind, ret, ...) \
    ret syscall_##name(syscall_context* SYSCALL_PARAMS_ARG_SEP(__VA_ARGS__) __VA_ARGS__);
#define SYSCALL_PARAMS_ARG_SEP(...) __VA_OPT__(,)
#include "abi/syscalls.def"
#undef SYSCALL_PARAMS_ARG_SEP

// RFLAGS bits that rule out `sysret` (the return goes through iretq):
// TF, RF, VM, NT. Used by syscall.cc's sysret_safe and, through
// asm-offsets.h, by the fast path in kernel/arch/syscall.S.
constexpr uint64_t sysret_odd_flags = EFLAGS_TF | EFLAGS_RF | EFLAGS_VM | EFLAGS_NT;

// Per-CPU: program the syscall MSRs (EFER.SCE, STAR, LSTAR, FMASK).
void syscall_init_cpu();

