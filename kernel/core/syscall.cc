// syscall.cc — system-call dispatch and the handlers of the process calls.
//
// The one table, include/abi/syscalls.def, generates the switch below:
// every row must have a handler `syscall_NAME(syscall_context*, args...)`
// with the row's types, or the kernel does not compile. Pointers from user
// space arrive typed but are never dereferenced: handlers pass them to the
// checked copies in uaccess.hh.
// Easy to get wrong: the return path. sysret is only safe when the
// regstate still says what `syscall` put there (RCX = RIP, R11 = RFLAGS,
// user segments, a canonical user RIP); `syscall_handler` decides, and the
// assembly obeys.
#include "abi/errno.hh"
#include "abi/user-memlayout.hh"
#include "abi/syscalls.hh"
#include "activation.hh"
#include "arch/segments.h"
#include "arch/insns.hh"
#include "backtrace.hh"
#include "console.hh"
#include "cpustate.hh"
#include "interrupts.hh"
#include "kalloc.hh"
#include "log.hh"
#include "kaddr.hh"
#include "power.hh"
#include "printf.hh"
#include "process.hh"
#include "timer.hh"
#include "uaccess.hh"
#include "vm.hh"

namespace {

struct syscall_context {
    proc* p;
    regstate* regs;
    bool regs_replaced = false;     // exec, act_resume: no return value
};
using ctx = syscall_context*;

x86_64_pagetable* user_pt(ctx c) {
    return c->p->pagetable_;
}
uintptr_t uva(const void* p) {
    return reinterpret_cast<uintptr_t>(p);
}

// --- processes --------------------------------------------------------------

pid_t syscall_getpid(ctx c) {
    return c->p->id_;
}

void syscall_yield(ctx c) {
    c->p->yield();
}

// Spin for about one timer tick with interrupts enabled.
void syscall_pause(ctx) {
    uint64_t start = ticks;
    sti();
    while (ticks == start) {
        pause();
    }
    cli();
}

void syscall_panic(ctx c, const char* message) {
    char text[160];
    long n = copy_string_from_user(user_pt(c), text, uva(message), sizeof(text));
    const char* shown = n >= 0 || n == E_NAMETOOLONG ? text : "(unreadable message)";
    if (harness_mode()) {
        // The run has failed: stop everything, as a kernel panic does.
        if (!panic_enter()) {
            halt_forever();
        }
        panic_printf("PANIC: process %d (%s): %s\n", c->p->id_, c->p->program_, shown);
        panic_finish();
    }
    kprintf_screen("PANIC: process %d (%s): %s\n", c->p->id_, c->p->program_, shown);
    process_kill(c->p, "called sys_panic", 255);
}

int syscall_page_alloc(ctx c, void* address) {
    return process_page_alloc(c->p, uva(address));
}

pid_t syscall_fork(ctx c) {
    return process_fork(c->p, c->regs);
}

void syscall_exit(ctx c, int status) {
    process_exit(c->p, status);
}

int syscall_msleep(ctx c, unsigned ms) {
    proc* p = c->p;
    p->child_exited_ = false;
    uint64_t deadline = timer_deadline(ms);
    waiter w;
    w.block_until(timer_queue, [&] { return ticks >= deadline || p->child_exited_; });
    return ticks < deadline ? E_INTR : 0;
}

pid_t syscall_getppid(ctx c) {
    spinlock_guard guard(process_lock);
    return c->p->parent_ ? c->p->parent_->id_ : 0;
}

pid_t syscall_waitpid(ctx c, pid_t pid, int* status, int options) {
    if (pid < 0 || (options & ~W_NOHANG)) {
        return E_INVAL;
    }
    // Check the status pointer first: a child must not be reaped into a
    // report that cannot be delivered.
    if (status && !user_range_ok(user_pt(c), uva(status), sizeof(int), true)) {
        return E_FAULT;
    }
    int exit_status = 0;
    pid_t r = process_waitpid(c->p, pid, &exit_status, options);
    if (r > 0 && status) {
        copy_to_user(user_pt(c), uva(status), &exit_status, sizeof(int));
    }
    return r;
}

int syscall_execv(ctx c, const char* program, const char* const* argv, size_t argc) {
    char name[64];
    long n = copy_string_from_user(user_pt(c), name, uva(program), sizeof(name));
    if (n < 0) {
        return n == E_NAMETOOLONG ? E_NOENT : int(n);
    }
    if (argc > size_t(exec_args::max_args)) {
        return E_2BIG;
    }
    static_assert(sizeof(exec_args) <= 3000, "exec_args lives on the kernel stack");
    exec_args args;
    for (size_t i = 0; i < argc; ++i) {
        uintptr_t arg;
        if (copy_from_user(user_pt(c), &arg, uva(argv) + i * sizeof(uintptr_t), sizeof(arg)) < 0) {
            return E_FAULT;
        }
        char text[sizeof(args.strings)];
        long len = copy_string_from_user(user_pt(c), text, arg, sizeof(text));
        if (len < 0) {
            return len == E_NAMETOOLONG ? E_2BIG : int(len);
        }
        if (args.add(text, size_t(len)) < 0) {
            return E_2BIG;
        }
    }
    int r = process_exec(c->p, c->regs, name, args);
    c->regs_replaced = r == 0;
    return r;
}

int syscall_getusage(ctx c, usage* u) {
    usage result = {};
    result.time = ticks;
    result.free_pages = kalloc_free_pages();
    result.allocated_pages = kalloc_allocated_pages();
    return copy_to_user(user_pt(c), uva(u), &result, sizeof(result));
}

// --- console ----------------------------------------------------------------

// Copies a user buffer to the console in chunks; E_FAULT (checked before
// anything is written) for any bad byte.
ssize_t write_user_text(ctx c, const char* buffer, size_t size, bool serial_only) {
    if (size == 0) {
        return 0;
    }
    if (!user_range_ok(user_pt(c), uva(buffer), size, false)) {
        return E_FAULT;
    }
    char chunk[256];
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
        if (copy_from_user(user_pt(c), chunk, uva(buffer) + done, n) < 0) {
            return done ? ssize_t(done) : E_FAULT;
        }
        if (serial_only) {
            console_write_serial(chunk, n);
        } else {
            console_write(chunk, n);
        }
        done += n;
        // The console is slow (an emulated UART takes microseconds a
        // byte) and `size` is the caller's: let pending interrupts in
        // between chunks, so one write cannot stop this CPU's clock and
        // scheduler for seconds (tests/user/p-bigwrite).
        preemption_point();
    }
    return ssize_t(size);
}

ssize_t syscall_read(ctx c, int fd, char* buffer, size_t size) {
    if (fd != 0) {
        return E_BADF;
    }
    if (size == 0) {
        return 0;
    }
    if (!user_range_ok(user_pt(c), uva(buffer), size, true)) {
        return E_FAULT;
    }
    char chunk[256];
    size_t want = size < sizeof(chunk) ? size : sizeof(chunk);
    ssize_t n = console_read_line(chunk, want);
    if (n > 0 && copy_to_user(user_pt(c), uva(buffer), chunk, size_t(n)) < 0) {
        return E_FAULT;
    }
    return n;
}

ssize_t syscall_write(ctx c, int fd, const char* buffer, size_t size) {
    if (fd != 1 && fd != 2) {
        return E_BADF;
    }
    return write_user_text(c, buffer, size, false);
}

ssize_t syscall_serial_write(ctx c, const char* buffer, size_t size) {
    return write_user_text(c, buffer, size, true);
}

int syscall_consoletype(ctx, int type) {
    if (type != CONSOLE_NORMAL && type != CONSOLE_MEMVIEWER) {
        return E_INVAL;
    }
    *pa2kptr<volatile int>(CONSOLE_TYPE_ADDR) = type;
    return 0;
}

// --- not yet implemented: file descriptors, files, threads ------------------
// Each says E_NOSYS until its issue lands (u-lib.hh documents this).

int syscall_close(ctx, int) { return E_NOSYS; }
int syscall_dup2(ctx, int, int) { return E_NOSYS; }
int syscall_pipe(ctx, int*) { return E_NOSYS; }
int syscall_open(ctx, const char*, int) { return E_NOSYS; }
int syscall_unlink(ctx, const char*) { return E_NOSYS; }
int syscall_rename(ctx, const char*, const char*) { return E_NOSYS; }
ssize_t syscall_lseek(ctx, int, off_t, int) { return E_NOSYS; }
int syscall_ftruncate(ctx, int, off_t) { return E_NOSYS; }
int syscall_sync(ctx, int) { return E_NOSYS; }
ssize_t syscall_readdiskfile(ctx, const char*, char*, size_t, off_t) { return E_NOSYS; }
pid_t syscall_clone(ctx, char*) { return E_NOSYS; }

int syscall_act_resume(ctx c, void* slot) {
    int r = activation_resume(c->p, c->regs, uva(slot));
    c->regs_replaced = r == 0;
    return r;
}

// Single-threaded processes: the thread id is the pid, and ending the
// only thread ends the process.
pid_t syscall_gettid(ctx c) {
    return c->p->id_;
}
void syscall_texit(ctx c, int status) {
    process_exit(c->p, status);
}

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
    constexpr uint64_t odd_flags = EFLAGS_TF | EFLAGS_RF | EFLAGS_VM | EFLAGS_NT;
    return r->reg_rip < VA_LOWEND && r->reg_rcx == r->reg_rip
        && r->reg_r11 == r->reg_rflags && !(r->reg_rflags & odd_flags)
        && r->reg_cs == SEGSEL_USER_CODE && r->reg_ss == SEGSEL_USER_DATA;
}

}  // namespace

// called from assembly (kernel/arch/syscall.S), interrupts off, on the
// current task's kernel stack; returns nonzero to leave through iretq
extern "C" uint64_t syscall_handler(regstate* regs) {
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

void return_to_user(proc* p, regstate* regs) {
    // A RIP past the user half can only come from code running off the end
    // of the top page (executable where the CPU lacks NX). iretq to it would
    // fault in ring 0 with the user's GS already loaded: the process dies
    // here instead, as the CPU would kill it for the fetch (#GP).
    if (regs->reg_rip >= VA_LOWEND) {
        char why[80];
        snprintf(why, sizeof(why), "return to rip %p, past the user half",
                 (void*) regs->reg_rip);
        process_kill(p, why, KILLED_STATUS_BASE + INT_GPF);
    }
    activation_return_to_user(p, regs);
}

// A fault in user mode kills the process, never the kernel.
void user_exception(regstate* regs) {
    proc* p = current();
    assert(p->is_user_);
    char why[160];
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
    process_kill(p, why, KILLED_STATUS_BASE + int(v));
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
