// proc.hh — kernel tasks (`proc`) and the context switches between a task
// and its CPU.
//
// A task owns one block of memory: the `proc` at the bottom, its kernel
// stack above it. It is suspended in one of two ways: `yields_` (it called
// `yield`: only callee-saved registers and flags, on its own stack) or
// `regs_` (it was interrupted or entered from user mode: a full regstate).
// Switches go task → CPU (`yield`, `yield_noreturn`) and CPU → task
// (`resume`), never task → task.
// Easy to get wrong: a task runs only on its home CPU (`cpu_index_`), so a
// task that is still finishing `yield` can never be resumed elsewhere;
// wakers on other CPUs enqueue it on its home CPU's run queue.
#pragma once
#include <atomic>
#include "arch/regstate.hh"
#include "abi/types.hh"
#include "arch/insns.hh"
#include "fdtable.hh"
#include "list.hh"
#include "waitqueue.hh"
#include "x86-64.hh"

struct x86_64_pagetable;
struct cpustate;
struct act_header;

enum proc_state : int {
    ps_blank = 0,       // not started
    ps_runnable,        // running or wants to run
    ps_blocked,         // waiting on a wait queue or for a timer
    ps_exited,          // finished; memory not yet reclaimed
};

// What `proc_yield` (kernel/arch/switch.S) pushes, lowest address first.
struct yieldstate {
    uint64_t reg_rflags;
    uint64_t reg_r15, reg_r14, reg_r13, reg_r12, reg_rbp, reg_rbx;
    uint64_t reg_rip;               // return address into the yielder
};

// One struct per kernel task: kernel workers, idle tasks, init and every
// thread of a user process. What the threads of one process share — pid,
// parent, exit status, descriptor table, address space, activation
// segment — is the `process` object (process.hh) that `process_` points
// to; kernel tasks other than init have none. The fields below the THREAD
// line are a user thread's own (docs/threads.md).
struct process;

struct proc {
    // ===== KERNEL TASK ======================================================
    // Read by assembly: keep first, keep in this order.
    regstate* regs_ = nullptr;
    yieldstate* yields_ = nullptr;  // PROC_YIELDS in asm-offsets.cc

    // Thread id of a user thread (one number space with pids: a process's
    // first thread has the pid as its id); 1 for init; 0 for other tasks.
    pid_t id_ = 0;
    std::atomic<int> pstate_ = ps_blank;
    x86_64_pagetable* pagetable_ = nullptr;     // in force while it runs
    int cpu_index_ = 0;             // home CPU: the only one that runs it
    const char* name_ = "task";
    // Set by the CPU after it has left this task for the last time (exited
    // tasks only): from then on its memory may be reclaimed.
    std::atomic<bool> descheduled_ = false;
    list_links runq_links_;         // guarded by home cpustate::runq_lock_

    // ===== THREAD ===========================================================
    // Init and user threads only. Fields marked [P] are guarded by
    // process_lock.
    process* process_ = nullptr;    // the process this thread belongs to
    bool is_user_ = false;          // runs user code (init does not)
    list_links thread_links_;       // [P] on process_->threads_ or ->dead_
    // This thread must end: set (under process_lock) by sys_exit in another
    // thread, by a console kill or by exec; read locklessly on the way to
    // user mode and by every interruptible wait (whose predicates give up).
    std::atomic<bool> kill_requested_ = false;
    // Activations (kernel/core/activation.cc): a tick not yet delivered,
    // the thread's control block in the segment (-1: none; set under
    // process_lock before the thread runs, cleared by the thread itself as
    // it ends), and its user address, loaded into the %fs base whenever
    // this thread runs (the spare block's if it has none).
    bool act_tick_ = false;
    uint64_t act_entry_tsc_ = 0;
    int act_index_ = -1;
    uintptr_t act_fs_base_ = 0;
    alignas(16) uint8_t fpu_[512];  // user FPU/SSE state (fxsave image)

    // ===== KERNEL TASK (end of block) =======================================
    // Last member, just below the kernel stack: a stack that overflows
    // overwrites it first. `schedule` checks it whenever it leaves a task.
    uint64_t stack_canary_ = stack_canary_value;

    static constexpr size_t block_size = 4 * PAGESIZE;     // proc + kernel stack
    static constexpr uint64_t stack_canary_value = 0x5AFE57AC4C0FFEE5;

    // Allocate a task block (nullptr if out of memory); `free` releases it.
    static proc* allocate();
    static void free(proc* p);

    // Prepare a kernel task that will start in `fn(arg)` on CPU `cpu`.
    void init_kernel(int cpu, void (*fn)(void*), void* arg, const char* name);

    // Suspend this (the current) task, run the scheduler, return when resumed.
    void yield();
    // Leave this task for good (it must not be runnable any more).
    [[noreturn]] void yield_noreturn();
    // CPU context only: switch to this task.
    [[noreturn]] void resume();
    // Make a blocked task runnable again and queue it on its home CPU.
    void wake();

    uintptr_t kernel_stack_top() const {
        return reinterpret_cast<uintptr_t>(this) + block_size;
    }
};

static_assert(sizeof(proc) <= PAGESIZE, "proc must leave room for its kernel stack");

// The task running on this CPU; valid in any kernel context. Defined in
// cpustate.hh (it reads cpustate::current_), which the end of this file
// includes.
inline proc* current();

// Start a kernel task on `cpu` (queued there at once). nullptr if out of memory.
proc* spawn_kernel_task(int cpu, void (*fn)(void*), void* arg, const char* name);

#include "cpustate.hh"   // current()
