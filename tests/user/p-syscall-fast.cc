// p-syscall-fast.cc — the system-call fast path (sys_getpid, sys_gettid;
// kernel/arch/syscall.S, docs/contexts.md "System-call entry") returns the
// right ids, preserves what the slow path preserves, and loses nothing
// that arrives while it runs with interrupts off.
//
//  1. Ids, checked against values the slow path hands out: the first
//     thread's tid is its pid; each sys_clone'd thread's gettid is what
//     sys_clone returned (all distinct) and its getpid the process's; a
//     forked child's getpid and gettid are what sys_fork returned, also
//     when the fork is made by a thread that is not the first.
//  2. Registers: fast_call (assembly below) loads RBX RBP R12-R15 RDI RSI
//     RDX R8-R10 and the flags CF PF AF ZF SF DF OF with patterns, fills
//     the 128-byte red zone below RSP with a pattern, makes the call, and
//     reports every one of them afterwards: only RAX, RCX and R11 may
//     change, and nothing may be written below the user's RSP. The same
//     check runs on a slow call (sys_ncpu), for comparison. Every third
//     call also sets NT, so the fast path must hand it to the slow path
//     (which returns through iretq) with nothing changed; NT must come
//     back too, unless an activation came in between (a resume clears
//     NT, docs/activations.md).
//  3. A storm of activations (hz=5000) while looping on fast calls: the
//     results stay right, activations keep coming, and some arrive exactly
//     at the instruction after `syscall` (a tick held back while the fast
//     path ran, taken from user mode after sysretq): the handler checks
//     that the slot there holds the call's result and the patterns, and
//     every activation delivered reached the handler exactly once and was
//     resumed.
//  4. A kill still lands: a thread spinning on sys_getpid dies when
//     another thread of its process calls sys_exit.
//! cmdline: hz=5000
#include <atomic>
#include "test-util.hh"
#include "thread-util.hh"
#include "u-activation.hh"

// fast_call(number, in, out): in[0..11] are loaded into RBX RBP R12 R13
// R14 R15 RDI RSI RDX R8 R9 R10, in[12] fills the 16 red-zone words,
// in[13] goes to RFLAGS (popfq); then `syscall` with RAX = number. out[]
// gets those 12 registers as they are after the call (0..11), RAX (12),
// RFLAGS (13) and the 16 red-zone words from RSP-8 down (14..29).
constexpr int reg_count = 12;
constexpr int out_rax = 12, out_rflags = 13, out_red = 14, red_words = 16;
// CF PF AF ZF SF DF OF, and NT: a call made with NT set must leave the
// fast path for the slow one (which returns through iretq) with nothing
// changed, and still return the right id.
constexpr uint64_t flag_bits = 0x4CD5;
constexpr uint64_t flag_nt = 0x4000;

extern "C" {
void fast_call(uint64_t number, const uint64_t* in, uint64_t* out);
extern const char fast_call_after_syscall[];
}
asm(R"(
    .text
    .globl fast_call
fast_call:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rdx                      # out
    movq %rsi, %r11                 # in (R11 is the call's anyway)
    pushq 104(%r11)
    popfq                           # flags pattern (no flag changes below)
    movq 96(%r11), %rax
    .irp off, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128
    movq %rax, -\off(%rsp)
    .endr
    movq %rdi, %rax                 # the call number
    movq 0(%r11), %rbx
    movq 8(%r11), %rbp
    movq 16(%r11), %r12
    movq 24(%r11), %r13
    movq 32(%r11), %r14
    movq 40(%r11), %r15
    movq 48(%r11), %rdi
    movq 56(%r11), %rsi
    movq 64(%r11), %rdx
    movq 72(%r11), %r8
    movq 80(%r11), %r9
    movq 88(%r11), %r10
    syscall
    .globl fast_call_after_syscall
fast_call_after_syscall:
    movq -8(%rsp), %rcx             # before pushfq writes there
    pushfq
    movq 8(%rsp), %r11              # out
    movq %rbx, 0(%r11)
    movq %rbp, 8(%r11)
    movq %r12, 16(%r11)
    movq %r13, 24(%r11)
    movq %r14, 32(%r11)
    movq %r15, 40(%r11)
    movq %rdi, 48(%r11)
    movq %rsi, 56(%r11)
    movq %rdx, 64(%r11)
    movq %r8, 72(%r11)
    movq %r9, 80(%r11)
    movq %r10, 88(%r11)
    movq %rax, 96(%r11)
    popq %rax
    movq %rax, 104(%r11)            # RFLAGS; RSP is the call's again
    movq %rcx, 112(%r11)
    .set i, 1
    .irp off, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128
    movq -\off(%rsp), %rax
    movq %rax, 112 + 8 * i(%r11)
    .set i, i + 1
    .endr
    pushfq                          # clear DF and NT again
    andq $~0x4400, (%rsp)
    popfq
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret
)");

namespace {

// Patterns for one call: every word different, changing with `seed`; NT
// in every third call if `nt`.
void make_patterns(uint64_t seed, uint64_t (&in)[14], bool nt) {
    for (int k = 0; k < 13; ++k) {
        in[k] = (seed * 0x9E3779B97F4A7C15UL) ^ (uint64_t(k + 1) * 0x0101010101010101UL);
    }
    in[13] = 0x2 | ((seed * 0x5851F42DUL) & flag_bits & ~flag_nt)
        | (nt && seed % 3 == 0 ? flag_nt : 0);
}

// What one fast_call changed besides RAX, RCX and R11: 0 if nothing.
int check_call(uint64_t number, uint64_t seed, uint64_t* rax, const char* what) {
    uint64_t in[14], out[out_red + red_words] = {};
    make_patterns(seed, in, true);
    auto* tc = act_tc_self();
    uint64_t delivered = tc->delivered;
    fast_call(number, in, out);
    uint64_t check_bits = tc->delivered == delivered ? flag_bits : flag_bits & ~flag_nt;
    int bad = 0;
    static const char* const names[reg_count] = {
        "rbx", "rbp", "r12", "r13", "r14", "r15", "rdi", "rsi", "rdx", "r8", "r9", "r10"};
    for (int k = 0; k < reg_count; ++k) {
        if (out[k] != in[k]) {
            printf("%s: %s %#lx after the call, %#lx before\n", what, names[k],
                   (unsigned long) out[k], (unsigned long) in[k]);
            ++bad;
        }
    }
    if ((out[out_rflags] & check_bits) != (in[13] & check_bits)) {
        printf("%s: rflags %#lx after the call, %#lx before\n", what,
               (unsigned long) out[out_rflags], (unsigned long) in[13]);
        ++bad;
    }
    for (int w = 0; w < red_words; ++w) {
        if (out[out_red + w] != in[12]) {
            printf("%s: the word at rsp-%d was written\n", what, 8 * (w + 1));
            ++bad;
        }
    }
    *rax = out[out_rax];
    return bad;
}

void check_registers(const char* who, pid_t pid, pid_t tid) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
        uint64_t rax;
        assert_eq(check_call(SYSCALL_GETPID, seed, &rax, "getpid"), 0);
        assert_eq(rax, uint64_t(pid));
        assert_eq(check_call(SYSCALL_GETTID, seed + 100, &rax, "gettid"), 0);
        assert_eq(rax, uint64_t(tid));
        assert_eq(check_call(SYSCALL_NCPU, seed + 200, &rax, "ncpu"), 0);
        assert_eq(rax, uint64_t(sys_ncpu()));
    }
    (void) who;
}

// ---- 1 and 2: ids in threads and forks, registers everywhere

constexpr int nthreads = 3;
pid_t clone_ids[nthreads];
pid_t seen_pid[nthreads], seen_tid[nthreads];
std::atomic<int> threads_done{0};
std::atomic<int> go{0};

// A fork child checks its ids against what sys_fork told the parent,
// which passes it the expected pid through the exit status.
void fork_and_check(const char* who) {
    pid_t parent = sys_getpid();
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        pid_t me = sys_getpid();
        assert_ne(me, parent);
        assert_eq(sys_gettid(), me);            // a new process's first thread
        check_registers("child", me, me);
        sys_exit(me);                            // the parent compares
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, child);
    (void) who;
}

int id_thread(void* arg) {
    int k = int(uintptr_t(arg));
    wait_for_count(go, 1);                       // clone_ids[k] is written
    seen_pid[k] = sys_getpid();
    seen_tid[k] = sys_gettid();
    check_registers("thread", seen_pid[k], clone_ids[k]);
    if (k == 0) {
        fork_and_check("thread");                // a fork from a non-first thread
    }
    ++threads_done;
    return 0;
}

void ids_and_registers() {
    pid_t pid = sys_getpid();
    assert_gt(pid, 0);
    assert_eq(sys_gettid(), pid);                // the first thread
    check_registers("main", pid, pid);
    for (int k = 0; k < nthreads; ++k) {
        clone_ids[k] = sys_clone(id_thread, reinterpret_cast<void*>(uintptr_t(k)),
                                 thread_stack());
        assert_gt(clone_ids[k], 0);
        assert_ne(clone_ids[k], pid);
        for (int j = 0; j < k; ++j) {
            assert_ne(clone_ids[j], clone_ids[k]);
        }
    }
    go = 1;
    wait_for_count(threads_done, nthreads);
    for (int k = 0; k < nthreads; ++k) {
        assert_eq(seen_pid[k], pid);
        assert_eq(seen_tid[k], clone_ids[k]);
    }
    fork_and_check("main");
    assert_eq(sys_getpid(), pid);
    assert_eq(sys_gettid(), pid);
}

// ---- 3: activations while looping on fast calls

volatile uint64_t storm_in[14];                  // the patterns of the call in flight
volatile uint64_t storm_expect;                  // its result
volatile bool storming = false;                  // activation_entry checks only then
std::atomic<uint64_t> after_fast{0}, bad_slots{0}, handled{0};

void activation_storm() {
    pid_t pid = sys_getpid();
    auto* tc = act_tc_self();
    act_disable();                               // a consistent snapshot
    uint64_t delivered0 = tc->delivered, handled0 = handled;
    act_enable();
    unsigned long give_up = ticks() + 25000;     // 5 s at hz=5000
    uint64_t calls = 0;
    storming = true;
    while (tc->delivered - delivered0 < 300 || after_fast < 10) {
        uint64_t number = calls % 2 ? SYSCALL_GETTID : SYSCALL_GETPID;
        uint64_t in[14], out[out_red + red_words];
        make_patterns(calls + 1000, in, false);     // (NT would not survive a resume)
        for (int k = 0; k < 14; ++k) {
            storm_in[k] = in[k];
        }
        storm_expect = uint64_t(pid);            // the first thread: tid == pid
        fast_call(number, in, out);
        for (int k = 0; k < reg_count; ++k) {
            assert_eq(out[k], in[k]);
        }
        assert_eq(out[out_rax], uint64_t(pid));
        assert_eq(out[out_rflags] & flag_bits, in[13] & flag_bits);
        ++calls;
        if (calls % 64 == 0 && ticks() >= give_up) {
            panic("activations stopped: %lu delivered, %lu right after a fast call",
                  (unsigned long) (tc->delivered - delivered0), (unsigned long) after_fast.load());
        }
    }
    storming = false;
    assert_eq(bad_slots.load(), 0ul);
    // Each delivered activation reached the handler once (none twice, none
    // lost), and each was resumed.
    act_disable();                               // ticks only set `pending` now
    uint64_t handled_n = handled - handled0, delivered_n = tc->delivered - delivered0;
    uint64_t resumed = tc->resumed_exact + tc->resumed_fast, delivered = tc->delivered;
    act_enable();
    assert_eq(handled_n, delivered_n);
    assert_eq(resumed, delivered);
    printf("syscall-fast: %lu calls, %lu activations, %lu right after a fast call\n",
           (unsigned long) calls, (unsigned long) (tc->delivered - delivered0),
           (unsigned long) after_fast.load());
}

// ---- 4: a kill lands on a thread that only makes fast calls

int exiter(void*) {
    sys_msleep(20);
    sys_exit(7);
}

void kill_spinner() {
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        assert_gt(sys_clone(exiter, nullptr, thread_stack()), 0);
        pid_t me = sys_getpid();
        for (;;) {
            assert_eq(sys_getpid(), me);
        }
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 7);
}

}  // namespace

// Every activation: one that interrupted fast_call right after its
// `syscall` must see the call's result in RAX and the patterns intact.
extern "C" __attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    auto* s = static_cast<act_slot*>(slot);
    ++handled;
    if (storming && s->rip == uintptr_t(fast_call_after_syscall)) {
        ++after_fast;
        const uint64_t regs[reg_count] = {s->rbx, s->rbp, s->r12, s->r13, s->r14, s->r15,
                                          s->rdi, s->rsi, s->rdx, s->r8, s->r9, s->r10};
        bool ok = s->rax == storm_expect;
        for (int k = 0; k < reg_count; ++k) {
            ok = ok && regs[k] == storm_in[k];
        }
        if (!ok) {
            ++bad_slots;
        }
    }
    act_resume(slot);
    panic("act_resume failed");
}

void process_main() {
    ids_and_registers();
    activation_storm();
    kill_spinner();
    printf("syscall-fast succeeded!\n");
}
