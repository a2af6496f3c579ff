// vm.hh — page tables: the kernel's address space and iterators over any
// x86-64 four-level page table.
//
// Page tables are never indexed by hand outside this file pair: `vmiter`
// walks and edits the mapping of one virtual address at a time, `ptiter`
// visits the page-table pages themselves (to free a whole tree).
// Easy to get wrong: a page table in force on any CPU must never be freed
// (pagetable_free_tree asserts it against every CPU's current task), and
// large (2 MiB / 1 GiB) kernel mappings are read by `vmiter` but never
// split by it.
#pragma once
#include "x86-64.hh"

struct __attribute__((aligned(PAGESIZE))) x86_64_pagetable {
    x86_64_pageentry_t entry[512];
};

// Permission bits accepted by `vmiter::map`.
constexpr uint64_t PTE_PWU = PTE_P | PTE_W | PTE_U;

class vmiter {
public:
    vmiter(x86_64_pagetable* pt, uintptr_t va) : pt_(pt) { find(va); }

    uintptr_t va() const { return va_; }
    // Physical address `va` maps to, or UINT64_MAX if unmapped.
    uint64_t pa() const;
    // Permission bits in force for `va` (P, W, U, NX combined across levels).
    uint64_t perm() const;
    bool present() const { return perm() & PTE_P; }
    bool user_writable() const { return (perm() & PTE_PWU) == PTE_PWU; }
    // Kernel pointer to the byte at `va` (through the direct map), or nullptr.
    template <typename T = void>
    T* kptr() const {
        uint64_t p = pa();
        return p == UINT64_MAX ? nullptr : reinterpret_cast<T*>(p + KERNEL_DIRECT_BASE);
    }

    vmiter& find(uintptr_t va);
    vmiter& operator+=(uintptr_t delta) { return find(va_ + delta); }
    // Advance to the next page boundary.
    vmiter& next_page() { return find((va_ | PAGEOFFMASK) + 1); }

    // Map the page containing `va` to physical page `pa` with `perm`,
    // allocating page-table pages as needed. Returns 0 or E_NOMEM.
    int map(uint64_t pa, uint64_t perm);
    // Remove the 4 KiB mapping of `va` (no-op if unmapped). Does not free
    // the mapped page; returns its physical address or UINT64_MAX.
    uint64_t unmap();

private:
    x86_64_pagetable* pt_;
    uintptr_t va_ = 0;
    x86_64_pageentry_t* pte_ = nullptr;   // deepest entry reached
    int level_ = 0;                       // 0 = 4 KiB leaf, 1 = 2 MiB, ...
    uint64_t perm_ = 0;                   // accumulated permissions

    void walk(bool create, bool* out_of_memory);
};

// The index of the first present entry of `t` in [i, limit), or `limit`.
// Most entries of a user page table are empty, so it tests four at a time.
inline int pagetable_next_present(const x86_64_pagetable* t, int i, int limit) {
    // A user address space is mostly empty stretches: sixteen entries a
    // test, then four, then one.
    for (; i + 16 <= limit; i += 16) {
        const x86_64_pageentry_t* e = &t->entry[i];
        if ((e[0] | e[1] | e[2] | e[3] | e[4] | e[5] | e[6] | e[7] | e[8] | e[9] | e[10]
             | e[11] | e[12] | e[13] | e[14] | e[15]) & PTE_P) {
            break;
        }
    }
    for (; i + 4 <= limit; i += 4) {
        if ((t->entry[i] | t->entry[i + 1] | t->entry[i + 2] | t->entry[i + 3]) & PTE_P) {
            break;
        }
    }
    for (; i < limit && !(t->entry[i] & PTE_P); ++i) {
    }
    return i;
}

// Visits every page-table page below a root, children before the root's
// own entries are cleared (post-order), so a tree can be freed in one pass.
class ptiter {
public:
    explicit ptiter(x86_64_pagetable* root, bool include_kernel_half = false);
    bool done() const { return level_ < 0; }
    // The current page-table page (level 0 = a leaf page table).
    x86_64_pagetable* table() const { return stack_[level_]; }
    int level() const { return 3 - level_; }
    uintptr_t va() const;
    void next();

private:
    x86_64_pagetable* stack_[4];
    int index_[4];
    int level_;
    int top_limit_;
    void descend();
};

// Allocate a zeroed page-table page (nullptr on exhaustion) / free one.
x86_64_pagetable* pagetable_alloc();
void pagetable_free(x86_64_pagetable* pt);
// Free every page-table page of a user address space (low half only; the
// kernel half is shared) and the root. Mapped pages are freed only through
// `free_page`, called with the physical address of each present leaf entry
// before its table goes (one walk for both).
void pagetable_free_tree(x86_64_pagetable* root, void (*free_page)(uint64_t pa) = nullptr);

// The kernel's own page table, shared (upper half) by every process.
extern x86_64_pagetable* kernel_pagetable;
// Build the kernel page table (direct map of all of physical memory, image
// with W^X permissions) and switch to it. Called once, on CPU 0.
struct boot_info;
void vm_init(boot_info& info);
// End of the direct map: physical memory below this is reachable.
extern uint64_t vm_direct_map_end;   // may drop memory it cannot map
// Device registers (a PCI memory BAR) at physical [pa, pa + size): make
// the direct map's 2 MiB pages covering them uncached (PCD|PWT) and return
// the direct-map pointer to `pa`, or nullptr if the range is beyond the
// direct map, above 4 GiB (1 GiB pages there) or shares a 2 MiB page with
// RAM. Only before the other CPUs start (asserted): it flushes this CPU's
// TLB only.
volatile void* vm_map_device(uint64_t pa, uint64_t size);
// Per-CPU: enable NX/SMEP/SMAP/PCID/global pages as available; load CR3.
void vm_init_cpu();
void set_pagetable(x86_64_pagetable* pt);
// TLB shootdown, after changing or removing a present mapping of `pt`
// (adding one needs none: x86 never caches a not-present entry). Every
// other CPU whose CR3 holds `pt` flushes its TLB (INT_IPI_TLB); returns
// once all have. This CPU's own entry is the caller's to invalidate. Call
// with interrupts off and no spinlock held (a CPU spinning for one with
// interrupts off could not take the IPI); it serves requests made of this
// CPU while it waits, so two CPUs shooting at each other both finish.
void tlb_shootdown(x86_64_pagetable* pt);
// The INT_IPI_TLB handler (and tlb_shootdown's wait): flush this CPU's
// TLB if another CPU asked. Interrupts off.
void tlb_serve_requests();

