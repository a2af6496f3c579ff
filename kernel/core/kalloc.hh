// kalloc.hh — the kernel's memory allocator: kalloc/kfree of any size.
//
// Sizes up to 2048 bytes come from power-of-two size classes (16..2048
// bytes, each object aligned to its class size) carved from single pages;
// anything larger is a buddy block of 2^k pages, page-aligned (aligned to
// its own size, in fact), up to 4 MiB. Pointers are direct-map addresses
// (`kva2pa` gives the physical address). Memory is not zeroed unless you
// ask (`kalloc_zeroed`, `kalloc_page`). All functions may be called from
// any CPU; the allocator's one spinlock is a leaf in the lock order
// (docs/contexts.md) and keeps interrupts off.
//
// Easy to get wrong: kalloc returns nullptr when memory runs out, and so
// does plain `new` (the kernel has no exceptions; it is built with
// -fcheck-new so the compiler keeps the null checks). Check every result.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct boot_info;

// Builds the allocator from the usable regions of `info`'s memory map.
// Never hands out: [0, 1 MiB) (kept for the SMP trampoline and firmware),
// the kernel image, the loader's information structure, boot modules, the
// allocator's own metadata, or anything not marked usable. Only memory
// below `mapped_end` (the end of the kernel's direct map, vm_direct_map_end)
// is handed out or touched. The metadata (16 bytes per page up to the
// highest usable address) goes below 4 GiB. `info` must outlive kalloc.
void kalloc_init(const boot_info& info, uint64_t mapped_end);

// `size` bytes, or nullptr if no memory is left or size > kalloc_max_size.
// kalloc(0) returns a distinct 16-byte object.
[[nodiscard]] void* kalloc(size_t size);
// Frees what kalloc returned; nullptr is ignored. Panics on a pointer that
// kalloc did not return or that was already freed (where detectable).
void kfree(void* ptr);
// kalloc, then zero the first `size` bytes.
[[nodiscard]] void* kalloc_zeroed(size_t size);
// One zeroed, page-aligned page, or nullptr.
[[nodiscard]] void* kalloc_page();

constexpr size_t kalloc_small_max = 2048;
constexpr size_t kalloc_max_size = size_t(4) << 20;
// How many bytes the allocation at `ptr` really has (its class or block).
size_t kalloc_usable_size(void* ptr);

// Page counts: free pages, and pages handed out (a page of small objects
// counts as allocated until its last object is freed).
size_t kalloc_free_pages();
size_t kalloc_allocated_pages();
// Checks the allocator's invariants (O(pages)); panics if one is broken.
void kalloc_check();
