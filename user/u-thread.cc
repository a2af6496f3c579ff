// u-thread.cc — preemptive user-level threads on activations (u-thread.hh).
//
// Invariants:
//   - `current` is the thread whose context is in the CPU registers (or,
//     inside a switch, the thread being switched TO: `current` changes
//     before `disabled` is cleared, so an activation that interrupts the
//     tail of a restore saves that partial context into the right thread,
//     and resuming it later finishes the restore).
//   - Thread context never runs with `disabled` set except inside this
//     library's critical sections (act_disable ... act_enable / a switch),
//     so when activation_entry runs, no library structure is half-updated.
//   - A thread is in at most one queue (run queue or one waiter queue);
//     `qnext` links it.
//   - Every switch ends the critical section: act_restore clears
//     `disabled` only after RSP is on the next thread's stack.
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
    alignas(16) uint8_t fx[512];        // fxsave area
    volatile int state;
    int id;
    uthread* qnext;
    void* (*fn)(void*);
    void* arg;
    void* result;
    uthread* joiner;
    bool stack_mapped;
};

namespace {

uthread threads[UTHREAD_MAX];
uthread* volatile current;
bool started;
int live;                               // threads neither free nor exited
uthread_queue runq;
uint64_t preemptions;

inline void fxsave(uthread* t) {
    asm volatile("fxsave64 %0" : "=m"(*reinterpret_cast<uint8_t(*)[512]>(t->fx)));
}
inline void fxrstor(uthread* t) {
    asm volatile("fxrstor64 %0" : : "m"(*reinterpret_cast<uint8_t(*)[512]>(t->fx)));
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
void q_push_front(uthread_queue* q, uthread* t) {
    t->qnext = q->head;
    q->head = t;
    if (!q->tail) {
        q->tail = t;
    }
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

void make_runnable(uthread* t) {
    t->state = UT_RUNNABLE;
    q_push(&runq, t);
}

void start_library() {
    if (!started) {
        uthread* main = &threads[0];
        main->state = UT_RUNNING;
        main->id = 0;
        current = main;
        live = 1;
        asm volatile("" : : : "memory");
        started = true;
    }
}

// Called disabled, with current's state already set (RUNNABLE and queued,
// BLOCKED in some queue, or EXITED). Returns, with `disabled` clear, once
// current runs again.
void schedule() {
    uthread* self = current;
    uthread* next = q_pop(&runq);
    if (!next) {
        panic("uthread: deadlock: thread %d blocks and no thread is runnable", self->id);
    }
    if (next == self) {
        self->state = UT_RUNNING;
        act_enable();
        return;
    }
    if (!act_context_fast_ok(&next->ctx)) {
        // Only the kernel can restore `next` (its stack pointer is not
        // usable), and that needs a slot: let the next activation's
        // handler switch to it. Until then this thread idles, enabled;
        // the handler saves this idle loop as our context.
        q_push_front(&runq, next);
        act_enable();
        while (!(current == self && self->state == UT_RUNNING)) {
            pause();
        }
        return;
    }
    fxsave(self);
    current = next;
    next->state = UT_RUNNING;
    fxrstor(next);
    int r = act_switch(&self->ctx, &next->ctx);
    if (r != 0) {
        panic("uthread: act_switch failed: %d", r);
    }
}

[[noreturn]] void thread_start(uthread* t) {
    uthread_exit(t->fn(t->arg));
}

}  // namespace

// The activation handler: on the slot's stack, `disabled` set.
extern "C" void activation_entry(void* slotp) {
    if (!started) {
        int r = act_resume(slotp);
        panic("uthread: act_resume(%p) failed: %d", slotp, r);
    }
    auto* saved = reinterpret_cast<const act_context*>(slotp);
    uthread* cur = current;
    cur->ctx = *saved;
    fxsave(cur);
    if (cur->state == UT_RUNNING) {
        make_runnable(cur);
    }
    uthread* next = q_pop(&runq);
    if (!next || next == cur) {
        // Nothing else to run (cur may be idling in schedule()).
        if (next) {
            cur->state = UT_RUNNING;
        }
        int r = act_resume(slotp);
        panic("uthread: act_resume(%p) failed: %d", slotp, r);
    }
    ++preemptions;
    current = next;
    next->state = UT_RUNNING;
    fxrstor(next);
    int r = act_restore(&next->ctx, slotp);
    panic("uthread: act_restore(thread %d) failed: %d", next->id, r);
}

int uthread_create(uthread** out, void* (*fn)(void*), void* arg) {
    act_disable();
    start_library();
    uthread* t = nullptr;
    for (int i = 1; i < UTHREAD_MAX; ++i) {
        if (threads[i].state == UT_FREE) {
            t = &threads[i];
            t->id = i;
            break;
        }
    }
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
    t->fn = fn;
    t->arg = arg;
    t->result = nullptr;
    t->joiner = nullptr;
    ++live;
    make_runnable(t);
    if (out) {
        *out = t;
    }
    act_enable();
    return 0;
}

void uthread_yield() {
    act_disable();
    if (!started || !runq.head) {
        act_enable();
        return;
    }
    make_runnable(current);
    schedule();
}

void uthread_exit(void* result) {
    act_disable();
    start_library();
    uthread* self = current;
    self->result = result;
    self->state = UT_EXITED;
    --live;
    if (self->joiner) {
        make_runnable(self->joiner);
    }
    if (live == 0) {
        sys_exit(0);
    }
    schedule();
    panic("uthread: exited thread %d resumed", self->id);
}

int uthread_join(uthread* t, void** result) {
    act_disable();
    start_library();
    uthread* self = current;
    if (!t || t < &threads[1] || t >= &threads[UTHREAD_MAX] || t == self
        || t->state == UT_FREE || t->joiner) {
        act_enable();
        return E_INVAL;
    }
    if (t->state != UT_EXITED) {
        t->joiner = self;
        self->state = UT_BLOCKED;
        schedule();
        act_disable();
    }
    if (result) {
        *result = t->result;
    }
    t->joiner = nullptr;
    t->state = UT_FREE;                 // its stack stays mapped for reuse
    act_enable();
    return 0;
}

uthread* uthread_self() {
    act_disable();
    start_library();
    uthread* self = current;
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
// Gives m to its first waiter, or unlocks it. Disabled.
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
    start_library();
    uthread* self = current;
    if (!m->locked) {
        m->locked = 1;
        m->owner = self;
        act_enable();
        return;
    }
    if (m->owner == self) {
        panic("uthread: thread %d relocks a mutex it holds", self->id);
    }
    q_push(&m->waiters, self);
    self->state = UT_BLOCKED;
    schedule();                         // mutex_release made us the owner
}

bool uthread_mutex_trylock(uthread_mutex* m) {
    act_disable();
    start_library();
    bool ok = !m->locked;
    if (ok) {
        m->locked = 1;
        m->owner = current;
    }
    act_enable();
    return ok;
}

void uthread_mutex_unlock(uthread_mutex* m) {
    act_disable();
    start_library();
    if (!m->locked || m->owner != current) {
        panic("uthread: thread %d unlocks a mutex it does not hold", current->id);
    }
    mutex_release(m);
    act_enable();
}

void uthread_cond_wait(uthread_cond* c, uthread_mutex* m) {
    act_disable();
    start_library();
    uthread* self = current;
    if (!m->locked || m->owner != self) {
        panic("uthread: cond_wait without holding the mutex");
    }
    q_push(&c->waiters, self);
    mutex_release(m);
    self->state = UT_BLOCKED;
    schedule();
    uthread_mutex_lock(m);
}

void uthread_cond_signal(uthread_cond* c) {
    act_disable();
    if (uthread* w = q_pop(&c->waiters)) {
        make_runnable(w);
    }
    act_enable();
}

void uthread_cond_broadcast(uthread_cond* c) {
    act_disable();
    while (uthread* w = q_pop(&c->waiters)) {
        make_runnable(w);
    }
    act_enable();
}
