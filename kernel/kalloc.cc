// kalloc.cc — placeholder (bump allocator over a static arena) until the
// buddy allocator lands; replaced on merge.
#include "kalloc.hh"
#include "string.hh"
#include "x86-64.hh"
namespace {
alignas(4096) char arena[64 * 4096];
size_t used;
}
void* kalloc(size_t size) {
    size = round_up(size, 4096);
    if (used + size > sizeof(arena)) {
        return nullptr;
    }
    void* p = arena + used;
    used += size;
    return p;
}
void kfree(void*) {}
void* kalloc_zeroed_page() {
    void* p = kalloc(4096);
    if (p) {
        memset(p, 0, 4096);
    }
    return p;
}
