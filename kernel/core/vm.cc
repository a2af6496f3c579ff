// vm.cc — page-table iterators and the kernel address space (see vm.hh).
//
// Easy to get wrong: the kernel page table is built from a static pool,
// because the physical-page allocator needs the direct map to exist first.
#include "vm.hh"
#include "abi/errno.hh"
#include "apic.hh"
#include "arch/cpufeatures.hh"
#include "arch/insns.hh"
#include "assert.hh"
#include "bootinfo.hh"
#include "cpustate.hh"
#include "interrupts.hh"
#include "kalloc.hh"
#include "log.hh"
#include "kaddr.hh"
#include "string.hh"

x86_64_pagetable* kernel_pagetable;
uint64_t vm_direct_map_end;
static const boot_info* vm_boot_info;     // the memory map, for vm_map_device

namespace {

constexpr int level_shift(int level) { return 12 + 9 * level; }
constexpr uint64_t level_size(int level) { return uint64_t(1) << level_shift(level); }
constexpr unsigned index_at(uintptr_t va, int level) { return (va >> level_shift(level)) & 511; }

// Permission bits that combine across levels: P, W and U must be set at
// every level; NX at any level forbids execution.
uint64_t combine(uint64_t acc, x86_64_pageentry_t e) {
    return (acc & e & PTE_PWU) | ((acc | e) & PTE_NX);
}

}  // namespace

vmiter& vmiter::find(uintptr_t va) {
    va_ = va;
    walk(false, nullptr);
    return *this;
}

void vmiter::walk(bool create, bool* out_of_memory) {
    x86_64_pagetable* t = pt_;
    perm_ = PTE_PWU;
    if (!is_canonical(va_)) {
        pte_ = nullptr;
        perm_ = 0;
        return;
    }
    for (int level = 3; level >= 0; --level) {
        level_ = level;
        pte_ = &t->entry[index_at(va_, level)];
        x86_64_pageentry_t e = *pte_;
        if (level > 0 && !(e & PTE_P) && create) {
            x86_64_pagetable* child = pagetable_alloc();
            if (!child) {
                *out_of_memory = true;
                perm_ = 0;
                return;
            }
            // Intermediate entries grant everything; leaves restrict.
            *pte_ = e = kva2pa(child) | PTE_PWU;
        }
        if (!(e & PTE_P)) {
            perm_ = 0;
            return;
        }
        perm_ = combine(perm_, e);
        if (level == 0 || (e & PTE_PS)) {
            return;
        }
        t = pa2kptr<x86_64_pagetable>(e & PTE_PAMASK);
    }
}

uint64_t vmiter::pa() const {
    if (!(perm_ & PTE_P)) {
        return UINT64_MAX;
    }
    uint64_t offset_mask = level_size(level_) - 1;
    // In large-page entries bit 12 is PAT, not an address bit.
    return (*pte_ & PTE_PAMASK & ~offset_mask) | (va_ & offset_mask);
}

uint64_t vmiter::perm() const {
    return perm_;
}

int vmiter::map(uint64_t pa, uint64_t perm) {
    assert((pa & PAGEOFFMASK) == 0 && (perm & ~(PTE_PWU | PTE_NX | PTE_G | PTE_PCD | PTE_PWT)) == 0);
    assert(is_canonical(va_));
    bool oom = false;
    walk(true, &oom);
    if (oom) {
        return E_NOMEM;
    }
    assert(level_ == 0, "vmiter::map would split a large page");
    bool was_present = *pte_ & PTE_P;
    *pte_ = pa | perm;
    if (was_present && rdcr3() == kva2pa(pt_)) {
        invlpg(va_ & ~uintptr_t(PAGEOFFMASK));
    }
    walk(false, nullptr);
    return 0;
}

uint64_t vmiter::unmap() {
    if (!(perm_ & PTE_P)) {
        return UINT64_MAX;
    }
    assert(level_ == 0, "vmiter::unmap of a large page");
    uint64_t old = pa() & ~uint64_t(PAGEOFFMASK);
    *pte_ = 0;
    if (rdcr3() == kva2pa(pt_)) {
        invlpg(va_ & ~uintptr_t(PAGEOFFMASK));
    }
    perm_ = 0;
    return old;
}

// ---------------------------------------------------------------------------

ptiter::ptiter(x86_64_pagetable* root, bool include_kernel_half)
    : level_(0), top_limit_(include_kernel_half ? 512 : 256) {
    stack_[0] = root;
    index_[0] = -1;
    descend();
}

void ptiter::descend() {
    for (;;) {
        int limit = level_ == 0 ? top_limit_ : 512;
        x86_64_pagetable* t = stack_[level_];
        int i = index_[level_] + 1;
        // Leaf tables (depth 3) have no children to visit; nor have large
        // pages (PS).
        if (level_ < 3) {
            i = pagetable_next_present(t, i, limit);
            while (i < limit && (t->entry[i] & PTE_PS)) {
                i = pagetable_next_present(t, i + 1, limit);
            }
        }
        if (level_ == 3 || i >= limit) {
            index_[level_] = 512;
            return;                     // visit stack_[level_] itself
        }
        index_[level_] = i;
        stack_[level_ + 1] = pa2kptr<x86_64_pagetable>(t->entry[i] & PTE_PAMASK);
        ++level_;
        index_[level_] = -1;
    }
}

void ptiter::next() {
    --level_;
    if (level_ >= 0) {
        descend();
    }
}

uintptr_t ptiter::va() const {
    uintptr_t va = 0;
    for (int d = 0; d < level_; ++d) {
        va |= uintptr_t(index_[d]) << level_shift(3 - d);
    }
    // Sign-extend bit 47.
    return (va & (uintptr_t(1) << 47)) ? va | 0xFFFF000000000000UL : va;
}

x86_64_pagetable* pagetable_alloc() {
    return static_cast<x86_64_pagetable*>(kalloc_page());
}

void pagetable_free(x86_64_pagetable* pt) {
    kfree(pt);
}

void pagetable_free_tree(x86_64_pagetable* root, void (*free_page)(uint64_t pa)) {
    assert(root != kernel_pagetable);
    assert(rdcr3() != kva2pa(root), "freeing the page table in force");
    for (int i = 0; i < ncpu; ++i) {
        assert(cpus[i].pagetable_.load(std::memory_order_relaxed) != root,
               "freeing a page table in force on another CPU");
    }
    // ptiter visits a table after everything below it.
    for (ptiter it(root); !it.done(); it.next()) {
        if (free_page && it.level() == 0) {
            x86_64_pagetable* t = it.table();
            for (int i = pagetable_next_present(t, 0, 512); i < 512;
                 i = pagetable_next_present(t, i + 1, 512)) {
                free_page(t->entry[i] & PTE_PAMASK);
            }
        }
        pagetable_free(it.table());
    }
}

// ---------------------------------------------------------------------------
// The kernel address space.

namespace {

// Pages for the kernel page table: root, direct-map PDPT, up to 64 page
// directories for the direct map (when 1 GiB pages are unavailable), image
// PDPT + directory + leaf tables.
constexpr unsigned boot_pool_pages = 80;
x86_64_pagetable boot_pool[boot_pool_pages];
unsigned boot_pool_used = 0;

x86_64_pagetable* pool_page() {
    assert(boot_pool_used < boot_pool_pages, "kernel page-table pool exhausted");
    return &boot_pool[boot_pool_used++];   // BSS: already zero
}

// Direct map of [0, limit): 2 MiB pages below 4 GiB (so the local APIC and
// I/O APIC pages near 4 GiB can be uncached), 1 GiB pages above if the CPU
// has them.
void build_direct_map(x86_64_pagetable* root, uint64_t limit) {
    uint64_t nx = cpu_has.nx ? PTE_NX : 0;
    uint64_t global = cpu_has.pge ? PTE_G : 0;
    x86_64_pagetable* pdpt = pool_page();
    root->entry[index_at(KERNEL_DIRECT_BASE, 3)] = kva2pa(pdpt) | PTE_P | PTE_W;
    for (uint64_t gb = 0; gb * level_size(2) < limit; ++gb) {
        uint64_t base = gb * level_size(2);
        if (base >= (uint64_t(4) << 30) && cpu_has.pdpe1gb) {
            pdpt->entry[gb] = base | PTE_P | PTE_W | PTE_PS | global | nx;
            continue;
        }
        x86_64_pagetable* pd = pool_page();
        pdpt->entry[gb] = kva2pa(pd) | PTE_P | PTE_W;
        for (unsigned i = 0; i < 512; ++i) {
            uint64_t pa = base + i * level_size(1);
            uint64_t cache = pa >= 0xFE000000 && pa < (uint64_t(4) << 30) ? PTE_PCD | PTE_PWT : 0;
            pd->entry[i] = pa | PTE_P | PTE_W | PTE_PS | global | nx | cache;
        }
    }
}

// The image at KERNEL_TEXT_BASE + pa, 4 KiB pages: text read-only and
// executable, everything else not executable, rodata read-only.
void build_image_map(x86_64_pagetable* root) {
    uint64_t nx = cpu_has.nx ? PTE_NX : 0;
    uint64_t global = cpu_has.pge ? PTE_G : 0;
    x86_64_pagetable* pdpt = pool_page();
    x86_64_pagetable* pd = pool_page();
    root->entry[index_at(KERNEL_TEXT_BASE, 3)] = kva2pa(pdpt) | PTE_P | PTE_W;
    pdpt->entry[index_at(KERNEL_TEXT_BASE, 2)] = kva2pa(pd) | PTE_P | PTE_W;
    uintptr_t start = round_down(uintptr_t(kernel_image_start), PAGESIZE);
    uintptr_t end = round_up(uintptr_t(kernel_image_end), PAGESIZE);
    for (uintptr_t va = start; va < end; va += PAGESIZE) {
        auto& pde = pd->entry[index_at(va, 1)];
        if (!(pde & PTE_P)) {
            pde = kva2pa(pool_page()) | PTE_P | PTE_W;
        }
        auto* pt = pa2kptr<x86_64_pagetable>(pde & PTE_PAMASK);
        uint64_t perm = PTE_P | global;
        if (va >= uintptr_t(kernel_text_end)) {
            perm |= nx;
        }
        if (va >= uintptr_t(kernel_data_start)) {
            perm |= PTE_W;
        }
        pt->entry[index_at(va, 0)] = kva2pa(reinterpret_cast<void*>(va)) | perm;
    }
}

}  // namespace

void vm_init(boot_info& info) {
    cpu_features_detect();
    // Map all RAM and ACPI memory the map mentions, and all of the first
    // 4 GiB (device memory), up to what one PDPT can hold. Reserved ranges
    // high up (firmware or PCI windows) are not mapped.
    uint64_t limit = uint64_t(4) << 30;
    for (unsigned i = 0; i < info.nregions; ++i) {
        auto& r = info.regions[i];
        if (r.type != memory_type::reserved && r.type != memory_type::bad && r.end() > limit) {
            limit = r.end();
        }
    }
    uint64_t max_limit = (cpu_has.pdpe1gb ? uint64_t(512) : uint64_t(64)) << 30;
    if (limit > max_limit) {
        log_printf(log_level::warn, "vm: ignoring physical memory above %lu GiB\n",
                   (unsigned long) (max_limit >> 30));
        limit = max_limit;
        // Usable memory the kernel cannot reach must not be handed out.
        unsigned n = 0;
        for (unsigned i = 0; i < info.nregions; ++i) {
            auto r = info.regions[i];
            if (r.type == memory_type::usable && r.end() > limit) {
                r.size = r.base >= limit ? 0 : limit - r.base;
            }
            if (r.size) {
                info.regions[n++] = r;
            }
        }
        info.nregions = n;
    }
    limit = round_up(limit, level_size(2));
    vm_direct_map_end = limit;
    vm_boot_info = &info;

    kernel_pagetable = pool_page();
    build_direct_map(kernel_pagetable, limit);
    build_image_map(kernel_pagetable);
    vm_init_cpu();
}

volatile void* vm_map_device(uint64_t pa, uint64_t size) {
    assert(ncpu == 1, "vm_map_device after the other CPUs started");
    uint64_t first = round_down(pa, level_size(1));
    uint64_t end = round_up(pa + size, level_size(1));
    if (size == 0 || pa + size < pa || end > vm_direct_map_end
        || end > (uint64_t(4) << 30)) {
        return nullptr;
    }
    // Never make RAM uncached (nor alias device registers with RAM).
    for (unsigned i = 0; vm_boot_info && i < vm_boot_info->nregions; ++i) {
        auto& r = vm_boot_info->regions[i];
        if (r.type != memory_type::reserved && r.base < end && r.end() > first) {
            return nullptr;
        }
    }
    for (uint64_t a = first; a < end; a += level_size(1)) {
        uint64_t va = pa2kva(a);
        x86_64_pageentry_t pdpte = kernel_pagetable->entry[index_at(va, 3)];
        assert(pdpte & PTE_P);
        pdpte = pa2kptr<x86_64_pagetable>(pdpte & PTE_PAMASK)->entry[index_at(va, 2)];
        assert((pdpte & PTE_P) && !(pdpte & PTE_PS));
        auto& pde = pa2kptr<x86_64_pagetable>(pdpte & PTE_PAMASK)->entry[index_at(va, 1)];
        assert((pde & PTE_P) && (pde & PTE_PS), "direct map below 4 GiB is 2 MiB pages");
        pde |= PTE_PCD | PTE_PWT;
        invlpg(va);
    }
    return pa2kptr<volatile void>(pa);
}

void vm_init_cpu() {
    if (cpu_has.nx) {
        wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
    }
    uint64_t cr4 = rdcr4();
    cr4 |= cpu_has.pge ? CR4_PGE : 0;
    cr4 |= cpu_has.smep ? CR4_SMEP : 0;
    cr4 |= cpu_has.smap ? CR4_SMAP : 0;
    // User mode has no business reading descriptor-table addresses (sgdt,
    // sidt, sldt, smsw, str): they would tell it where the kernel is.
    cr4 |= cpu_has.umip ? CR4_UMIP : 0;
    wrcr4(cr4);
    wrcr0(rdcr0() | CR0_WP);
    set_pagetable(kernel_pagetable);
}

// Writing CR3 flushes every non-global TLB entry (and, under TCG, QEMU's
// whole software TLB and jump cache), so a task that follows itself, or a
// kernel task that follows another, keeps what it has. Mappings are never
// changed behind a CPU's back: vmiter invalidates what it replaces.
//
// pagetable_ is also what tlb_shootdown reads to find the CPUs to flush:
// it is published (sequentially consistent) *before* the CR3 write, so
// before this CPU can walk the new table at all, even speculatively; a CPU
// that changed a mapping of `pt` and then (after a full fence) did not see
// `pt` here changed it before this CPU could cache it. (Publishing first
// cannot hide a table still in force from pagetable_free_tree's check: a
// table is freed only after every thread of its process has finished
// switching away from it, end_thread's first step.)
[[gnu::hot]] void set_pagetable(x86_64_pagetable* pt) {
    uint64_t pa = kva2pa(pt);
    this_cpu()->pagetable_.store(pt, std::memory_order_seq_cst);
    if (rdcr3() != pa) {
        wrcr3(pa);
    }
}

void tlb_serve_requests() {
    cpustate* c = this_cpu();
    uint64_t asked = c->tlb_requests_.load(std::memory_order_seq_cst);
    if (asked != c->tlb_done_.load(std::memory_order_relaxed)) {
        // Flushes every non-global entry (no PCID in use: with PCIDs this
        // would flush only the current one, and would need INVPCID).
        wrcr3(rdcr3());
        c->tlb_done_.store(asked, std::memory_order_release);
    }
}

void tlb_shootdown(x86_64_pagetable* pt) {
    assert(is_cli());
    cpustate* self = this_cpu();
    assert_eq(self->lock_depth_, 0);
    // The caller's page-table write is ordered before the reads of the
    // other CPUs' pagetable_ (set_pagetable explains the other side).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    uint64_t ticket[MAXCPU] = {};
    for (int i = 0; i < ncpu; ++i) {
        cpustate* c = &cpus[i];
        if (c != self && c->pagetable_.load(std::memory_order_seq_cst) == pt) {
            // The flush that serves this ticket starts after it is taken,
            // so after the caller's write.
            ticket[i] = c->tlb_requests_.fetch_add(1, std::memory_order_seq_cst) + 1;
            lapic_send_ipi(c->lapic_id_, INT_IPI_TLB);
        }
    }
    for (int i = 0; i < ncpu; ++i) {
        while (ticket[i] && cpus[i].tlb_done_.load(std::memory_order_acquire) < ticket[i]) {
            tlb_serve_requests();
            pause();
        }
    }
}
