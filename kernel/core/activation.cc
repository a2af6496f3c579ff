// activation.cc — delivery and exact restore of activations (see
// activation.hh).
#include "activation.hh"
#include "abi/activation.h"
#include "abi/errno.hh"
#include "arch/cpufeatures.hh"
#include "arch/regstate.hh"
#include "arch/segments.h"
#include "cpustate.hh"
#include "kalloc.hh"
#include "kaddr.hh"
#include "proc.hh"
#include "process.hh"
#include "vm.hh"

namespace {

// RFLAGS bits a user context may set: CF PF AF ZF SF TF DF OF AC ID.
constexpr uint64_t user_flag_bits = EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF
    | EFLAGS_SF | EFLAGS_TF | EFLAGS_DF | EFLAGS_OF | EFLAGS_AC | EFLAGS_ID;
constexpr uint64_t reserved_flag_bit = 0x2;
// Bounds on the slot search: every word once, a few CAS attempts each.
constexpr int cas_attempts_per_word = 4;

uint64_t segment_perm() {
    return PTE_PWU | (cpu_has.nx ? PTE_NX : 0);
}

// LAB act BEGIN: exercise 1, helpers for delivery: claim_slot (a free frame in the busy bitmap), slot_page, save_context
// Claim a free slot frame (1..511) in the hostile bitmap, or return 0.
unsigned claim_slot(act_header* h, unsigned hint) {
    constexpr unsigned words = ACT_NFRAMES / 64;
    for (unsigned k = 0; k < words; ++k) {
        unsigned w = (hint + k) % words;
        uint64_t bits = __atomic_load_n(&h->busy[w], __ATOMIC_RELAXED);
        for (int attempt = 0; attempt < cas_attempts_per_word; ++attempt) {
            uint64_t free = ~bits & (w == 0 ? ~uint64_t(1) : ~uint64_t(0));
            if (!free) {
                break;
            }
            unsigned bit = __builtin_ctzll(free);
            if (__atomic_compare_exchange_n(&h->busy[w], &bits, bits | (uint64_t(1) << bit),
                                            false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
                return w * 64 + bit;
            }
        }
    }
    return 0;
}

// The kernel's pointer to slot `frame`, mapping a fresh page on first use
// (under the process's mm_lock_: other threads share the page table).
act_slot* slot_page(process* p, unsigned frame) {
    uintptr_t va = act_frame_address(frame);
    spinlock_guard guard(p->mm_lock_);
    vmiter it(p->pagetable_, va);
    if (!it.present()) {
        void* page = kalloc_page();
        if (!page) {
            return nullptr;
        }
        if (it.map(kva2pa(page), segment_perm()) < 0) {
            kfree(page);
            return nullptr;
        }
    }
    return it.kptr<act_slot>();
}

void save_context(act_slot* s, const regstate* r) {
    s->rax = r->reg_rax;
    s->rbx = r->reg_rbx;
    s->rcx = r->reg_rcx;
    s->rdx = r->reg_rdx;
    s->rsi = r->reg_rsi;
    s->rdi = r->reg_rdi;
    s->rbp = r->reg_rbp;
    s->r8 = r->reg_r8;
    s->r9 = r->reg_r9;
    s->r10 = r->reg_r10;
    s->r11 = r->reg_r11;
    s->r12 = r->reg_r12;
    s->r13 = r->reg_r13;
    s->r14 = r->reg_r14;
    s->r15 = r->reg_r15;
    s->rsp = r->reg_rsp;
    s->rip = r->reg_rip;
    s->rflags = r->reg_rflags;
}

// LAB act END

// LAB act BEGIN: exercise 2, helpers for the exact restore: release_slot, load_context (only user flags survive)
void release_slot(act_header* h, unsigned frame) {
    __atomic_fetch_and(&h->busy[frame / 64], ~(uint64_t(1) << (frame % 64)), __ATOMIC_RELEASE);
}

void load_context(regstate* r, const act_slot& s) {
    r->reg_rax = s.rax;
    r->reg_rbx = s.rbx;
    r->reg_rcx = s.rcx;
    r->reg_rdx = s.rdx;
    r->reg_rsi = s.rsi;
    r->reg_rdi = s.rdi;
    r->reg_rbp = s.rbp;
    r->reg_r8 = s.r8;
    r->reg_r9 = s.r9;
    r->reg_r10 = s.r10;
    r->reg_r11 = s.r11;
    r->reg_r12 = s.r12;
    r->reg_r13 = s.r13;
    r->reg_r14 = s.r14;
    r->reg_r15 = s.r15;
    r->reg_rsp = s.rsp;
    r->reg_rip = s.rip;
    // Like a signal return: only user flags survive; IF on, IOPL 0.
    r->reg_rflags = (s.rflags & user_flag_bits) | EFLAGS_IF | reserved_flag_bit;
    r->reg_cs = SEGSEL_USER_CODE;
    r->reg_ss = SEGSEL_USER_DATA;
}
// LAB act END

}  // namespace

act_header* activation_header_in(x86_64_pagetable* pt) {
    vmiter it(pt, ACTIVATION_SEGMENT_BASE);
    return it.present() ? it.kptr<act_header>() : nullptr;
}

int activation_setup(x86_64_pagetable* pt, act_header** header) {
    auto* h = static_cast<act_header*>(kalloc_page());
    if (!h) {
        return E_NOMEM;
    }
    h->magic = ACT_MAGIC;
    h->version = ACT_VERSION;
    h->nthreads = 0;                    // the first thread's block: at attach
    h->busy[0] = 1;                     // frame 0 is the header itself
    if (vmiter(pt, ACTIVATION_SEGMENT_BASE).map(kva2pa(h), segment_perm()) < 0) {
        kfree(h);
        return E_NOMEM;
    }
    *header = h;
    return 0;
}

namespace {

uintptr_t block_address(int index) {
    return ACTIVATION_SEGMENT_BASE + (index >= 0 ? ACT_HDR_THREADS + uintptr_t(index) * ACT_TC_SIZE
                                                 : ACT_HDR_SPARE);
}

void publish_nthreads(process* p) {
    if (act_header* h = p->act_header_) {
        uint32_t n = p->act_blocks_ ? 32 - __builtin_clz(p->act_blocks_) : 0;
        __atomic_store_n(&h->nthreads, n, __ATOMIC_RELEASE);
    }
}

}  // namespace

void activation_attach_locked(process* p, proc* t, int want, bool reset) {
    static_assert(ACT_MAX_THREADS <= 32);
    constexpr uint32_t all = ACT_MAX_THREADS == 32 ? ~0U : (1U << ACT_MAX_THREADS) - 1;
    int index = -1;
    if (want >= 0 && want < ACT_MAX_THREADS && !(p->act_blocks_ & (1U << want))) {
        index = want;
    } else if (uint32_t free = ~p->act_blocks_ & all) {
        index = __builtin_ctz(free);
        reset = true;
    }
    t->act_index_ = index;
    t->act_fs_base_ = block_address(index);
    act_header* h = p->act_header_;
    if (!h) {
        return;
    }
    if (index < 0) {
        __atomic_store_n(&h->spare.self, uint64_t(t->act_fs_base_), __ATOMIC_RELAXED);
        return;
    }
    p->act_blocks_ |= 1U << index;
    act_thread_control& tc = h->threads[index];
    if (reset) {
        __atomic_store_n(&tc.disabled, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&tc.pending, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&tc.delivered, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&tc.dropped, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&tc.resumed_exact, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&tc.resumed_fast, 0, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&tc.self, uint64_t(t->act_fs_base_), __ATOMIC_RELAXED);
    publish_nthreads(p);
}

void activation_detach_locked(process* p, proc* t) {
    if (t->act_index_ >= 0) {
        p->act_blocks_ &= ~(1U << t->act_index_);
        publish_nthreads(p);
    }
    t->act_index_ = -1;
}

void activation_load_fs(proc* t) {
    wrmsr(MSR_IA32_FS_BASE, t->act_fs_base_);
}

[[gnu::hot]] void activation_note_tick(proc* t, uint64_t entry_tsc) {
    t->act_tick_ = true;
    t->act_entry_tsc_ = entry_tsc;
}

// LAB act BEGIN: exercise 1, helper for delivery: deliver (claim a slot, save the context there, redirect the return into the entry point)
namespace {

// The delivery itself (activation_return_to_user decided there is one to
// try): out of line, so that the common return to user mode, with nothing
// to deliver, needs no stack frame.
[[gnu::noinline, gnu::hot]] void deliver(proc* t, regstate* regs, act_header* h, int index, bool tick) {
    act_thread_control& tc = h->threads[index];
    if (__atomic_load_n(&tc.disabled, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&tc.pending, 1, __ATOMIC_RELEASE);     // chained: deliver later
        return;
    }
    unsigned frame = claim_slot(h, unsigned(this_cpu()->index_));
    act_slot* slot = frame ? slot_page(t->process_, frame) : nullptr;
    if (!slot) {
        if (frame) {
            release_slot(h, frame);
        }
        ++tc.dropped;
        __atomic_store_n(&tc.pending, 1, __ATOMIC_RELEASE);
        return;
    }
    __atomic_store_n(&tc.pending, 0, __ATOMIC_RELAXED);
    save_context(slot, regs);
    slot->vector = INT_TIMER;
    slot->error_code = 0;
    slot->cr2 = 0;
    ++slot->generation;
    slot->entry_tsc = tick ? t->act_entry_tsc_ : rdtsc();
    __atomic_store_n(&tc.disabled, 1, __ATOMIC_RELEASE);
    ++tc.delivered;

    uintptr_t slot_va = act_frame_address(frame);
    regs->reg_rip = t->process_->act_entry_;
    regs->reg_rsp = slot_va + ACT_FRAME_SIZE;
    regs->reg_rdi = ENTRY_TIMER;
    regs->reg_rsi = slot_va;
    regs->reg_rdx = uint64_t(index);
    regs->reg_rflags = EFLAGS_IF | reserved_flag_bit;
    regs->reg_cs = SEGSEL_USER_CODE;
    regs->reg_ss = SEGSEL_USER_DATA;
    slot->deliver_tsc = rdtsc();
}

}  // namespace
// LAB act END

[[gnu::hot]] void activation_return_to_user(proc* t, regstate* regs) {
    // LAB act BEGIN: exercise 1, on a tick (or a pending activation) save the user context in a free slot and enter the runtime's entry point on the slot's stack
    act_header* h = t->process_->act_header_;
    int index = t->act_index_;
    bool tick = t->act_tick_;
    t->act_tick_ = false;
    if (!h || index < 0) {
        return;                         // no control block: no activations
    }
    if (!tick && !__atomic_load_n(&h->threads[index].pending, __ATOMIC_ACQUIRE)) {
        return;                         // the common case: nothing to deliver
    }
    deliver(t, regs, h, index, tick);
    // LAB act STUB: (void) t;      // until then ticks are never delivered:
    // LAB act STUB: (void) regs;   // the program just runs on
    // LAB act END
}

[[gnu::hot]] int activation_resume(proc* t, regstate* regs, uintptr_t slot_va) {
    // LAB act BEGIN: exercise 2, sys_act_resume: check slot_va, restore the context saved there, free the slot, enable delivery
    process* p = t->process_;
    act_header* h = p->act_header_;
    if (!h || slot_va % ACT_FRAME_SIZE != 0 || slot_va < act_frame_address(1)
        || slot_va >= ACTIVATION_SEGMENT_END) {
        return E_INVAL;
    }
    unsigned frame = unsigned((slot_va - ACTIVATION_SEGMENT_BASE) / ACT_FRAME_SIZE);
    act_slot saved;                     // one copy; the user may keep writing
    {
        spinlock_guard guard(p->mm_lock_);
        vmiter it(p->pagetable_, slot_va);
        if (!it.present()) {
            return E_INVAL;             // never used: nothing to resume
        }
        __builtin_memcpy(&saved, it.kptr<act_slot>(), sizeof(saved));
    }
    if (saved.rip >= VA_LOWEND) {
        return E_INVAL;                 // kernel or non-canonical RIP
    }
    load_context(regs, saved);
    release_slot(h, frame);
    if (t->act_index_ >= 0) {           // the calling thread's own block
        act_thread_control& tc = h->threads[t->act_index_];
        __atomic_store_n(&tc.disabled, 0, __ATOMIC_RELEASE);
        ++tc.resumed_exact;
    }
    // A pending activation is delivered by activation_return_to_user on
    // the way out, with this restored context as the one it saves.
    return 0;
    // LAB act STUB: (void) t;
    // LAB act STUB: (void) regs;
    // LAB act STUB: (void) slot_va;
    // LAB act STUB: return E_NOSYS;
    // LAB act END
}
