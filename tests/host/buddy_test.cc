// buddy_test.cc — host tests of the buddy allocator core (kernel/core/buddy.cc).
//
// The allocator manages made-up physical addresses here; only its metadata
// array is real memory. Every test checks the allocator's own invariants
// (`check()`) after the interesting steps, and that counts return exactly.
#include <gtest/gtest.h>
#include <algorithm>
#include <map>
#include <random>
#include <vector>
#include "buddy.hh"

namespace {

constexpr uint64_t page = buddy_page_size;
constexpr unsigned max_order = buddy_allocator::max_order;

struct fixture {
    std::vector<buddy_page> pages;
    buddy_allocator buddy;
    fixture(uint64_t base, size_t npages) : pages(npages) {
        buddy.init(base, pages.data(), npages);
    }
};

#define EXPECT_CONSISTENT(b) do {                                       \
        const char* problem_ = (b).check();                             \
        EXPECT_EQ(problem_, nullptr) << problem_;                       \
    } while (0)

TEST(buddy, starts_empty_and_fails) {
    fixture f(0x100000, 64);
    EXPECT_EQ(f.buddy.free_pages(), 0u);
    EXPECT_EQ(f.buddy.allocate(0), 0u);
    EXPECT_CONSISTENT(f.buddy);
}

TEST(buddy, aligned_range_becomes_max_blocks) {
    size_t n = 4 << max_order;
    fixture f(0, n);
    ASSERT_EQ(f.buddy.add_free_range(0, n * page), buddy_result::ok);
    // Page 0 is never handed out, so the first max block is split.
    EXPECT_EQ(f.buddy.free_pages(), n - 1);
    EXPECT_EQ(f.buddy.free_blocks(max_order), 3u);
    for (unsigned o = 0; o < max_order; ++o) {
        EXPECT_EQ(f.buddy.free_blocks(o), 1u) << "order " << o;
    }
    EXPECT_CONSISTENT(f.buddy);
}

TEST(buddy, split_and_coalesce_exactly) {
    uint64_t base = 0x40000000;
    fixture f(base, 1 << max_order);
    ASSERT_EQ(f.buddy.add_free_range(base, base + (page << max_order)), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_blocks(max_order), 1u);

    uint64_t a = f.buddy.allocate(0);
    EXPECT_EQ(a, base);
    // One split at every order: one free block of each smaller order.
    EXPECT_EQ(f.buddy.free_blocks(max_order), 0u);
    for (unsigned o = 0; o < max_order; ++o) {
        EXPECT_EQ(f.buddy.free_blocks(o), 1u) << "order " << o;
    }
    uint64_t b = f.buddy.allocate(0);
    EXPECT_EQ(b, base + page);     // a's buddy
    uint64_t c = f.buddy.allocate(3);
    EXPECT_EQ(c % (8 * page), 0u);
    EXPECT_EQ(f.buddy.allocated_order(c), 3);
    EXPECT_EQ(f.buddy.allocated_pages(), 10u);
    EXPECT_CONSISTENT(f.buddy);

    EXPECT_EQ(f.buddy.free(a), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_blocks(0), 1u);     // a cannot merge: b is in use
    EXPECT_EQ(f.buddy.free(b), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_blocks(0), 0u);
    EXPECT_EQ(f.buddy.free(c), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_blocks(max_order), 1u);
    for (unsigned o = 0; o < max_order; ++o) {
        EXPECT_EQ(f.buddy.free_blocks(o), 0u) << "order " << o;
    }
    EXPECT_EQ(f.buddy.free_pages(), size_t(1) << max_order);
    EXPECT_EQ(f.buddy.allocated_pages(), 0u);
    EXPECT_CONSISTENT(f.buddy);
}

TEST(buddy, order_too_large_fails) {
    fixture f(0x100000, 4 << max_order);
    ASSERT_EQ(f.buddy.add_free_range(0x100000, f.buddy.end_pa()), buddy_result::ok);
    EXPECT_EQ(f.buddy.allocate(max_order + 1), 0u);
    EXPECT_NE(f.buddy.allocate(max_order), 0u);
}

TEST(buddy, ranges_added_separately_merge) {
    size_t n = 2 << max_order;
    uint64_t base = 0x80000000;
    fixture f(base, n);
    uint64_t mid = base + 777 * page;
    ASSERT_EQ(f.buddy.add_free_range(mid, f.buddy.end_pa()), buddy_result::ok);
    ASSERT_EQ(f.buddy.add_free_range(base, mid), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_blocks(max_order), 2u);
    EXPECT_EQ(f.buddy.free_pages(), n);
    EXPECT_CONSISTENT(f.buddy);
}

// Random orders, random free order, several seeds: no two live blocks
// overlap, each is aligned to its size, and the counts return exactly.
TEST(buddy, random_allocate_and_free_returns_counts) {
    for (unsigned seed = 1; seed <= 8; ++seed) {
        std::mt19937 rng(seed);
        uint64_t base = 0x200000;
        size_t n = 3000;                // not a multiple of any large block
        fixture f(base, n);
        ASSERT_EQ(f.buddy.add_free_range(base, f.buddy.end_pa()), buddy_result::ok);
        size_t start_free = f.buddy.free_pages();
        std::map<uint64_t, unsigned> live;  // pa -> order
        for (int step = 0; step < 4000; ++step) {
            bool do_alloc = live.empty() || rng() % 100 < 55;
            if (do_alloc) {
                unsigned order = rng() % 6 == 0 ? rng() % (max_order + 1) : rng() % 3;
                uint64_t pa = f.buddy.allocate(order);
                if (!pa) {
                    continue;
                }
                uint64_t size = page << order;
                ASSERT_EQ((pa - base) % size, 0u);
                ASSERT_LE(pa + size, f.buddy.end_pa());
                auto next = live.lower_bound(pa);
                if (next != live.end()) {
                    ASSERT_LE(pa + size, next->first) << "overlaps a later block";
                }
                if (next != live.begin()) {
                    auto prev = std::prev(next);
                    ASSERT_LE(prev->first + (page << prev->second), pa) << "overlaps an earlier block";
                }
                live[pa] = order;
            } else {
                auto it = live.begin();
                std::advance(it, rng() % live.size());
                ASSERT_EQ(f.buddy.free(it->first), buddy_result::ok);
                live.erase(it);
            }
            if (step % 500 == 0) {
                EXPECT_CONSISTENT(f.buddy);
            }
        }
        std::vector<uint64_t> order_of_free;
        for (auto& [pa, o] : live) {
            order_of_free.push_back(pa);
        }
        std::shuffle(order_of_free.begin(), order_of_free.end(), rng);
        for (uint64_t pa : order_of_free) {
            ASSERT_EQ(f.buddy.free(pa), buddy_result::ok);
        }
        EXPECT_EQ(f.buddy.free_pages(), start_free) << "seed " << seed;
        EXPECT_EQ(f.buddy.allocated_pages(), 0u);
        EXPECT_CONSISTENT(f.buddy);
    }
}

// Ranges with odd alignment and holes between them: no block ever covers
// a page outside the added ranges.
TEST(buddy, holes_and_odd_ranges) {
    uint64_t base = 0x1000;
    size_t n = 2500;
    fixture f(base, n);
    struct range { uint64_t start, end; };
    std::vector<range> added = {
        {0x3123, 0x20000},              // starts mid-page: trimmed to 0x4000
        {0x25000, 0x25FFF},             // less than a page: nothing
        {0x30000, 0x190000},
        {0x190000 + 3 * page, 0x5FF000 + 0x800},   // ends mid-page
        {0x7FF000, 0x10000000},         // past the managed end: clipped
    };
    for (auto r : added) {
        ASSERT_EQ(f.buddy.add_free_range(r.start, r.end), buddy_result::ok);
    }
    auto inside_added = [&](uint64_t pa, uint64_t size) {
        for (auto r : added) {
            uint64_t s = (r.start + page - 1) / page * page, e = r.end / page * page;
            if (pa >= s && pa + size <= e) {
                return true;
            }
        }
        return false;
    };
    size_t expected = (0x20000 - 0x4000) / page + (0x190000 - 0x30000) / page
        + (0x5FF000 - 0x190000 - 3 * page) / page + (f.buddy.end_pa() - 0x7FF000) / page;
    EXPECT_EQ(f.buddy.free_pages(), expected);
    EXPECT_CONSISTENT(f.buddy);

    // Take the largest blocks first, then smaller, until nothing is left.
    std::vector<uint64_t> got;
    for (int order = max_order; order >= 0; --order) {
        while (uint64_t pa = f.buddy.allocate(order)) {
            EXPECT_TRUE(inside_added(pa, page << order))
                << std::hex << pa << " order " << std::dec << order;
            got.push_back(pa);
        }
    }
    EXPECT_EQ(f.buddy.free_pages(), 0u);
    EXPECT_EQ(f.buddy.allocated_pages(), expected);
    for (uint64_t pa : got) {
        ASSERT_EQ(f.buddy.free(pa), buddy_result::ok);
    }
    EXPECT_EQ(f.buddy.free_pages(), expected);
    EXPECT_CONSISTENT(f.buddy);
}

TEST(buddy, exhaustion_fails_then_recovers) {
    uint64_t base = 0x10000000;
    size_t n = 1000;
    fixture f(base, n);
    ASSERT_EQ(f.buddy.add_free_range(base, f.buddy.end_pa()), buddy_result::ok);
    std::vector<uint64_t> got;
    while (uint64_t pa = f.buddy.allocate(2)) {
        got.push_back(pa);
    }
    EXPECT_EQ(got.size(), n / 4);
    EXPECT_EQ(f.buddy.allocate(0), 0u);
    EXPECT_EQ(f.buddy.allocate(max_order), 0u);
    EXPECT_EQ(f.buddy.free_pages(), 0u);
    // Free every other block: order-2 fits again, order-3 still does not.
    for (size_t i = 0; i < got.size(); i += 2) {
        ASSERT_EQ(f.buddy.free(got[i]), buddy_result::ok);
    }
    EXPECT_EQ(f.buddy.allocate(3), 0u);
    uint64_t again = f.buddy.allocate(2);
    EXPECT_NE(again, 0u);
    ASSERT_EQ(f.buddy.free(again), buddy_result::ok);
    for (size_t i = 1; i < got.size(); i += 2) {
        ASSERT_EQ(f.buddy.free(got[i]), buddy_result::ok);
    }
    EXPECT_EQ(f.buddy.free_pages(), n);
    EXPECT_NE(f.buddy.allocate(max_order - 1), 0u);
    EXPECT_CONSISTENT(f.buddy);
}

TEST(buddy, misuse_is_reported) {
    uint64_t base = 0x100000;
    fixture f(base, 512);
    ASSERT_EQ(f.buddy.add_free_range(base + 16 * page, f.buddy.end_pa()), buddy_result::ok);
    uint64_t a = f.buddy.allocate(2);
    uint64_t b = f.buddy.allocate(0);
    ASSERT_NE(a, 0u);
    ASSERT_NE(b, 0u);
    size_t free_before = f.buddy.free_pages();

    EXPECT_EQ(f.buddy.free(a + page), buddy_result::not_a_block);      // a tail
    EXPECT_EQ(f.buddy.free(a + 8), buddy_result::out_of_range);        // unaligned
    EXPECT_EQ(f.buddy.free(base), buddy_result::not_a_block);          // never added
    EXPECT_EQ(f.buddy.free(base - page), buddy_result::out_of_range);
    EXPECT_EQ(f.buddy.free(f.buddy.end_pa()), buddy_result::out_of_range);
    EXPECT_EQ(f.buddy.add_free_range(a, a + page), buddy_result::overlap);
    EXPECT_EQ(f.buddy.free_pages(), free_before);

    EXPECT_EQ(f.buddy.free(b), buddy_result::ok);
    EXPECT_EQ(f.buddy.free(b), buddy_result::double_free);
    EXPECT_EQ(f.buddy.free(a), buddy_result::ok);
    // a merged with its buddy: its head is free or now a tail; either way
    // a second free is refused and nothing changes.
    size_t free_after = f.buddy.free_pages();
    EXPECT_NE(f.buddy.free(a), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_pages(), free_after);
    EXPECT_EQ(f.buddy.allocated_pages(), 0u);
    EXPECT_CONSISTENT(f.buddy);
}

TEST(buddy, page_zero_is_never_handed_out) {
    fixture f(0, 8);
    ASSERT_EQ(f.buddy.add_free_range(0, 8 * page), buddy_result::ok);
    EXPECT_EQ(f.buddy.free_pages(), 7u);
    while (uint64_t pa = f.buddy.allocate(0)) {
        EXPECT_NE(pa, 0u);
    }
    EXPECT_EQ(f.buddy.allocated_pages(), 7u);
}

}  // namespace
