// u-thread.cc — preemptive user-level threads on activations (u-thread.hh),
// on one kernel thread or on a pool of them.
//
// Invariants:
//   - kt_current[k] is the thread whose context is in the registers of
//     kernel thread k (k = its activation control block index), or, inside
//     a switch, the thread being switched TO: it changes before `disabled`
//     is cleared, so an activation that interrupts the tail of a restore
//     saves that partial context into the right thread, and resuming it
//     later finishes the restore. Read only with `disabled` set (a thread
//     cannot move to another kernel thread meanwhile).
//   - Thread context never runs with `disabled` set except inside this
//     library's critical sections (act_disable ... act_enable / a switch).
//   - sched_lock guards every shared structure: the run queue, thread
//     states, mutexes, condition variables, joiners, `live`. It is taken
//     only with `disabled` set on the taking kernel thread and released
//     before `disabled` is cleared, so an activation never interrupts its
//     own kernel thread's holder: the handler may take it (it only ever
//     waits for another kernel thread, which is running or will be).
//   - on_kt: 1 while a thread's registers are live on some kernel thread
//     (or being saved). A thread that blocks or yields is queued (under
//     the lock) before its context is saved, so another kernel thread may
//     find it in the run queue first: pickers skip threads with on_kt set
//     (pop_ready) rather than wait for them — two kernel threads each
//     waiting for the thread the other is switching away from would
//     deadlock. The saver clears on_kt once the context and FPU image are
//     complete (act_switch_release, or the handler under the lock); the
//     picker sets it under the lock. Idle threads do not use it.
//   - A thread is in at most one queue (run queue or one waiter queue);
//     `qnext` links it. Idle threads (one per pool kernel thread) are
//     never queued; they belong to their kernel thread.
// Easy to get wrong: this file is general-registers only (runtime flags);
// the interrupted thread's FPU/SSE state is saved with fxsave before
// anything could disturb it, and fxrstor of the next thread's state comes
// last, while still disabled.
#include "u-thread.hh"
#include "u-activation.hh"

enum uthread_state : int {
    UT_FREE = 0, UT_RUNNABLE, UT_RUNNING, UT_BLOCKED, UT_EXITED
};

struct alignas(16) uthread {
    act_context ctx;                    // saved registers while not running
    alignas(16) uint8_t fx[512];        // fxsave area (unless at_call)
    // The thread was switched out at a call (switch_to): ctx holds what a
    // call preserves and only the FPU control state (mxcsr, fcw) was
    // kept, not fx. Clear: ctx and fx are complete (saved by the
    // activation handler, or a new thread's first context).
    bool at_call;
    uint32_t mxcsr;
    uint16_t fcw;
    volatile int state;
    int id;                             // idle threads: -1 - kernel thread index
    uthread* qnext;
    void* (*fn)(void*);
    void* arg;
    void* result;
    uthread* joiner;
    bool stack_mapped;
    volatile uint32_t on_kt;            // registers live on a kernel thread
    volatile uint32_t kt_mask;          // bit k: ran on kernel thread k
};

namespace {

constexpr int NKT = ACT_MAX_THREADS;

uthread threads[UTHREAD_MAX];
uthread idles[NKT];                     // idle thread of pool kernel thread k
uthread* volatile kt_current[NKT];
bool started;
volatile bool pool_started;
int live;                               // threads neither free nor exited
uthread_queue runq;
uint64_t preemptions;
volatile int sched_lk;
int pool_n;                             // pool members (kernel threads)
volatile int pool_kt[NKT];              // member -> control block index, or -1
volatile pid_t pool_tid[NKT];

inline void fxsave(uthread* t) {
    asm volatile("fxsave64 %0" : "=m"(*reinterpret_cast<uint8_t(*)[512]>(t->fx)));
}
inline void fxrstor(uthread* t) {
    asm volatile("fxrstor64 %0" : : "m"(*reinterpret_cast<uint8_t(*)[512]>(t->fx)));
}

// The calling kernel thread's control block index (NKT: it has none).
inline int kt_index() {
    uint64_t self = reinterpret_cast<uint64_t>(act_tc_self());
    uint64_t i = (self - ACT_TC0) / ACT_TC_SIZE;
    return i < uint64_t(NKT) ? int(i) : NKT;
}

// Waits a little, then lets other kernel threads run: the CPU we wait for
// may be time-shared with us (1 CPU, several kernel threads).
inline void relax(unsigned& n) {
    pause();
    if (++n % 128 == 0) {
        sys_yield();                    // disabled: no activation comes from it
    }
}

void sched_lock() {
    unsigned n = 0;
    while (__atomic_exchange_n(&sched_lk, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&sched_lk, __ATOMIC_RELAXED)) {
            relax(n);
        }
    }
}
void sched_unlock() {
    __atomic_store_n(&sched_lk, 0, __ATOMIC_RELEASE);
}


void q_push(uthread_queue* q, uthread* t) {
    t->qnext = nullptr;
    if (q->tail) {
        q->tail->qnext = t;
    } else {
        q->head = t;
    }
    q->tail = t;
}
// Locked. Removes and returns the first thread of the run queue that can
// run now: `self` (the caller, whose registers are live), or a thread
// whose context is complete (on_kt clear) and, if `need_fast`, restorable
// without a slot. Marks it as running on kernel thread k.
uthread* pop_ready(uthread* self, bool need_fast, int k) {
    uthread* prev = nullptr;
    for (uthread* t = runq.head; t; prev = t, t = t->qnext) {
        if (t != self
            && (__atomic_load_n(&t->on_kt, __ATOMIC_ACQUIRE)
                || (need_fast && !t->at_call && !act_context_fast_ok(&t->ctx)))) {
            continue;
        }
        if (prev) {
            prev->qnext = t->qnext;
        } else {
            runq.head = t->qnext;
        }
        if (runq.tail == t) {
            runq.tail = prev;
        }
        t->qnext = nullptr;
        t->state = UT_RUNNING;
        t->on_kt = 1;
        __atomic_fetch_or(&t->kt_mask, 1U << k, __ATOMIC_RELAXED);
        return t;
    }
    return nullptr;
}

uthread* q_pop(uthread_queue* q) {
    uthread* t = q->head;
    if (t) {
        q->head = t->qnext;
        if (!q->head) {
            q->tail = nullptr;
        }
        t->qnext = nullptr;
    }
    return t;
}

// Locked.
void make_runnable(uthread* t) {
    t->state = UT_RUNNABLE;
    q_push(&runq, t);
}

// Disabled. Makes the caller thread 0 on its kernel thread.
void start_library() {
    if (!started) {
        int k = kt_index();
        if (k == NKT) {
            panic("uthread: this kernel thread has no activation control block");
        }
        uthread* main = &threads[0];
        main->state = UT_RUNNING;
        main->id = 0;
        main->on_kt = 1;
        main->kt_mask = 1U << k;
        live = 1;
        kt_current[k] = main;
        asm volatile("" : : : "memory");
        started = true;
    }
}

// Disabled. The thread running on this kernel thread.
inline uthread* self_thread() {
    start_library();
    return kt_current[kt_index()];
}

// Switches kernel thread k from `self` to `next` (taken by pop_ready, or
// k's idle thread, whose context this kernel thread saved itself).
// Disabled, unlocked. Returns, enabled, when `self` runs again (perhaps
// on another kernel thread).
// `self` is at a call, so of its FPU/SSE state only the control state is
// its to keep (System V: MXCSR's control bits and the x87 control word
// are callee-saved; XMM and x87 registers are not, and the x87 stack is
// empty at a call). A `next` switched out the same way needs only its
// control state and callee-saved registers back (act_switch_call); one
// that was preempted needs its whole fxsave image and context.
void switch_to(uthread* self, uthread* next, int k) {
    asm volatile("stmxcsr %0; fnstcw %1" : "=m"(self->mxcsr), "=m"(self->fcw));
    self->at_call = true;
    kt_current[k] = next;
    int r;
    if (next->at_call) {
        asm volatile("ldmxcsr %0; fldcw %1" : : "m"(next->mxcsr), "m"(next->fcw));
        r = act_switch_call(&self->ctx, &next->ctx, &self->on_kt);
    } else {
        fxrstor(next);
        r = act_switch_release(&self->ctx, &next->ctx, &self->on_kt);
    }
    if (r != 0) {
        panic("uthread: act_switch failed: %d", r);
    }
}

// Called disabled and locked, with self's state already set (RUNNABLE and
// queued, BLOCKED in some queue, or EXITED). Unlocks; returns, with
// `disabled` clear, once self runs again.
void schedule(uthread* self) {
    int k = kt_index();
    uthread* next = pop_ready(self, true, k);
    if (next == self) {
        sched_unlock();
        act_enable();
        return;
    }
    if (next) {
        // taken
    } else if (pool_started) {
        next = &idles[k];               // wait in this kernel thread's idle loop
    } else if (!runq.head) {
        panic("uthread: deadlock: thread %d blocks and no thread is runnable", self->id);
    } else {
        // One kernel thread, and only the kernel can restore the head
        // (its stack pointer is not usable), which needs a slot: let the
        // next activation's handler switch to it. Until then this thread
        // idles, enabled; the handler saves this idle loop as our context.
        sched_unlock();
        act_enable();
        while (!(kt_current[k] == self && self->state == UT_RUNNING)) {
            pause();
        }
        return;
    }
    sched_unlock();
    switch_to(self, next, k);
}

[[noreturn]] void thread_start(uthread* t) {
    uthread_exit(t->fn(t->arg));
}

// A pool kernel thread's idle loop (its idle thread, enabled): takes the
// head of the run queue when there is one, else sys_yield — other kernel
// threads (of this process or others) get the CPU, and a pending
// activation is delivered on the way back. It runs a few frames below the
// top of its stack, so its saved context always passes the fast-path
// preconditions (a voluntary switch back to it needs no slot).
[[noreturn]] void idle_loop(int k) {
    uthread* self = &idles[k];
    for (;;) {
        if (__atomic_load_n(&runq.head, __ATOMIC_RELAXED)) {
            act_disable();
            sched_lock();
            if (uthread* next = pop_ready(nullptr, true, k)) {
                sched_unlock();
                switch_to(self, next, k);
                continue;
            }
            sched_unlock();
            act_enable();
        }
        sys_yield();
    }
}

// Entry of the kernel threads uthread_pool_start clones.
int pool_thread_main(void* arg) {
    int m = int(uintptr_t(arg));
    int k = kt_index();
    if (k == NKT) {
        pool_kt[m] = NKT;               // no control block: no activations
        return 0;
    }
    idles[k].id = -1 - k;
    kt_current[k] = &idles[k];
    __atomic_store_n(&pool_kt[m], k, __ATOMIC_RELEASE);
    idle_loop(k);
}

}  // namespace

// The activation handler: on the slot's stack, `disabled` set. It never
// interrupts its own kernel thread's sched_lock holder (the lock is only
// held while disabled), so taking the lock here waits only for others.
extern "C" void activation_entry(void* slotp) {
    int k = kt_index();
    uthread* cur = started && k < NKT ? kt_current[k] : nullptr;
    if (!cur) {
        int r = act_resume(slotp);
        panic("uthread: act_resume(%p) failed: %d", slotp, r);
    }
    auto* saved = reinterpret_cast<const act_context*>(slotp);
    cur->ctx = *saved;
    fxsave(cur);
    cur->at_call = false;
    bool idle = cur->id < 0;
    sched_lock();
    if (!idle && cur->state == UT_RUNNING) {
        make_runnable(cur);
    }
    // cur itself stays eligible (pop_ready's `self`), so it is chosen
    // again when nothing else is ready.
    uthread* next = pop_ready(cur, false, k);
    if (!next || next == cur) {
        // Nothing else to run (cur may be an idle loop or a waiting thread).
        sched_unlock();
        int r = act_resume(slotp);
        panic("uthread: act_resume(%p) failed: %d", slotp, r);
    }
    if (!idle) {
        ++preemptions;
        __atomic_store_n(&cur->on_kt, 0, __ATOMIC_RELEASE);  // context complete
    }
    sched_unlock();
    kt_current[k] = next;
    if (next->at_call) {
        // cur was interrupted anywhere (its x87 stack may be in use): start
        // next from a clean x87 state with its own control words.
        asm volatile("fninit; ldmxcsr %0; fldcw %1" : : "m"(next->mxcsr), "m"(next->fcw));
    } else {
        fxrstor(next);
    }
    int r = act_restore(&next->ctx, slotp);
    panic("uthread: act_restore(thread %d) failed: %d", next->id, r);
}

int uthread_pool_start(int nkthreads) {
    if (nkthreads == 0) {
        nkthreads = min(max(sys_ncpu(), 1), NKT);      // one per CPU
    }
    if (nkthreads < 1 || nkthreads > NKT) {
        return E_INVAL;
    }
    act_disable();
    start_library();
    int k0 = kt_index();
    if (pool_started || kt_current[k0] != &threads[0]) {
        act_enable();
        return E_INVAL;
    }
    // Idle stacks: UTHREAD_IDLE_PAGES per member after the thread stacks.
    uintptr_t tops[NKT];
    for (int m = 0; m < nkthreads; ++m) {
        uintptr_t bottom = UTHREAD_STACK_REGION
            + uintptr_t(UTHREAD_MAX + m) * UTHREAD_STACK_SPACING + PAGESIZE;
        tops[m] = bottom + UTHREAD_IDLE_PAGES * PAGESIZE;
        for (uintptr_t va = bottom; va < tops[m]; va += PAGESIZE) {
            int r = sys_page_alloc(reinterpret_cast<void*>(va));
            if (r < 0) {
                act_enable();
                return r;
            }
        }
        pool_kt[m] = -1;
    }
    // This kernel thread's idle thread starts idle_loop(k0) on member 0's
    // stack the first time it is switched to.
    uthread* idle = &idles[k0];
    idle->id = -1 - k0;
    memset(&idle->ctx, 0, sizeof(idle->ctx));
    *reinterpret_cast<uint64_t*>(tops[0] - 8) = 0;
    idle->ctx.rdi = k0;
    idle->ctx.rsp = tops[0] - 8;
    idle->ctx.rip = reinterpret_cast<uintptr_t>(&idle_loop);
    idle->ctx.rflags = 0x202;
    fxsave(idle);
    idle->at_call = false;
    pool_kt[0] = k0;
    pool_tid[0] = sys_gettid();
    pool_n = 1;
    pool_started = true;
    act_enable();
    for (int m = 1; m < nkthreads; ++m) {
        pid_t tid = sys_clone(pool_thread_main, reinterpret_cast<void*>(uintptr_t(m)),
                              reinterpret_cast<char*>(tops[m]));
        if (tid < 0) {
            return tid;
        }
        pool_tid[m] = tid;
        pool_n = m + 1;
    }
    // Wait until every member knows its control block.
    for (int m = 1; m < nkthreads; ++m) {
        while (__atomic_load_n(&pool_kt[m], __ATOMIC_ACQUIRE) < 0) {
            sys_yield();
        }
        if (pool_kt[m] == NKT) {
            return E_AGAIN;
        }
    }
    return 0;
}

int uthread_pool_size() {
    return pool_started ? pool_n : 1;
}

int uthread_pool_kthread(int m) {
    if (!pool_started) {
        return m == 0 ? kt_index() : -1;
    }
    return m >= 0 && m < pool_n ? pool_kt[m] : -1;
}

pid_t uthread_pool_tid(int m) {
    if (!pool_started) {
        return m == 0 ? sys_gettid() : E_INVAL;
    }
    return m >= 0 && m < pool_n ? pool_tid[m] : E_INVAL;
}

int uthread_kthread() {
    act_disable();
    int k = kt_index();
    act_enable();
    return k;
}

unsigned uthread_kthread_mask(const uthread* t) {
    return t->kt_mask;
}

int uthread_create(uthread** out, void* (*fn)(void*), void* arg) {
    act_disable();
    start_library();
    sched_lock();
    uthread* t = nullptr;
    for (int i = 1; i < UTHREAD_MAX; ++i) {
        if (threads[i].state == UT_FREE) {
            t = &threads[i];
            t->id = i;
            t->state = UT_BLOCKED;      // reserved: not FREE while we map
            break;
        }
    }
    sched_unlock();
    if (!t) {
        act_enable();
        return E_AGAIN;
    }
    // Stack: UTHREAD_STACK_PAGES pages, the page below them never mapped.
    uintptr_t bottom = UTHREAD_STACK_REGION
        + uintptr_t(t->id) * UTHREAD_STACK_SPACING + PAGESIZE;
    uintptr_t top = bottom + UTHREAD_STACK_SIZE;
    if (!t->stack_mapped) {
        for (uintptr_t va = bottom; va < top; va += PAGESIZE) {
            int r = sys_page_alloc(reinterpret_cast<void*>(va));
            if (r < 0) {
                t->state = UT_FREE;
                act_enable();
                return r;
            }
        }
        t->stack_mapped = true;
    }
    // The new thread enters thread_start(t) as if called: RSP ≡ 8 mod 16,
    // a null return address on top of the stack.
    *reinterpret_cast<uint64_t*>(top - 8) = 0;
    memset(&t->ctx, 0, sizeof(t->ctx));
    t->ctx.rdi = reinterpret_cast<uintptr_t>(t);
    t->ctx.rsp = top - 8;
    t->ctx.rip = reinterpret_cast<uintptr_t>(&thread_start);
    t->ctx.rflags = 0x202;
    fxsave(t);                          // inherit the creator's FPU control state
    t->at_call = false;                 // its first context needs rdi
    t->fn = fn;
    t->arg = arg;
    t->result = nullptr;
    t->joiner = nullptr;
    t->on_kt = 0;
    t->kt_mask = 0;
    if (out) {
        *out = t;
    }
    sched_lock();
    ++live;
    make_runnable(t);
    sched_unlock();
    act_enable();
    return 0;
}

void uthread_yield() {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    if (!runq.head) {
        sched_unlock();
        act_enable();
        return;
    }
    make_runnable(self);
    schedule(self);
}

void uthread_exit(void* result) {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    self->result = result;
    self->state = UT_EXITED;
    --live;
    if (self->joiner) {
        make_runnable(self->joiner);
    }
    if (live == 0) {
        sys_exit(0);
    }
    schedule(self);
    panic("uthread: exited thread %d resumed", self->id);
}

int uthread_join(uthread* t, void** result) {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    if (!t || t < &threads[1] || t >= &threads[UTHREAD_MAX] || t == self
        || t->state == UT_FREE || t->joiner) {
        sched_unlock();
        act_enable();
        return E_INVAL;
    }
    if (t->state != UT_EXITED) {
        t->joiner = self;
        self->state = UT_BLOCKED;
        schedule(self);
        act_disable();
        sched_lock();
    }
    if (result) {
        *result = t->result;
    }
    t->joiner = nullptr;
    sched_unlock();
    // t's kernel thread may still be switching away from it, on its stack.
    unsigned n = 0;
    while (__atomic_load_n(&t->on_kt, __ATOMIC_ACQUIRE)) {
        relax(n);
    }
    sched_lock();
    t->state = UT_FREE;                 // its stack stays mapped for reuse
    sched_unlock();
    act_enable();
    return 0;
}

uthread* uthread_self() {
    act_disable();
    uthread* self = self_thread();
    act_enable();
    return self;
}

int uthread_id(const uthread* t) {
    return t->id;
}

uint64_t uthread_preemptions() {
    return preemptions;
}

namespace {
// Gives m to its first waiter, or unlocks it. Locked.
void mutex_release(uthread_mutex* m) {
    if (uthread* w = q_pop(&m->waiters)) {
        m->owner = w;
        make_runnable(w);
    } else {
        m->locked = 0;
        m->owner = nullptr;
    }
}
}  // namespace

void uthread_mutex_lock(uthread_mutex* m) {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    if (!m->locked) {
        m->locked = 1;
        m->owner = self;
        sched_unlock();
        act_enable();
        return;
    }
    if (m->owner == self) {
        panic("uthread: thread %d relocks a mutex it holds", self->id);
    }
    q_push(&m->waiters, self);
    self->state = UT_BLOCKED;
    schedule(self);                     // mutex_release made us the owner
}

bool uthread_mutex_trylock(uthread_mutex* m) {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    bool ok = !m->locked;
    if (ok) {
        m->locked = 1;
        m->owner = self;
    }
    sched_unlock();
    act_enable();
    return ok;
}

void uthread_mutex_unlock(uthread_mutex* m) {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    if (!m->locked || m->owner != self) {
        panic("uthread: thread %d unlocks a mutex it does not hold", self->id);
    }
    mutex_release(m);
    sched_unlock();
    act_enable();
}

void uthread_cond_wait(uthread_cond* c, uthread_mutex* m) {
    act_disable();
    uthread* self = self_thread();
    sched_lock();
    if (!m->locked || m->owner != self) {
        panic("uthread: cond_wait without holding the mutex");
    }
    q_push(&c->waiters, self);
    mutex_release(m);
    self->state = UT_BLOCKED;
    schedule(self);
    uthread_mutex_lock(m);
}

void uthread_cond_signal(uthread_cond* c) {
    act_disable();
    sched_lock();
    if (uthread* w = q_pop(&c->waiters)) {
        make_runnable(w);
    }
    sched_unlock();
    act_enable();
}

void uthread_cond_broadcast(uthread_cond* c) {
    act_disable();
    sched_lock();
    while (uthread* w = q_pop(&c->waiters)) {
        make_runnable(w);
    }
    sched_unlock();
    act_enable();
}
