// u-thread.hh — preemptive user-level threads on activations.
//
// Many user threads share one kernel thread, or a pool of them (below). The timer
// activation handler (the strong activation_entry in user/u-thread.cc,
// linked in whenever a program uses this library) saves the interrupted
// thread's full context from the slot, and resumes the next runnable
// thread; so threads that never yield still share the CPU. Everything
// happens in user space; the kernel only delivers ticks.
//
// API (all calls from thread context, never from an activation handler):
//   int uthread_create(uthread** out, void* (*fn)(void*), void* arg)
//       Starts fn(arg) in a new thread (runnable at once, run after the
//       caller at the next switch). Its stack has UTHREAD_STACK_SIZE
//       bytes from sys_page_alloc, with an unmapped guard page below.
//       The first call makes the caller thread 0 (the main thread).
//       Returns 0, E_AGAIN (UTHREAD_MAX threads live or unjoined), or
//       sys_page_alloc's error. *out may be null.
//   void uthread_yield()          gives the CPU to the next runnable thread.
//   [[noreturn]] void uthread_exit(void* result)
//       Ends the calling thread (returning from fn does the same). The
//       last thread to exit ends the process with sys_exit(0). Returning
//       from process_main still ends the whole process, as usual.
//   int uthread_join(uthread* t, void** result)
//       Waits for t to exit, stores its result, and frees t (t is invalid
//       afterwards). E_INVAL for oneself, the main thread, a freed thread
//       or one someone else already joins.
//   uthread* uthread_self(); int uthread_id(uthread*) (main thread: 0)
//   Mutex: uthread_mutex m = {}; uthread_mutex_lock / _unlock / _trylock.
//       FIFO hand-off: unlock gives the mutex to the first waiter. Not
//       recursive (relocking panics).
//   Condition variable: uthread_cond c = {}; uthread_cond_wait(&c, &m)
//       (m held; released while waiting; held again on return; spurious
//       wake-ups possible in principle, so wait in a loop);
//       uthread_cond_signal / uthread_cond_broadcast.
//   uint64_t uthread_preemptions()  thread switches made by the handlers.
//
// Pool of kernel threads (docs/activations.md, "User threads on several
// kernel threads"):
//   int uthread_pool_start(int n = 0)
//       Runs the library's threads on n kernel threads: the caller's and
//       n - 1 more from sys_clone, each with its own activations and an
//       idle loop that takes threads from the shared run queue. n = 0 (the
//       default) means one per CPU: sys_ncpu(), at most ACT_MAX_THREADS.
//       Call once, from the main thread, before or after creating threads.
//       Without it everything runs on the caller's kernel thread, as a
//       pool of 1. Returns 0; E_INVAL (n outside [0, ACT_MAX_THREADS], or
//       called twice or from another thread); sys_page_alloc's or sys_clone's
//       error (the members started so far stay); E_AGAIN if a member got
//       no activation control block (more than ACT_MAX_THREADS kernel
//       threads in the process).
//       With a pool, threads that all block forever (a deadlock) leave
//       the kernel threads idling instead of panicking as with one.
//   int uthread_pool_size()            members (1 without a pool).
//   int uthread_pool_kthread(int m)    member m's control block index
//                                      (act_header threads[]), or -1.
//   pid_t uthread_pool_tid(int m)      member m's kernel thread id.
//   int uthread_kthread()              the control block index of the
//                                      kernel thread running the caller now.
//   unsigned uthread_kthread_mask(const uthread* t)
//                                      bit k: t has run on kernel thread k
//                                      (still readable after joining t,
//                                      until the next uthread_create).
//
// FPU/SSE: each thread has its own x87/SSE state, saved with fxsave and
// restored with fxrstor on every switch (the handler itself uses general
// registers only, so the interrupted thread's state is still live in the
// registers when it runs). Threads may use floating point freely.
//
// Scheduling: one FIFO run queue shared by every kernel thread of the
// pool, round robin, one switch per activation on each kernel thread.
// Library state is protected by a spinlock taken only while the taking
// kernel thread's activations are disabled (ticks that arrive meanwhile
// are taken as soon as `disabled` is cleared), so library calls are safe
// against preemption and against the other kernel threads.
//
// Easy to get wrong: a mutex or condition variable must not be used by
// several processes (it is user memory of this process only); a thread
// whose RSP is not a usable stack when preempted (u-activation.hh) is
// resumed by the kernel (sys_act_resume), from an activation only: a
// voluntary switch to it waits for the next tick.
#pragma once
#include "u-lib.hh"

#define UTHREAD_MAX             64
#define UTHREAD_STACK_PAGES     8
#define UTHREAD_STACK_SIZE      (UTHREAD_STACK_PAGES * PAGESIZE)
// Stacks live at [UTHREAD_STACK_REGION, +UTHREAD_MAX * UTHREAD_STACK_SPACING),
// away from the heap programs allocate at round_up(end, PAGESIZE).
#define UTHREAD_STACK_REGION    0x20000000UL
#define UTHREAD_STACK_SPACING   ((UTHREAD_STACK_PAGES + 1) * PAGESIZE)
// A pool member's idle stack: UTHREAD_IDLE_PAGES pages at slot
// UTHREAD_MAX + member of the same region.
#define UTHREAD_IDLE_PAGES      2

struct uthread;

struct uthread_queue {
    uthread* head = nullptr;
    uthread* tail = nullptr;
};

struct uthread_mutex {
    int locked = 0;
    uthread* owner = nullptr;
    uthread_queue waiters;
};

struct uthread_cond {
    uthread_queue waiters;
};

int uthread_create(uthread** out, void* (*fn)(void*), void* arg);
void uthread_yield();
[[noreturn]] void uthread_exit(void* result);
int uthread_join(uthread* t, void** result);
uthread* uthread_self();
int uthread_id(const uthread* t);
uint64_t uthread_preemptions();

int uthread_pool_start(int nkthreads = 0);
int uthread_pool_size();
int uthread_pool_kthread(int m);
pid_t uthread_pool_tid(int m);
int uthread_kthread();
unsigned uthread_kthread_mask(const uthread* t);

void uthread_mutex_lock(uthread_mutex* m);
bool uthread_mutex_trylock(uthread_mutex* m);
void uthread_mutex_unlock(uthread_mutex* m);

void uthread_cond_wait(uthread_cond* c, uthread_mutex* m);
void uthread_cond_signal(uthread_cond* c);
void uthread_cond_broadcast(uthread_cond* c);
