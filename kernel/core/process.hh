// process.hh — user processes and their threads: the process table,
// fork, clone, exit, texit, waitpid, exec, and the address spaces they own.
//
// A `process` is what its threads share: pid, parent, exit status,
// program name, a page table of its own that shares the kernel half, a
// descriptor table (fdtable.hh: copied by fork, kept by exec, closed when
// the process exits), the activation segment, and the list of its threads.
// Each thread is a `proc` (kernel task, proc.hh) with `process_` pointing
// here; the first thread's id is the pid (docs/threads.md).
// Locks: `process_lock` guards the table, every parent/child relation,
// each process's thread lists and counts (fields marked [P]); it is taken
// with interrupts off and never held across a yield. A process's
// `mm_lock_` guards changes to its page table and every copy through it
// (uaccess.cc). Their places in the lock order are in docs/contexts.md.
// Easy to get wrong: a thread cannot free its own kernel stack, and the
// page table must not be freed while any thread still runs on it. So an
// ending thread first switches to the kernel page table, then leaves the
// live-thread count; the thread that brings the count to zero frees the
// user memory and makes the process a zombie; every thread block is freed
// by someone else once its CPU has really left it (`descheduled_`): by a
// later clone or texit of the process, or by the parent's waitpid.
#pragma once
#include <atomic>
#include "abi/types.hh"
#include "arch/regstate.hh"
#include "fdtable.hh"
#include "list.hh"
#include "proc.hh"
#include "spinlock.hh"
#include "waitqueue.hh"

struct x86_64_pagetable;
struct act_header;

struct process {
    pid_t id_ = 0;
    process* parent_ = nullptr;     // [P]
    list_links process_links_;      // [P] on the process table
    list<proc, &proc::thread_links_> threads_;  // [P] threads not yet ended
    list<proc, &proc::thread_links_> dead_;     // [P] ended, blocks not freed
    int nthreads_ = 0;              // [P] length of threads_
    // [P] set once: by sys_exit, a fault, a console kill, or the last
    // texit; exit_status_ is final from then on.
    bool exiting_ = false;
    int exit_status_ = 0;           // [P]
    bool zombie_ = false;           // [P] every thread has ended
    std::atomic<bool> child_exited_ = false;    // interrupts msleep
    wait_queue child_wait_;         // woken when a child exits
    wait_queue thread_wait_;        // woken when one of its threads ends
    char program_[32] = "";         // program name, for messages
    fdtable fds_;                   // descriptors (fdtable.hh; its own lock)
    // The address space: owned by the process; every thread runs on it.
    // Mappings change (and user memory is copied) under mm_lock_.
    x86_64_pagetable* pagetable_ = nullptr;
    spinlock mm_lock_;
    // Activations: the segment header (kernel pointer) and where upcalls
    // enter. Change only while the process has one thread (exec, exit).
    act_header* act_header_ = nullptr;
    uintptr_t act_entry_ = 0;
    uint32_t act_blocks_ = 0;       // [P] control blocks in use: bit i = threads[i]
};

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
process* process_lookup(pid_t pid);         // nullptr if none (process_lock held)

// A new process: a copy of the calling thread `t` (only that thread).
pid_t process_fork(proc* t, const regstate* regs);
// A new thread of t's process, starting with `regs` but RAX = 0 and
// RSP = stack_top: its id, E_NOMEM, E_AGAIN (ids), E_FAULT (stack_top
// outside the user half), E_INTR (the process is ending).
pid_t process_clone(proc* t, const regstate* regs, uintptr_t stack_top);
// sys_exit: end every thread of t's process (blocked ones are woken, ones
// running on other CPUs are interrupted), then the process exits once with
// `status` (unless another thread's exit got there first).
[[noreturn]] void process_exit(proc* t, int status);
// sys_texit: end thread t; if it was the last, the process exits with
// `status`.
[[noreturn]] void process_texit(proc* t, int status);
// Kill t's process after a fault of thread t; prints why.
[[noreturn]] void process_kill(proc* t, const char* why, int status);
// Status of a process killed from the console (kernel/debug/procctl.cc): 137, as
// a Unix shell reports a SIGKILL (vector 9 never occurs in 64-bit mode).
constexpr int KILLED_STATUS_CONSOLE = KILLED_STATUS_BASE + 9;
// Ask process `pid` to die with KILLED_STATUS_CONSOLE, wherever it is: it
// dies on its next return to user mode (within a tick if it is running),
// and a process blocked in msleep, waitpid or read is woken to do so.
// 0, E_SRCH (no such process, or it has exited already), E_PERM (init
// and kernel tasks cannot be killed).
int process_request_kill(pid_t pid);
// On the way back to user mode: end this thread here if it was asked to
// (its process is exiting, or execing in another thread).
void process_check_kill(proc* t);
// Calls fn(p, arg) for each entry of the process table, with process_lock
// held (fn must not take it).
void process_for_each(void (*fn)(process* p, void* arg), void* arg);
// Thread t waits for a child of its process. pid 0 = any child. Returns
// the pid reaped, E_AGAIN (W_NOHANG and none ready), E_CHILD, or E_INTR
// (t is being ended).
pid_t process_waitpid(proc* t, pid_t pid, int* status, int options);
// Replace the program of t's process; its other threads end first. On
// success `regs` is set up to enter the new program and 0 is returned; on
// failure the process is unchanged (E_INTR: t is being ended).
int process_exec(proc* t, regstate* regs, const char* program, const exec_args& args);
// Start a new process running `program` as a child of `parent`'s process;
// returns its first thread.
proc* process_spawn(proc* parent, const char* program, const exec_args& args, int* error);

// Map a fresh zeroed page at user address `va` in p's address space:
// 0, E_INVAL, E_NOMEM.
int process_page_alloc(process* p, uintptr_t va);
// The lock uaccess.cc holds while it copies through `pt`: the current
// thread's process's mm_lock_ if `pt` is its page table, else nullptr
// (a page table nobody else uses yet).
spinlock* process_mm_lock_for(x86_64_pagetable* pt);
// Is `va` an address user programs may map pages at?
bool user_address_allocatable(uintptr_t va);
