// syscall-process.cc — the process system calls: identity, scheduling,
// memory, fork/exit/waitpid, exec, sleep, usage, threads and activations.
//
// Handlers are declared in syscall.hh (generated from syscalls.def) and
// called by the dispatch in syscall.cc with interrupts off on the calling
// process's kernel stack. The work is done in process.cc; these functions
// only copy arguments in and results out through uaccess.hh.
// Easy to get wrong: exec and act_resume replace the saved registers and
// must say so (`regs_replaced`), or the dispatcher overwrites RAX of the
// new context with the return value.
#include "abi/errno.hh"
#include "activation.hh"
#include "arch/insns.hh"
#include "cpustate.hh"
#include "kalloc.hh"
#include "log.hh"
#include "backtrace.hh"
#include "power.hh"
#include "printf.hh"
#include "proc.hh"
#include "process.hh"
#include "syscall.hh"
#include "timer.hh"
#include "uaccess.hh"
#include "vfs.hh"

using ctx = syscall_context*;

pid_t syscall_getpid(ctx c) {
    return c->p->process_->id_;
}

[[gnu::hot]] void syscall_yield(ctx c) {
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
        panic_printf("PANIC: process %d (%s): %s\n", c->p->process_->id_,
                     c->p->process_->program_, shown);
        panic_finish();
    }
    kprintf_screen("PANIC: process %d (%s): %s\n", c->p->process_->id_,
                   c->p->process_->program_, shown);
    process_kill(c->p, "called sys_panic", 255);
}

int syscall_page_alloc(ctx c, void* address) {
    return process_page_alloc(c->p->process_, uva(address));
}

pid_t syscall_fork(ctx c) {
    return process_fork(c->p, c->regs);
}

void syscall_exit(ctx c, int status) {
    process_exit(c->p, status);
}

int syscall_msleep(ctx c, unsigned ms) {
    // LAB proc BEGIN: exercise 4, msleep: sleep on timer_queue until the deadline; E_INTR as soon as a child exits
    proc* t = c->p;
    process* p = t->process_;
    p->child_exited_ = false;
    uint64_t deadline = timer_deadline(ms);
    waiter w;
    w.block_until(timer_queue, [&] {
        return ticks >= deadline || p->child_exited_ || t->kill_requested_;
    });
    return ticks < deadline ? E_INTR : 0;
    // LAB proc STUB: (void) c;
    // LAB proc STUB: (void) ms;
    // LAB proc STUB: return E_NOSYS;
    // LAB proc END
}

pid_t syscall_getppid(ctx c) {
    spinlock_guard guard(process_lock);
    process* p = c->p->process_;
    return p->parent_ ? p->parent_->id_ : 0;
}

pid_t syscall_waitpid(ctx c, pid_t pid, int* status, int options) {
    // LAB proc BEGIN: exercise 2, waitpid: check the arguments and the status pointer before reaping (process_waitpid), then copy the status out
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
    // LAB proc STUB: (void) c;
    // LAB proc STUB: (void) pid;
    // LAB proc STUB: (void) status;
    // LAB proc STUB: (void) options;
    // LAB proc STUB: return E_NOSYS;
    // LAB proc END
}

int syscall_execv(ctx c, const char* program, const char* const* argv, size_t argc) {
    // A path, as for open: any file of the root whose name fits in a
    // directory entry (VFS_NAME_MAX bytes) is a program file.
    char name[VFS_PATH_MAX];
    if (long n = copy_string_from_user(user_pt(c), name, uva(program), sizeof(name)); n < 0) {
        return int(n);
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

// The CPUs that came up at boot (ncpu is fixed before the first process).
int syscall_ncpu(ctx) {
    return ncpu;
}

pid_t syscall_clone(ctx c, char* stack_top) {
    return process_clone(c->p, c->regs, uva(stack_top));
}

[[gnu::hot]] int syscall_act_resume(ctx c, void* slot) {
    int r = activation_resume(c->p, c->regs, uva(slot));
    c->regs_replaced = r == 0;
    return r;
}

// Thread ids share the pids' number space; a process's first thread has
// the pid as its id (docs/threads.md).
pid_t syscall_gettid(ctx c) {
    // LAB threads BEGIN: exercise 3, gettid: the calling thread's id (the pid only for the first thread)
    return c->p->id_;
    // LAB threads STUB: return c->p->process_->id_;     // the pid, whichever thread asks
    // LAB threads END
}

void syscall_texit(ctx c, int status) {
    process_texit(c->p, status);
}
