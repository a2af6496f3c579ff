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
#include "arch/x86.hh"
#include "fdtable.hh"
#include "list.hh"
#include "proc-offsets.h"
#include "waitqueue.hh"
#include "cpustate-offsets.h"
#include "x86-64.hh"

struct x86_64_pagetable;
struct cpustate;
struct act_header;
using pid_t = int;

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

// One struct, two parts, in two marked sections:
//   KERNEL TASK — what every schedulable context has (kernel workers, idle
//     tasks, init and user processes alike): saved context, state, home
//     CPU, page table in force, run-queue links. proc.cc, cpustate.cc and
//     switch.S use only this part.
//   PROCESS — what only a user process (and init, pid 1) has: parent and
//     table links, exit status, program name, descriptor table, activation
//     state, FPU image. process.cc, activation.cc and the system calls use
//     it; a kernel task leaves it at its defaults.
// The two stay in one block (not a separate process object) because a
// process is exactly one task today; when processes get several threads
// (kernel threads issue), the PROCESS part moves out into a shared object.
struct proc {
    // ===== KERNEL TASK ======================================================
    // Read by assembly: keep first, keep in this order.
    regstate* regs_ = nullptr;      // PROC_REGS
    yieldstate* yields_ = nullptr;  // PROC_YIELDS

    pid_t id_ = 0;                  // pid for a process; 0 for other tasks
    std::atomic<int> pstate_ = ps_blank;
    x86_64_pagetable* pagetable_ = nullptr;
    int cpu_index_ = 0;             // home CPU: the only one that runs it
    const char* name_ = "task";
    // Set by the CPU after it has left this task for the last time (exited
    // tasks only): from then on its memory may be reclaimed.
    std::atomic<bool> descheduled_ = false;
    list_links runq_links_;         // guarded by home cpustate::runq_lock_

    // ===== PROCESS ==========================================================
    // User processes only (kernel tasks leave it empty, except init, pid 1).
    // Fields marked [P] are guarded by process_lock.
    bool is_user_ = false;
    proc* parent_ = nullptr;        // [P]
    list_links process_links_;      // [P] on the process table
    int exit_status_ = 0;           // [P] valid once pstate_ == ps_exited
    std::atomic<bool> child_exited_ = false;    // interrupts msleep
    wait_queue child_wait_;         // woken when a child exits
    char program_[32] = "";         // program name, for messages
    fdtable fds_;                   // descriptors (fdtable.hh; its own lock)
    // Activations (kernel/activation.cc): the segment header (kernel
    // pointer), where upcalls enter, and a tick not yet delivered.
    act_header* act_header_ = nullptr;
    uintptr_t act_entry_ = 0;
    bool act_tick_ = false;
    uint64_t act_entry_tsc_ = 0;
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

// The task running on this CPU; valid in any kernel context.
inline proc* current() {
    return reinterpret_cast<proc*>(read_gs_quad<CPUSTATE_CURRENT>());
}

// Start a kernel task on `cpu` (queued there at once). nullptr if out of memory.
proc* spawn_kernel_task(int cpu, void (*fn)(void*), void* arg, const char* name);
