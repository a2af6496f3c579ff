// buddy.hh — a buddy allocator of physical page frames, as pure bookkeeping.
//
// Blocks are 2^order pages, order 0 (4 KiB) to `buddy_allocator::max_order`
// (10: 4 MiB). Allocation splits a larger free block; freeing merges a block
// with its buddy (the neighbour that differs only in bit `order` of the
// page index) for as long as that buddy is a free block of the same order.
// All state lives in a caller-supplied array with one `buddy_page` per
// page; the allocator never reads or writes the memory it manages, so host
// tests can manage made-up addresses. It takes no locks: callers serialize.
//
// Easy to get wrong: buddies are computed from page indices relative to
// `base_pa`, so a block is aligned to its size relative to `base_pa` (use a
// base of 0 to get physical alignment). And 0 means "no memory", so the page
// at physical address 0 is never handed out even if it is added.
#pragma once
#include <stddef.h>
#include <stdint.h>

constexpr uint64_t buddy_page_size = 4096;

enum class buddy_state : uint8_t {
    absent = 0,         // not managed: a hole, reserved, or never added
    free_head,          // first page of a free block of `order_` pages
    allocated_head,     // first page of an allocated block
    tail,               // inside a block whose head is an earlier page
};

// Per-page metadata, 16 bytes. The buddy owns `state_` and `order_` always,
// and `next_`/`prev_` while the page heads a free block. While a block is
// allocated, its head's `next_`, `prev_` and `owner_*` fields belong to
// whoever allocated it (kalloc keeps its size-class lists there); the buddy
// never reads the `owner_*` fields.
struct buddy_page {
    uint32_t next_;         // free list: page index, or buddy_allocator::none
    uint32_t prev_;
    uint8_t order_;         // heads only
    buddy_state state_;
    uint8_t owner_tag_;
    uint8_t owner_spare_;
    uint16_t owner_count_;
    uint16_t owner_free_;
};
static_assert(sizeof(buddy_page) == 16);

// Results of the calls that can be misused. Never ignore one.
enum class buddy_result : uint8_t {
    ok,
    out_of_range,       // address outside the managed range or unaligned
    not_a_block,        // not the first page of an allocated block
    double_free,        // the first page of a block that is already free
    overlap,            // add_free_range: some page is already managed
};
const char* buddy_result_name(buddy_result r);

class buddy_allocator {
public:
    static constexpr unsigned max_order = 10;
    static constexpr uint32_t none = ~uint32_t(0);

    // Manage [base_pa, base_pa + npages * page size), described by
    // `pages[0..npages)`. Every page starts absent. `base_pa` must be
    // page-aligned and `npages` below 2^32 - 1.
    void init(uint64_t base_pa, buddy_page* pages, size_t npages);

    // Make the whole pages inside [start, end) free. Unaligned ends are
    // trimmed inward; parts outside the managed range are ignored.
    // Returns `overlap` (and adds nothing) if a page in it is not absent.
    [[nodiscard]] buddy_result add_free_range(uint64_t start, uint64_t end);

    // A block of 2^order pages, or 0 if none is free (or order > max_order).
    [[nodiscard]] uint64_t allocate(unsigned order);
    // Free the block that starts at `pa`.
    [[nodiscard]] buddy_result free(uint64_t pa);

    // Metadata of the page containing `pa`, or nullptr if not managed here.
    buddy_page* page_at(uint64_t pa);
    // Order of the allocated block starting at `pa`, or -1 if there is none.
    int allocated_order(uint64_t pa) const;

    size_t free_pages() const { return free_pages_; }
    size_t allocated_pages() const { return allocated_pages_; }
    size_t managed_pages() const { return free_pages_ + allocated_pages_; }
    size_t free_blocks(unsigned order) const;
    uint64_t base_pa() const { return base_pa_; }
    uint64_t end_pa() const { return base_pa_ + npages_ * buddy_page_size; }

    // Walks every page and free list and checks every invariant; returns
    // nullptr if all hold, or what is broken. O(pages): for tests.
    const char* check() const;

private:
    buddy_page* pages_ = nullptr;
    size_t npages_ = 0;
    uint64_t base_pa_ = 0;
    uint32_t free_head_[max_order + 1] = {};
    size_t free_count_[max_order + 1] = {};
    size_t free_pages_ = 0;
    size_t allocated_pages_ = 0;

    uint64_t index_pa(size_t index) const { return base_pa_ + index * buddy_page_size; }
    void push_free(uint32_t index, unsigned order);
    void remove_free(uint32_t index);
    void release(uint32_t index, unsigned order);
};
