// p-act-kthreads.cc — activations per kernel thread: each kernel thread
// has its own control block in the activation segment, found through %fs
// (act_tc_self); a timer tick that interrupts thread T is delivered to T,
// in T's block, with T's own interrupted registers in the slot (each
// spinning thread keeps a marker naming its block in %r15, and the handler
// checks the slot it was given holds that marker); every delivery through
// a block was handled by the thread owning it. With more kernel threads
// than blocks (16), the extra threads get none (%fs names the spare block)
// and receive no activations; an ended thread's block is reused.
//! ncpu: 2 4
#include <atomic>
#include "thread-util.hh"
#include "u-activation.hh"
#include "u-lib.hh"

extern "C" {
// spin(marker, stop): keeps `marker` in %r15 until *stop != 0.
void act_kspin(uint64_t marker, const volatile int* stop);
extern const char act_kspin_loop[], act_kspin_loop_end[];
}
asm(".text\n"
    ".globl act_kspin\n"
    "act_kspin:\n"
    "    pushq %r15\n"
    "    movq %rdi, %r15\n"
    ".globl act_kspin_loop\n"
    "act_kspin_loop:\n"
    "    pause\n"
    "    cmpl $0, (%rsi)\n"
    "    je act_kspin_loop\n"
    ".globl act_kspin_loop_end\n"
    "act_kspin_loop_end:\n"
    "    popq %r15\n"
    "    ret\n");

namespace {

constexpr uint64_t marker_base = 0xAC7100;

struct block_counts {
    std::atomic<uint64_t> handled;      // handler runs on this block
    std::atomic<uint64_t> in_loop;      // ...that interrupted act_kspin's loop
    std::atomic<uint64_t> wrong;        // ...whose slot held another marker
};
block_counts counts[ACT_MAX_THREADS + 1];   // [ACT_MAX_THREADS]: the spare

act_header* header() {
    return act_header_ptr();
}

int block_index(volatile act_thread_control* tc) {
    auto* h = header();
    if (tc == &h->spare) {
        return ACT_MAX_THREADS;
    }
    return int(tc - &h->threads[0]);
}

}  // namespace

extern "C" __attribute__((target("general-regs-only")))
void activation_entry(void* slot) {
    auto* s = static_cast<act_slot*>(slot);
    int i = block_index(act_tc_self());
    if (i < 0 || i > ACT_MAX_THREADS) {
        panic("activation on a thread whose %%fs names no block");
    }
    ++counts[i].handled;
    if (s->rip >= uintptr_t(act_kspin_loop) && s->rip < uintptr_t(act_kspin_loop_end)) {
        ++counts[i].in_loop;
        if (s->r15 != marker_base + uint64_t(i)) {
            ++counts[i].wrong;
        }
    }
    act_resume(slot);
    panic("act_resume failed");
}

namespace {

volatile int stop = 0;
std::atomic<int> ready{0};
std::atomic<int> done{0};
int index_of[32];

int spinner(void* arg) {
    int k = int(uintptr_t(arg));
    int i = block_index(act_tc_self());
    index_of[k] = i;
    ++ready;
    act_kspin(marker_base + uint64_t(i), &stop);
    ++done;
    return 0;
}

// Spin in the first thread too, until each of `n` blocks saw `target`
// in-loop activations (or ~10 s pass).
void spin_until(const int* blocks, int n, uint64_t target) {
    usage u;
    sys_getusage(&u);
    uint64_t give_up = u.time + 1000;
    for (;;) {
        bool all = true;
        for (int k = 0; k < n; ++k) {
            all = all && counts[blocks[k]].in_loop >= target;
        }
        sys_getusage(&u);
        if (all || u.time > give_up) {
            return;
        }
        for (int j = 0; j < 100000; ++j) {
            asm volatile("pause");
        }
    }
}

}  // namespace

void process_main() {
    auto* h = header();
    assert_eq(block_index(act_tc_self()), 0);      // the first thread: block 0
    assert_eq(h->nthreads, 1u);

    // Two more kernel threads, each with its own block.
    for (int k = 0; k < 2; ++k) {
        assert_gt(sys_clone(spinner, reinterpret_cast<void*>(uintptr_t(k)), thread_stack()), 0);
    }
    wait_for_count(ready, 2);
    assert(index_of[0] > 0 && index_of[1] > 0 && index_of[0] != index_of[1]);
    assert(index_of[0] < ACT_MAX_THREADS && index_of[1] < ACT_MAX_THREADS);
    assert_eq(h->nthreads, uint32_t((index_of[0] > index_of[1] ? index_of[0] : index_of[1]) + 1));
    int blocks[2] = {index_of[0], index_of[1]};
    spin_until(blocks, 2, 10);
    stop = 1;
    wait_for_count(done, 2);
    sys_msleep(20);                     // let them end
    for (int b : blocks) {
        // Every activation delivered through the block was handled by the
        // thread owning it, on its own interrupted context.
        assert_ge(counts[b].in_loop.load(), 10ul);
        assert_eq(counts[b].wrong.load(), 0ul);
        assert_eq(h->threads[b].delivered, counts[b].handled.load());
    }

    // More threads than blocks: 18 more with the first thread make 19.
    stop = 0;
    ready = 0;
    done = 0;
    constexpr int many = 18;
    for (int k = 0; k < many; ++k) {
        assert_gt(sys_clone(spinner, reinterpret_cast<void*>(uintptr_t(k)), thread_stack()), 0);
    }
    wait_for_count(ready, many);
    int spares = 0;
    bool used[ACT_MAX_THREADS] = {true};   // block 0: the first thread
    for (int k = 0; k < many; ++k) {
        if (index_of[k] == ACT_MAX_THREADS) {
            ++spares;
        } else {
            assert(!used[index_of[k]]);
            used[index_of[k]] = true;
        }
    }
    assert_eq(spares, many + 1 - ACT_MAX_THREADS);
    assert_eq(h->nthreads, uint32_t(ACT_MAX_THREADS));
    sys_msleep(100);                    // ticks on every thread
    stop = 1;
    wait_for_count(done, many);
    assert_eq(counts[ACT_MAX_THREADS].handled.load(), 0ul);  // none through the spare
    assert_eq(h->spare.delivered, 0ul);
    sys_msleep(20);

    // Ended threads' blocks are free again.
    stop = 0;
    ready = 0;
    done = 0;
    assert_gt(sys_clone(spinner, nullptr, thread_stack()), 0);
    wait_for_count(ready, 1);
    assert(index_of[0] > 0 && index_of[0] < ACT_MAX_THREADS);
    stop = 1;
    wait_for_count(done, 1);
    printf("act-kthreads: blocks %d and %d: %lu and %lu activations\n", blocks[0], blocks[1],
           (unsigned long) counts[blocks[0]].handled.load(),
           (unsigned long) counts[blocks[1]].handled.load());
    printf("act-kthreads succeeded!\n");
}
