// syscall.cc — system-call entry from assembly and dispatch (the handlers
// live in syscall-process.cc and syscall-file.cc; see syscall.hh).
//
// The one table, include/abi/syscalls.def, generates the switch below:
// every row must have a handler `syscall_NAME(syscall_context*, args...)`
// with the row's types (declared in syscall.hh), or the kernel does not
// compile. Pointers from user space arrive typed but are never
// dereferenced: handlers pass them to the checked copies in uaccess.hh.
// Easy to get wrong: the return path. sysret is only safe when the
// regstate still says what `syscall` put there (RCX = RIP, R11 = RFLAGS,
// user segments, a canonical user RIP); `syscall_handler` decides, and the
// assembly obeys. sys_getpid and sys_gettid reach it only when the fast
// path in syscall.S declines them (a RIP past the user half, odd RFLAGS):
// their handlers below are what that path must agree with.
#include "syscall.hh"
#include "abi/errno.hh"
#include "abi/user-memlayout.hh"
#include "arch/segments.h"
#include "arch/insns.hh"
#include "interrupts.hh"
#include "proc.hh"

x86_64_pagetable* user_pt(syscall_context* c) {
    return c->p->pagetable_;
}

namespace {

using ctx = syscall_context*;

uint64_t dispatch(ctx c, uint64_t number, const uint64_t (&args)[6]) {
    switch (number) {
#define SYSCALL(NAME, name, number, kind, ret, ...) \
    case SYSCALL_##NAME: return syscall_invoke(syscall_##name, c, args);
#include "abi/syscalls.def"
    default:
        return uint64_t(int64_t(E_NOSYS));
    }
}

// May this regstate leave through sysret? See the file comment.
bool sysret_safe(const regstate* r) {
    return r->reg_rip < VA_LOWEND && r->reg_rcx == r->reg_rip
        && r->reg_r11 == r->reg_rflags && !(r->reg_rflags & sysret_odd_flags)
        && r->reg_cs == SEGSEL_USER_CODE && r->reg_ss == SEGSEL_USER_DATA;
}

}  // namespace

// called from assembly (kernel/arch/syscall.S), interrupts off, on the
// current task's kernel stack; returns nonzero to leave through iretq
extern "C" [[gnu::hot]] uint64_t syscall_handler(regstate* regs) {
    syscall_context c{current(), regs};
    assert(c.p->is_user_);
    const uint64_t args[6] = {regs->reg_rdi, regs->reg_rsi, regs->reg_rdx,
                              regs->reg_r10, regs->reg_r8, regs->reg_r9};
    uint64_t result = dispatch(&c, regs->reg_rax, args);
    if (!c.regs_replaced) {
        regs->reg_rax = result;
    }
    cli();
    return_to_user(c.p, regs);
    return !sysret_safe(regs);
}

void syscall_init_cpu() {
    extern char syscall_entry[];
    wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SCE);
    // SYSCALL loads CS = STAR[47:32], SS = +8; SYSRET loads SS = STAR[63:48]
    // + 8 and CS = STAR[63:48] + 16 (see arch/segments.h).
    wrmsr(MSR_IA32_STAR, (uint64_t(SEGSEL_KERNEL_CODE) << 32)
                         | (uint64_t(SEGSEL_USER_DATA - 8) << 48));
    wrmsr(MSR_IA32_LSTAR, reinterpret_cast<uint64_t>(syscall_entry));
    wrmsr(MSR_IA32_FMASK, EFLAGS_IF | EFLAGS_TF | EFLAGS_DF | EFLAGS_AC | EFLAGS_NT);
}
