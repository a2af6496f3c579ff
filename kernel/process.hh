// process.hh — user processes: the process table, fork, exit, waitpid,
// exec, and the address spaces they own.
//
// A process is a `proc` (kernel task) with `is_user_` set, a page table of
// its own that shares the kernel half, a descriptor table (fdtable.hh:
// copied by fork, kept by exec, closed by exit), and a parent. Programs are
// loaded from files of the VFS (vfs.hh) by the loader in process.cc. `process_lock`
// guards the table and every parent/child relation; it is taken with
// interrupts off and never held across a yield. Lock order:
// process_lock → wait_queue locks → run-queue locks → kalloc's lock.
// Easy to get wrong: an exiting process cannot free its own kernel stack
// or the page table in force; it switches to the kernel page table, frees
// its user memory, and leaves its proc block to the parent (waitpid), which
// waits until the CPU has really left it (`descheduled_`).
#pragma once
#include "abi/types.hh"
#include "arch/regstate.hh"
#include "spinlock.hh"

struct proc;
struct x86_64_pagetable;

constexpr pid_t PID_INIT = 1;
// Status reported by waitpid for a process the kernel killed for a fault:
// 128 + the exception vector (a page fault gives 142).
constexpr int KILLED_STATUS_BASE = 128;

extern spinlock process_lock;

// Program arguments copied into the kernel, ready to lay out on a new stack.
struct exec_args {
    static constexpr int max_args = 64;
    char strings[2048];
    unsigned used = 0;
    int argc = 0;
    unsigned offsets[max_args];
    // Append one argument; E_2BIG if it does not fit.
    int add(const char* s, size_t len);
};

void process_init();                        // once, before any process
// The calling kernel task becomes init, pid 1: orphans' new parent.
void process_become_init(proc* p);
proc* process_lookup(pid_t pid);            // nullptr if none (process_lock held)

pid_t process_fork(proc* parent, const regstate* regs);
[[noreturn]] void process_exit(proc* p, int status);
// Kill `p` (the current process) after a fault; prints why.
[[noreturn]] void process_kill(proc* p, const char* why, int status);
// pid 0 = any child. Returns the pid reaped, E_AGAIN (W_NOHANG and none
// ready), or E_CHILD.
pid_t process_waitpid(proc* p, pid_t pid, int* status, int options);
// Replace p's program. On success `regs` is set up to enter the new
// program and 0 is returned; on failure p is unchanged.
int process_exec(proc* p, regstate* regs, const char* program, const exec_args& args);
// Start a new process running `program` as a child of `parent`.
proc* process_spawn(proc* parent, const char* program, const exec_args& args, int* error);

// Map a fresh zeroed page at user address `va`: 0, E_INVAL, E_NOMEM.
int process_page_alloc(proc* p, uintptr_t va);
// Is `va` an address user programs may map pages at?
bool user_address_allocatable(uintptr_t va);
