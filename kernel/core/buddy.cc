// buddy.cc — splitting, merging and checking buddy blocks of page frames.
//
// Every operation touches only `pages_[]` and the per-order free lists,
// which are doubly linked through page indices so that a buddy can be taken
// off its list in O(1) when it merges. Easy to get wrong: when two buddies
// merge, the higher one's head must become a tail, or freeing an address in
// the middle of a later allocation would be mistaken for a real block.
#include "buddy.hh"

namespace {
constexpr size_t pages_in(unsigned order) {
    return size_t(1) << order;
}
}  // namespace

const char* buddy_result_name(buddy_result r) {
    switch (r) {
    case buddy_result::ok: return "ok";
    case buddy_result::out_of_range: return "address out of range or unaligned";
    case buddy_result::not_a_block: return "not the start of an allocated block";
    case buddy_result::double_free: return "block is already free";
    case buddy_result::overlap: return "range overlaps managed pages";
    }
    return "unknown buddy result";
}

void buddy_allocator::init(uint64_t base_pa, buddy_page* pages, size_t npages) {
    base_pa_ = base_pa;
    pages_ = pages;
    npages_ = npages < none ? npages : none - 1;
    for (size_t i = 0; i < npages_; ++i) {
        pages_[i] = buddy_page{none, none, 0, buddy_state::absent, 0, 0, 0, 0};
    }
    for (unsigned o = 0; o <= max_order; ++o) {
        free_head_[o] = none;
        free_count_[o] = 0;
    }
    free_pages_ = allocated_pages_ = 0;
}

void buddy_allocator::push_free(uint32_t index, unsigned order) {
    buddy_page& p = pages_[index];
    p.state_ = buddy_state::free_head;
    p.order_ = order;
    p.prev_ = none;
    p.next_ = free_head_[order];
    if (p.next_ != none) {
        pages_[p.next_].prev_ = index;
    }
    free_head_[order] = index;
    ++free_count_[order];
}

void buddy_allocator::remove_free(uint32_t index) {
    buddy_page& p = pages_[index];
    if (p.prev_ != none) {
        pages_[p.prev_].next_ = p.next_;
    } else {
        free_head_[p.order_] = p.next_;
    }
    if (p.next_ != none) {
        pages_[p.next_].prev_ = p.prev_;
    }
    p.next_ = p.prev_ = none;
    --free_count_[p.order_];
}

// Insert the block at `index` (whose other pages are already tails) into
// the free lists, merging upward with free buddies.
void buddy_allocator::release(uint32_t index, unsigned order) {
    free_pages_ += pages_in(order);
    // LAB alloc BEGIN: exercise 1, merge the block with its buddy for as long as the buddy is a free block of the same order
    while (order < max_order) {
        size_t buddy = index ^ pages_in(order);
        if (buddy >= npages_) {
            break;
        }
        buddy_page& b = pages_[buddy];
        if (b.state_ != buddy_state::free_head || b.order_ != order) {
            break;
        }
        remove_free(uint32_t(buddy));
        uint32_t low = index < buddy ? index : uint32_t(buddy);
        uint32_t high = index < buddy ? uint32_t(buddy) : index;
        pages_[high].state_ = buddy_state::tail;
        index = low;
        ++order;
    }
    // LAB alloc END
    push_free(index, order);
}

buddy_result buddy_allocator::add_free_range(uint64_t start, uint64_t end) {
    if (start < base_pa_) {
        start = base_pa_;
    }
    if (end > end_pa()) {
        end = end_pa();
    }
    if (start >= end) {
        return buddy_result::ok;
    }
    size_t first = (start - base_pa_ + buddy_page_size - 1) / buddy_page_size;
    size_t last = (end - base_pa_) / buddy_page_size;   // exclusive
    if (first < last && index_pa(first) == 0) {
        ++first;    // 0 is the failure value, so page 0 is never handed out
    }
    for (size_t i = first; i < last; ++i) {
        if (pages_[i].state_ != buddy_state::absent) {
            return buddy_result::overlap;
        }
    }
    // Carve the range into the largest blocks that are aligned and fit.
    size_t i = first;
    while (i < last) {
        unsigned order = 0;
        while (order < max_order && (i & pages_in(order)) == 0
               && i + pages_in(order + 1) <= last) {
            ++order;
        }
        for (size_t t = i + 1; t < i + pages_in(order); ++t) {
            pages_[t].state_ = buddy_state::tail;
        }
        release(uint32_t(i), order);
        i += pages_in(order);
    }
    return buddy_result::ok;
}

uint64_t buddy_allocator::allocate(unsigned order) {
    if (order > max_order) {
        return 0;
    }
    unsigned o = order;
    while (o <= max_order && free_head_[o] == none) {
        ++o;
    }
    if (o > max_order) {
        return 0;
    }
    uint32_t index = free_head_[o];
    remove_free(index);
    while (o > order) {
        --o;
        push_free(uint32_t(index + pages_in(o)), o);   // the upper half stays free
    }
    buddy_page& p = pages_[index];
    p.state_ = buddy_state::allocated_head;
    p.order_ = order;
    p.owner_tag_ = p.owner_spare_ = 0;
    p.owner_count_ = p.owner_free_ = 0;
    free_pages_ -= pages_in(order);
    allocated_pages_ += pages_in(order);
    return index_pa(index);
}

buddy_result buddy_allocator::free(uint64_t pa) {
    // LAB alloc BEGIN: exercise 2, check that pa starts an allocated block (else say why), then release it
    if (pa < base_pa_ || pa >= end_pa() || (pa - base_pa_) % buddy_page_size != 0) {
        return buddy_result::out_of_range;
    }
    uint32_t index = uint32_t((pa - base_pa_) / buddy_page_size);
    buddy_page& p = pages_[index];
    if (p.state_ == buddy_state::free_head) {
        return buddy_result::double_free;
    } else if (p.state_ != buddy_state::allocated_head) {
        return buddy_result::not_a_block;
    }
    unsigned order = p.order_;
    allocated_pages_ -= pages_in(order);
    release(index, order);
    return buddy_result::ok;
    // LAB alloc STUB: (void) pa;
    // LAB alloc STUB: return buddy_result::ok;     // the block is never freed
    // LAB alloc END
}

buddy_page* buddy_allocator::page_at(uint64_t pa) {
    if (pa < base_pa_ || pa >= end_pa()) {
        return nullptr;
    }
    return &pages_[(pa - base_pa_) / buddy_page_size];
}

int buddy_allocator::allocated_order(uint64_t pa) const {
    if (pa < base_pa_ || pa >= end_pa() || (pa - base_pa_) % buddy_page_size != 0) {
        return -1;
    }
    const buddy_page& p = pages_[(pa - base_pa_) / buddy_page_size];
    return p.state_ == buddy_state::allocated_head ? p.order_ : -1;
}

size_t buddy_allocator::free_blocks(unsigned order) const {
    return order <= max_order ? free_count_[order] : 0;
}

const char* buddy_allocator::check() const {
    size_t free_seen = 0, allocated_seen = 0, free_heads[max_order + 1] = {};
    size_t i = 0;
    while (i < npages_) {
        const buddy_page& p = pages_[i];
        if (p.state_ == buddy_state::absent) {
            ++i;
            continue;
        } else if (p.state_ == buddy_state::tail) {
            return "tail page outside any block";
        }
        unsigned order = p.order_;
        if (order > max_order || (i & (pages_in(order) - 1)) != 0
            || i + pages_in(order) > npages_) {
            return "block misaligned, too large, or past the end";
        }
        for (size_t t = i + 1; t < i + pages_in(order); ++t) {
            if (pages_[t].state_ != buddy_state::tail) {
                return "block contains a non-tail page";
            }
        }
        if (p.state_ == buddy_state::free_head) {
            free_seen += pages_in(order);
            ++free_heads[order];
            size_t buddy = i ^ pages_in(order);
            if (order < max_order && buddy < npages_
                && pages_[buddy].state_ == buddy_state::free_head
                && pages_[buddy].order_ == order) {
                return "two free buddies were not merged";
            }
        } else {
            allocated_seen += pages_in(order);
        }
        i += pages_in(order);
    }
    if (free_seen != free_pages_ || allocated_seen != allocated_pages_) {
        return "page counts disagree with the page array";
    }
    for (unsigned o = 0; o <= max_order; ++o) {
        size_t n = 0;
        uint32_t prev = none;
        for (uint32_t x = free_head_[o]; x != none; x = pages_[x].next_) {
            if (x >= npages_ || ++n > free_heads[o]) {
                return "free list too long or leaves the page array";
            }
            const buddy_page& p = pages_[x];
            if (p.state_ != buddy_state::free_head || p.order_ != o || p.prev_ != prev) {
                return "free list entry is not a free block of its order";
            }
            prev = x;
        }
        if (n != free_heads[o] || n != free_count_[o]) {
            return "free list misses free blocks";
        }
    }
    return nullptr;
}
