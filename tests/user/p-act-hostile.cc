// p-act-hostile.cc — the activation segment and sys_act_resume are user
// input: hostile values cannot crash the kernel, cannot raise privilege,
// and cannot disturb another process.
//
//  1. sys_act_resume with addresses that are not slots (null, the header
//     frame, unaligned, below/above the segment, frames 512+, kernel and
//     non-canonical addresses) → E_INVAL.
//  2. In a handler: the slot's saved RIP set to kernel / non-canonical
//     addresses → E_INVAL, and nothing changed (the slot is still busy,
//     `disabled` still set); then the real RIP resumes normally.
//  3. In a handler: saved RFLAGS with IOPL=3, NT, VM, VIF, VIP set and IF
//     clear → the resume succeeds with the flags masked: `pushfq` in the
//     resumed code shows IOPL 0, no NT/VM, IF on; and in a forked child
//     that does the same, `cli` still faults: the kernel kills it with
//     128 + 13.
//  4. A forked scribbler writes random values over the whole header
//     (magic, bitmap, every thread control block), over the slot pages it
//     has used, and calls sys_act_resume with random addresses, while a
//     forked sibling computes and takes activations normally; then the
//     scribbler restores a sane header and sees activations resume. The
//     sibling must finish with the right result.
//! cmdline: hz=2000
//! timeout: 60
#include "u-lib.hh"
#include "u-activation.hh"

#define RFLAGS_IF       0x200UL
#define RFLAGS_IOPL     0x3000UL
#define RFLAGS_NT       0x4000UL
#define RFLAGS_VM       0x20000UL
#define RFLAGS_VIF      0x80000UL
#define RFLAGS_VIP      0x100000UL

enum { MODE_NORMAL = 0, MODE_BADRIP, MODE_FLAGS, MODE_DONE };

namespace {
const uint64_t bad_rips[] = {
    0xFFFFFFFF80000000UL, 0xFFFF800000000000UL, 0x0000800000000000UL,
    0x8000000000000000UL, 0xFFFFFFFFFFFFFFFFUL, 0x00FF000000100000UL,
};
constexpr int NBADRIP = sizeof(bad_rips) / sizeof(bad_rips[0]);
}

extern "C" {
volatile int mode;
volatile uint64_t handled;
volatile int badrip_result[NBADRIP];
volatile int badrip_unchanged;          // 1 if every failure left the state alone
volatile int flags_result = 1;
uint64_t seen_slots[ACT_NFRAMES / 64];  // slot pages this process has been given

__attribute__((target("general-regs-only")))
void activation_entry(void* slotp) {
    auto* slot = static_cast<act_slot*>(slotp);
    unsigned frame = (uintptr_t(slotp) - ACTIVATION_SEGMENT_BASE) / ACT_FRAME_SIZE;
    if (frame < ACT_NFRAMES) {
        seen_slots[frame / 64] |= uint64_t(1) << (frame % 64);
    }
    handled = handled + 1;
    if (mode == MODE_BADRIP) {
        uint64_t rip = slot->rip;
        int unchanged = 1;
        for (int i = 0; i < NBADRIP; ++i) {
            slot->rip = bad_rips[i];
            badrip_result[i] = sys_act_resume(slotp);
            uint64_t word = act_header_ptr()->busy[frame / 64];
            if (!(word & (uint64_t(1) << (frame % 64))) || act_tc0()->disabled != 1) {
                unchanged = 0;
            }
        }
        slot->rip = rip;
        badrip_unchanged = unchanged;
        mode = MODE_DONE;
        int r = sys_act_resume(slotp);
        panic("resume after bad RIPs failed: %d", r);
    } else if (mode == MODE_FLAGS) {
        slot->rflags = (slot->rflags | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_VM
                        | RFLAGS_VIF | RFLAGS_VIP) & ~RFLAGS_IF;
        mode = MODE_DONE;
        flags_result = sys_act_resume(slotp);
        // Only on failure: resume the real flags.
        slot->rflags = 0x202;
        int r = sys_act_resume(slotp);
        panic("resume failed: %d", r);
    }
    int r = act_resume(slotp);
    panic("resume failed: %d", r);
}
}

namespace {

uint64_t rflags_now() {
    uint64_t f;
    asm volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

void wait_mode_done() {
    unsigned long spins = 0;
    while (mode != MODE_DONE) {
        assert_lt(++spins, 4000000000UL);
        pause();
    }
}

void wait_activations(uint64_t n) {
    uint64_t h0 = handled;
    while (handled < h0 + n) {
        pause();
    }
}

uint64_t rand64() {
    return (uint64_t(rand()) << 62) ^ (uint64_t(rand()) << 31) ^ uint64_t(rand());
}

// True if `a` could name a mapped slot frame holding some old context
// (resuming that would be legal and would jump into our past).
bool is_slot_frame(uint64_t a) {
    return a >= ACTIVATION_SEGMENT_BASE + ACT_FRAME_SIZE && a < ACTIVATION_SEGMENT_END
        && (a % ACT_FRAME_SIZE) == 0;
}

void restore_sane_header() {
    auto* h = act_header_ptr();
    h->magic = ACT_MAGIC;
    h->version = ACT_VERSION;
    h->nthreads = 1;
    for (int i = 0; i < ACT_NFRAMES / 64; ++i) {
        __atomic_store_n(&h->busy[i], i == 0 ? 1 : 0, __ATOMIC_SEQ_CST);
    }
    for (int t = 1; t < ACT_MAX_THREADS; ++t) {
        memset(&h->threads[t], 0, sizeof(h->threads[t]));
    }
    auto* tc = act_tc0();
    tc->pending = 0;
    tc->disabled = 0;
}

[[noreturn]] void scribbler() {
    memset(seen_slots, 0, sizeof(seen_slots));
    wait_activations(30);               // get a few slot pages of our own
    auto* h = act_header_ptr();
    auto* words = reinterpret_cast<volatile uint64_t*>(h);
    size_t nwords = sizeof(act_header) / 8;
    for (int round = 0; round < 300; ++round) {
        // Random words over the header (magic, version, bitmap, threads).
        for (int k = 0; k < 40; ++k) {
            words[rand(0, int(nwords) - 1)] = rand64();
        }
        if (round % 3 == 0) {
            // Every bitmap word and thread control word.
            for (size_t w = ACT_HDR_BUSY / 8; w < nwords; ++w) {
                words[w] = rand64();
            }
        }
        // Random bytes over slot pages we know are mapped (none is in use:
        // this is the main code).
        for (unsigned f = 1; f < ACT_NFRAMES; ++f) {
            if ((seen_slots[f / 64] >> (f % 64)) & 1) {
                auto* p = reinterpret_cast<volatile uint64_t*>(act_frame_address(f));
                for (int k = 0; k < 8; ++k) {
                    p[rand(0, ACT_FRAME_SIZE / 8 - 1)] = rand64();
                }
            }
        }
        // Random non-slot addresses.
        for (int k = 0; k < 8; ++k) {
            uint64_t a = rand64();
            if (k & 1) {
                a = ACTIVATION_SEGMENT_BASE + (a & (ACTIVATION_SEGMENT_END
                                                    - ACTIVATION_SEGMENT_BASE - 1));
            }
            if (!is_slot_frame(a)) {
                assert_eq(sys_act_resume(reinterpret_cast<void*>(a)), E_INVAL);
            }
        }
        // Let ticks arrive in this state; system calls too.
        for (int spin = 0; spin < 20000; ++spin) {
            asm volatile("" : : : "memory");
        }
        assert_gt(sys_getpid(), 0);
        if (round % 50 == 0) {
            sys_msleep(2);
        }
    }
    restore_sane_header();
    uint64_t h0 = handled;
    (void) sys_getpid();
    wait_activations(20);
    assert_gt(handled, h0);
    sys_exit(0);
}

[[noreturn]] void sibling() {
    // Honest work with activations all along: a checksum that must come
    // out right, and activations that keep coming.
    uint64_t h0 = handled;
    uint32_t crc = 0;
    for (int round = 0; round < 400; ++round) {
        char buf[256];
        for (int i = 0; i < 256; ++i) {
            buf[i] = char(i * 7 + round);
        }
        crc = crc32c(crc, buf, sizeof(buf));
        for (int spin = 0; spin < 5000; ++spin) {
            asm volatile("" : : : "memory");
        }
    }
    uint32_t again = 0;
    for (int round = 0; round < 400; ++round) {
        char buf[256];
        for (int i = 0; i < 256; ++i) {
            buf[i] = char(i * 7 + round);
        }
        again = crc32c(again, buf, sizeof(buf));
    }
    assert_eq(crc, again);
    wait_activations(20);
    assert_gt(handled, h0);
    assert_eq(act_header_ptr()->magic, (uint64_t) ACT_MAGIC);
    sys_exit(0);
}

}  // namespace

void process_main() {
    assert_eq(act_header_ptr()->magic, (uint64_t) ACT_MAGIC);

    // 1. Not slots.
    const uint64_t not_slots[] = {
        0, 8, 0x100000, ACTIVATION_SEGMENT_BASE, ACTIVATION_SEGMENT_BASE + 8,
        ACTIVATION_SEGMENT_BASE + ACT_FRAME_SIZE + 8,
        ACTIVATION_SEGMENT_BASE + 2 * ACT_FRAME_SIZE + 2048,
        ACTIVATION_SEGMENT_BASE - ACT_FRAME_SIZE,
        ACTIVATION_SEGMENT_END, ACTIVATION_SEGMENT_END + ACT_FRAME_SIZE,
        ACTIVATION_SEGMENT_END - 8,
        ACTIVATION_SEGMENT_BASE + (uint64_t(1) << 32) + ACT_FRAME_SIZE,
        0x0000800000000000UL, 0x8000000000000000UL, 0xFFFF800000000000UL,
        0xFFFFFFFF80000000UL, 0xFFFFFFFFFFFFF000UL, 0xFFFFFFFFFFFFFFFFUL,
        USER_STACK_PAGE,
    };
    for (uint64_t a : not_slots) {
        int r = sys_act_resume(reinterpret_cast<void*>(a));
        if (r != E_INVAL) {
            panic("sys_act_resume(%#lx) returned %d, not E_INVAL", (unsigned long) a, r);
        }
    }
    wait_activations(5);

    // 2. Bad RIPs in a real slot.
    mode = MODE_BADRIP;
    wait_mode_done();
    for (int i = 0; i < NBADRIP; ++i) {
        if (badrip_result[i] != E_INVAL) {
            panic("sys_act_resume with RIP %#lx returned %d, not E_INVAL",
                  (unsigned long) bad_rips[i], badrip_result[i]);
        }
    }
    assert_eq(badrip_unchanged, 1);

    // 3a. Privileged and system flags are masked on the way back.
    mode = MODE_FLAGS;
    wait_mode_done();
    uint64_t f = rflags_now();
    assert_eq(flags_result, 1);         // the resume did not fail
    assert_eq(f & RFLAGS_IOPL, 0u);
    assert_eq(f & (RFLAGS_NT | RFLAGS_VM | RFLAGS_VIF | RFLAGS_VIP), 0u);
    assert_eq(f & RFLAGS_IF, RFLAGS_IF);

    // 3b. ... so `cli` still faults (#GP) in user mode.
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        mode = MODE_FLAGS;
        wait_mode_done();
        asm volatile("cli" : : : "memory");
        console_printf("act-hostile: cli did not fault!\n");
        sys_exit(1);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 128 + 13);

    // 4. A scribbler and an honest sibling at the same time.
    pid_t s = sys_fork();
    assert_ge(s, 0);
    if (s == 0) {
        sibling();
    }
    pid_t x = sys_fork();
    assert_ge(x, 0);
    if (x == 0) {
        scribbler();
    }
    status = -1;
    assert_eq(sys_waitpid(x, &status), x);
    assert_eq(status, 0);
    status = -1;
    assert_eq(sys_waitpid(s, &status), s);
    assert_eq(status, 0);

    // This process's own segment was never touched by them.
    assert_eq(act_header_ptr()->magic, (uint64_t) ACT_MAGIC);
    assert_eq(act_header_ptr()->busy[0], 1u);
    wait_activations(5);
    console_printf("act-hostile succeeded!\n");
}
