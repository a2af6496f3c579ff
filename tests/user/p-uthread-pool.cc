// p-uthread-pool.cc — the user-thread library on a pool of kernel threads
// (user/u-thread.hh, uthread_pool_start; docs/activations.md).
//
//  1. A computation split over 32 CPU-bound user threads (an integer hash
//     sum and a floating-point sum per chunk; no thread yields) on a pool
//     of 4 kernel threads gives exactly the sums computed sequentially
//     first; the threads ran on more than one kernel thread; every pool
//     member received activations (its control block's `delivered` grew
//     by 5 or more) and the handlers switched threads (64 or more times).
//     Workers recompute their chunk until that is seen (at most 100
//     rounds, then the checks fail). The floating-point sums check each
//     thread's FPU state across moves between kernel threads.
//  2. Mutex under contention across kernel threads: 12 threads do a slow
//     read-modify-write on a shared counter under the mutex, sometimes
//     yielding inside it; the total is exact.
//  3. Condition variables across kernel threads: a 4-entry bounded buffer
//     between 4 producers and 4 consumers; every item arrives exactly once.
//  4. Join across kernel threads: a chain of 16 threads, each joining its
//     predecessor and returning its result + 1.
// At 1 CPU the four kernel threads share the CPU (the kernel switches
// them); the library must still work (no lost wake-up, no deadlock).
//! ncpu: 1 2 4
//! cmdline: hz=1000
//! timeout: 90
#include "u-activation.hh"
#include "u-lib.hh"
#include "u-thread.hh"

namespace {

constexpr int POOL = 4;
constexpr int NWORK = 32;
constexpr uint64_t CHUNK = 40000;

struct chunk_result {
    uint64_t isum;
    double fsum;
};

chunk_result compute(uint64_t first, uint64_t n) {
    chunk_result r = {0, 0.0};
    for (uint64_t i = first; i < first + n; ++i) {
        uint64_t h = i * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 32;
        r.isum += h;
        r.fsum += double(h & 0xFFFF) * 0.5;
    }
    return r;
}

chunk_result expected[NWORK], got[NWORK];
uint64_t before[POOL], p0;
volatile int mismatches;

// Enough activations seen: every pool member got some since the start,
// and the handlers switched threads a good number of times.
bool enough() {
    auto* hdr = act_header_ptr();
    for (int m = 0; m < POOL; ++m) {
        if (hdr->threads[uthread_pool_kthread(m)].delivered - before[m] < 5) {
            return false;
        }
    }
    return uthread_preemptions() - p0 >= 2 * NWORK;
}

// Computes its chunk, then recomputes it (same answer each time) until
// enough activations have been seen or MAX_ROUNDS have passed; the checks
// in process_main then fail if activations did not arrive.
constexpr int MAX_ROUNDS = 100;
void* worker(void* arg) {
    int w = int(uintptr_t(arg));
    got[w] = compute(uint64_t(w) * CHUNK, CHUNK);
    for (int round = 0; round < MAX_ROUNDS && !enough(); ++round) {
        chunk_result r = compute(uint64_t(w) * CHUNK, CHUNK);
        if (r.isum != got[w].isum || r.fsum != got[w].fsum) {
            mismatches = mismatches + 1;
        }
    }
    return nullptr;
}

uthread_mutex mlock;
volatile uint64_t counter;
constexpr int MTHREADS = 12;
constexpr int MITER = 400;

void* mutex_worker(void*) {
    for (int i = 0; i < MITER; ++i) {
        uthread_mutex_lock(&mlock);
        uint64_t v = counter;
        for (int s = 0; s < 50; ++s) {
            asm volatile("" ::: "memory");
        }
        if (i % 16 == 0) {
            uthread_yield();            // others block on the mutex meanwhile
        }
        counter = v + 1;
        uthread_mutex_unlock(&mlock);
    }
    return nullptr;
}

constexpr int NPROD = 4, NCONS = 4, PER_PROD = 600, BUFN = 4;
uthread_mutex bmutex;
uthread_cond not_full, not_empty;
int buf[BUFN];
int bhead, bcount, produced_done;
unsigned char seen[NPROD * PER_PROD];
int duplicates, consumed;

void* producer(void* arg) {
    int p = int(uintptr_t(arg));
    for (int i = 0; i < PER_PROD; ++i) {
        uthread_mutex_lock(&bmutex);
        while (bcount == BUFN) {
            uthread_cond_wait(&not_full, &bmutex);
        }
        buf[(bhead + bcount) % BUFN] = p * PER_PROD + i;
        ++bcount;
        uthread_cond_signal(&not_empty);
        uthread_mutex_unlock(&bmutex);
    }
    uthread_mutex_lock(&bmutex);
    ++produced_done;
    uthread_cond_broadcast(&not_empty);
    uthread_mutex_unlock(&bmutex);
    return nullptr;
}

void* consumer(void*) {
    uthread_mutex_lock(&bmutex);
    for (;;) {
        while (bcount == 0 && produced_done < NPROD) {
            uthread_cond_wait(&not_empty, &bmutex);
        }
        if (bcount == 0) {
            break;
        }
        int item = buf[bhead];
        bhead = (bhead + 1) % BUFN;
        --bcount;
        if (seen[item]++) {
            ++duplicates;
        }
        ++consumed;
        uthread_cond_signal(&not_full);
    }
    uthread_mutex_unlock(&bmutex);
    return nullptr;
}

constexpr int CHAIN = 16;
uthread* chain[CHAIN];

void* chain_link(void* arg) {
    int i = int(uintptr_t(arg));
    if (i == 0) {
        compute(0, 20000);              // let the others block in join
        return reinterpret_cast<void*>(uintptr_t(0));
    }
    while (!chain[i - 1]) {
        uthread_yield();
    }
    void* r = nullptr;
    assert_eq(uthread_join(chain[i - 1], &r), 0);
    return reinterpret_cast<void*>(uintptr_t(r) + 1);
}

unsigned popcount(unsigned x) {
    unsigned n = 0;
    for (; x; x &= x - 1) {
        ++n;
    }
    return n;
}

}  // namespace

void process_main() {
    for (int w = 0; w < NWORK; ++w) {
        expected[w] = compute(uint64_t(w) * CHUNK, CHUNK);
    }
    assert_eq(uthread_pool_start(POOL), 0);
    assert_eq(uthread_pool_size(), POOL);
    assert_eq(uthread_pool_start(POOL), E_INVAL);   // once only
    auto* hdr = act_header_ptr();
    for (int m = 0; m < POOL; ++m) {
        int k = uthread_pool_kthread(m);
        assert(k >= 0 && k < ACT_MAX_THREADS);
        assert_gt(uthread_pool_tid(m), 0);
        before[m] = hdr->threads[k].delivered;
    }

    // 1. The computation.
    p0 = uthread_preemptions();
    uthread* t[NWORK];
    for (int w = 0; w < NWORK; ++w) {
        assert_eq(uthread_create(&t[w], worker, reinterpret_cast<void*>(uintptr_t(w))), 0);
    }
    unsigned mask = 0;
    for (int w = 0; w < NWORK; ++w) {
        assert_eq(uthread_join(t[w], nullptr), 0);
        mask |= uthread_kthread_mask(t[w]);     // still readable after the join
    }
    for (int w = 0; w < NWORK; ++w) {
        assert_eq(got[w].isum, expected[w].isum);
        assert(got[w].fsum == expected[w].fsum);
    }
    assert_eq(mismatches, 0);
    for (int m = 0; m < POOL; ++m) {
        uint64_t d = hdr->threads[uthread_pool_kthread(m)].delivered - before[m];
        printf("uthread-pool: kernel thread %d (block %d): %lu activations\n",
               uthread_pool_tid(m), uthread_pool_kthread(m), (unsigned long) d);
        assert_ge(d, 5UL);
    }
    printf("uthread-pool: workers ran on %u kernel threads, %lu preemptions\n",
           popcount(mask), (unsigned long) (uthread_preemptions() - p0));
    assert_ge(popcount(mask), 2U);
    assert_ge(uthread_preemptions() - p0, uint64_t(2 * NWORK));

    // 2. Mutex.
    uthread* mt[MTHREADS];
    for (auto*& x : mt) {
        assert_eq(uthread_create(&x, mutex_worker, nullptr), 0);
    }
    mask = 0;
    for (auto* x : mt) {
        assert_eq(uthread_join(x, nullptr), 0);
        mask |= uthread_kthread_mask(x);
    }
    assert_eq(counter, uint64_t(MTHREADS * MITER));
    printf("uthread-pool: mutex counter %lu on %u kernel threads\n",
           (unsigned long) counter, popcount(mask));

    // 3. Condition variables.
    uthread* pc[NPROD + NCONS];
    for (int i = 0; i < NPROD + NCONS; ++i) {
        auto fn = i < NPROD ? producer : consumer;
        assert_eq(uthread_create(&pc[i], fn, reinterpret_cast<void*>(uintptr_t(i))), 0);
    }
    for (auto* x : pc) {
        assert_eq(uthread_join(x, nullptr), 0);
    }
    assert_eq(consumed, NPROD * PER_PROD);
    assert_eq(duplicates, 0);
    for (unsigned char s : seen) {
        assert_eq(s, 1);
    }

    // 4. Join chain.
    for (int i = 0; i < CHAIN; ++i) {
        uthread* c;
        assert_eq(uthread_create(&c, chain_link, reinterpret_cast<void*>(uintptr_t(i))), 0);
        chain[i] = c;
    }
    void* r = nullptr;
    assert_eq(uthread_join(chain[CHAIN - 1], &r), 0);
    assert_eq(uintptr_t(r), uintptr_t(CHAIN - 1));

    printf("uthread-pool succeeded!\n");
}
