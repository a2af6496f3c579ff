// regstate.hh — the registers saved on a kernel stack when user or kernel
// code is interrupted (exception, interrupt, system call).
//
// Layout = what kernel/arch/entry.S pushes, lowest address first; assembly
// gets the offsets it uses from arch/asm-offsets.cc at build time.
// Easy to get wrong: the hardware pushes the last five fields (and the
// error code for some vectors); entry.S pushes the rest in reverse order.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct regstate {
    uint64_t reg_rax, reg_rcx, reg_rdx, reg_rbx, reg_rbp, reg_rsi, reg_rdi;
    uint64_t reg_r8, reg_r9, reg_r10, reg_r11, reg_r12, reg_r13, reg_r14, reg_r15;
    uint64_t reg_intno;         // vector (exceptions/interrupts) or -1 (syscall)
    uint64_t reg_errcode;       // hardware error code or 0
    // Hardware interrupt frame.
    uint64_t reg_rip, reg_cs, reg_rflags, reg_rsp, reg_ss;

    bool from_user() const { return (reg_cs & 3) == 3; }
};
