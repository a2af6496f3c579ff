// alloc_stress.cc — random kalloc/kfree of mixed sizes never hands out
// overlapping memory, and the free-page count returns exactly.
//
// Every allocation is filled with a pattern unique to it and checked just
// before it is freed, so two live allocations that overlap show up as a
// corrupted pattern. The body is `alloc_stress_worker(seed)`, which only
// checks its own allocations, so several CPUs can run it at once; the
// exact page-count check belongs to the caller. Booted with MEM=6G, the
// allocations include memory above 4 GiB, reached through the direct map.
//! lab: alloc 20
//! expect: ktest alloc_stress: passed
#include "kalloc.hh"
#include "ktest.hh"
#include "log.hh"
#include "kaddr.hh"

namespace {

struct xorshift {
    uint64_t state;
    explicit xorshift(uint64_t seed) : state(seed * 0x9E3779B97F4A7C15 + 1) {}
    uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    uint64_t below(uint64_t n) { return next() % n; }
};

struct allocation {
    uint8_t* ptr;
    size_t size;
    uint64_t tag;
};

// Always inlined: at -Og (OPT=-Og) a call per word, under TCG where every
// return is an indirect jump, made the test several times slower than at -O2.
[[gnu::always_inline]] inline uint64_t pattern_word(uint64_t tag, size_t i) {
    return (tag << 20) ^ (i * 0x9E3779B97F4A7C15);
}

// fill and verify copy the allocation's fields to locals: through the
// reference the compiler must reload them for every word (the stores could
// alias them), which at -Og doubled the cost of these loops, the bulk of
// the test.
void fill(const allocation& a) {
    auto words = reinterpret_cast<uint64_t*>(a.ptr);
    uint8_t* bytes = a.ptr;
    size_t size = a.size;
    uint64_t tag = a.tag;
    for (size_t i = 0; i < size / 8; ++i) {
        words[i] = pattern_word(tag, i);
    }
    for (size_t i = size & ~size_t(7); i < size; ++i) {
        bytes[i] = uint8_t(tag + i);
    }
}

void verify(const allocation& a) {
    auto words = reinterpret_cast<const uint64_t*>(a.ptr);
    const uint8_t* bytes = a.ptr;
    size_t size = a.size;
    uint64_t tag = a.tag;
    for (size_t i = 0; i < size / 8; ++i) {
        assert_eq(words[i], pattern_word(tag, i));
    }
    for (size_t i = size & ~size_t(7); i < size; ++i) {
        assert_eq(bytes[i], uint8_t(tag + i));
    }
}

size_t random_size(xorshift& rng) {
    uint64_t kind = rng.below(100);
    if (kind < 55) {
        return 1 + rng.below(kalloc_small_max);             // size classes
    } else if (kind < 80) {
        return kalloc_small_max + 1 + rng.below(14000);     // 1..4 pages, odd sizes
    } else if (kind < 95) {
        return PAGESIZE * (1 + rng.below(16));              // page multiples
    }
    return PAGESIZE * (1 + rng.below(256));                 // up to 1 MiB
}

void check_alignment(const allocation& a) {
    uint64_t pa = kva2pa(a.ptr);
    if (a.size > kalloc_small_max) {
        assert_eq(pa % PAGESIZE, 0u);
    } else {
        size_t align = 16;
        while (align < a.size) {
            align *= 2;
        }
        assert_eq(pa % align, 0u);
    }
    assert_ge(kalloc_usable_size(a.ptr), a.size);
}

}  // namespace

void alloc_stress_worker(unsigned seed) {
    constexpr size_t nslots = 400;
#ifdef NUTHATCH_SAN
    constexpr unsigned steps = 4000;        // every check of fill/verify costs
#else
    constexpr unsigned steps = 20000;
#endif
    xorshift rng(seed);
    auto slots = static_cast<allocation*>(kalloc_zeroed(nslots * sizeof(allocation)));
    assert(slots, "no memory for the slot table");
    size_t live = 0;
    uint64_t next_tag = uint64_t(seed) << 40;

    for (unsigned step = 0; step < steps; ++step) {
        allocation& a = slots[rng.below(nslots)];
        if (a.ptr) {
            verify(a);
            kfree(a.ptr);
            a.ptr = nullptr;
            --live;
        } else {
            a.size = random_size(rng);
            a.ptr = static_cast<uint8_t*>(kalloc(a.size));
            assert(a.ptr, "kalloc failed with plenty of memory left");
            a.tag = ++next_tag;
            check_alignment(a);
            fill(a);
            ++live;
        }
    }
    // Free what is left in a random order: walk from a random start with a
    // stride coprime to the table size.
    size_t start = rng.below(nslots), stride = 7;
    static_assert(nslots % 7 != 0);
    for (size_t k = 0; k < nslots; ++k) {
        allocation& a = slots[(start + k * stride) % nslots];
        if (a.ptr) {
            verify(a);
            kfree(a.ptr);
            a.ptr = nullptr;
            --live;
        }
    }
    assert_eq(live, 0u);
    kfree(slots);
}

KTEST(alloc_stress) {
    size_t free_before = kalloc_free_pages(), used_before = kalloc_allocated_pages();
    for (unsigned seed = 1; seed <= 3; ++seed) {
        alloc_stress_worker(seed);
        assert_eq(kalloc_free_pages(), free_before);
        assert_eq(kalloc_allocated_pages(), used_before);
        kalloc_check();
    }
    // All CPUs at once: the allocator's lock and per-CPU callers. The
    // worker tasks' own blocks are freed before the count is checked.
    ktest_run_on_cpus([](int cpu, void*) { alloc_stress_worker(100 + cpu); }, nullptr);
    assert_eq(kalloc_free_pages(), free_before);
    assert_eq(kalloc_allocated_pages(), used_before);
    kalloc_check();

    // new/delete go through the same allocator.
    struct node {
        node* next;
        uint64_t payload[5];
    };
    node* head = nullptr;
    for (int i = 0; i < 1000; ++i) {
        node* n = new node{head, {}};
        assert(n);
        head = n;
    }
    auto array = new uint32_t[3000];
    assert(array);
    assert_eq(kva2pa(array) % PAGESIZE, 0u);
    delete[] array;
    while (head) {
        node* next = head->next;
        delete head;
        head = next;
    }
    assert_eq(kalloc_free_pages(), free_before);
    log_printf(log_level::info, "alloc_stress: %lu pages free before and after\n",
               (unsigned long) free_before);
}
