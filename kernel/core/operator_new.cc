// operator_new.cc — C++ `new` and `delete` on top of kalloc/kfree.
//
// The kernel has no exceptions, so plain `new` cannot throw std::bad_alloc:
// like the nothrow form, it returns nullptr when memory runs out. The
// kernel is compiled with -fcheck-new, which tells GCC exactly that, so it
// neither runs a constructor on nullptr nor deletes a caller's null check.
// Easy to get wrong: aligned `new` for alignments above a page relies on
// buddy blocks being aligned to their own size (kalloc.hh).
#include <new>
#include "kalloc.hh"

// <new> declares this tag object; without libsupc++, the kernel defines it.
namespace std {
const nothrow_t nothrow{};
}

namespace {
void* aligned_kalloc(size_t size, std::align_val_t align) {
    // Every kalloc object is aligned to its size class or block size, so
    // asking for at least `align` bytes gives at least that alignment.
    size_t a = size_t(align);
    return kalloc(size < a ? a : size);
}
}  // namespace

void* operator new(size_t size) { return kalloc(size); }
void* operator new[](size_t size) { return kalloc(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return kalloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return kalloc(size); }
void* operator new(size_t size, std::align_val_t align) { return aligned_kalloc(size, align); }
void* operator new[](size_t size, std::align_val_t align) { return aligned_kalloc(size, align); }

void operator delete(void* ptr) noexcept { kfree(ptr); }
void operator delete[](void* ptr) noexcept { kfree(ptr); }
void operator delete(void* ptr, size_t) noexcept { kfree(ptr); }
void operator delete[](void* ptr, size_t) noexcept { kfree(ptr); }
void operator delete(void* ptr, const std::nothrow_t&) noexcept { kfree(ptr); }
void operator delete[](void* ptr, const std::nothrow_t&) noexcept { kfree(ptr); }
void operator delete(void* ptr, std::align_val_t) noexcept { kfree(ptr); }
void operator delete[](void* ptr, std::align_val_t) noexcept { kfree(ptr); }
void operator delete(void* ptr, size_t, std::align_val_t) noexcept { kfree(ptr); }
void operator delete[](void* ptr, size_t, std::align_val_t) noexcept { kfree(ptr); }
