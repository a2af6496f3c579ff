// uaccess.cc — checked copies between kernel and user memory (see
// uaccess.hh).
#include "uaccess.hh"
#include "abi/errno.hh"
#include "kaddr.hh"
#include "process.hh"
#include "string.hh"
#include "vm.hh"

namespace {

// The kernel pointer (direct map) to user address `va`, or nullptr unless
// every level of `pt` maps it with all of `need` (P and U, and W for a
// write). The same answer as vmiter's walk and perm(), without what
// vmiter keeps for mapping and iterating: every system call that touches
// user memory pays this once or twice per page.
char* user_kptr(x86_64_pagetable* pt, uintptr_t va, uint64_t need) {
    x86_64_pagetable* t = pt;
    for (int level = 3; ; --level) {
        unsigned shift = 12 + 9 * level;     // 4 KiB pages, 512 entries a level
        x86_64_pageentry_t e = t->entry[(va >> shift) & 511];
        if ((e & need) != need) {
            return nullptr;
        }
        if (level == 0 || (e & PTE_PS)) {
            // In a large page's entry bit 12 is PAT, not an address bit.
            uint64_t offset_mask = (uint64_t(1) << shift) - 1;
            return pa2kptr<char>((e & PTE_PAMASK & ~offset_mask) | (va & offset_mask));
        }
        t = pa2kptr<x86_64_pagetable>(e & PTE_PAMASK);
    }
}

// Visit [va, va + n) page by page as kernel pointers; stop with E_FAULT at
// the first inaccessible page.
template <typename F>
int for_each_user_chunk(x86_64_pagetable* pt, uintptr_t va, size_t n, bool write, F fn) {
    if (n == 0) {
        return 0;
    }
    if (va >= VA_LOWEND || n > VA_LOWEND - va) {
        return E_FAULT;
    }
    uint64_t need = write ? PTE_PWU : (PTE_P | PTE_U);
    // Another thread of the process may replace or map pages meanwhile:
    // each page is checked and copied under the process's mm_lock_, so a
    // page it replaces is not freed under the copy (process_page_alloc).
    spinlock* mm = process_mm_lock_for(pt);
    while (n > 0) {
        size_t chunk = PAGESIZE - (va & PAGEOFFMASK);
        chunk = chunk < n ? chunk : n;
        char* kp;
        if (mm) {
            spinlock_guard guard(*mm);
            kp = user_kptr(pt, va, need);
            if (kp) {
                fn(kp, chunk);
            }
        } else {
            kp = user_kptr(pt, va, need);
            if (kp) {
                fn(kp, chunk);
            }
        }
        if (!kp) {
            return E_FAULT;
        }
        va += chunk;
        n -= chunk;
    }
    return 0;
}

}  // namespace

bool user_range_ok(x86_64_pagetable* pt, uintptr_t va, size_t n, bool write) {
    return for_each_user_chunk(pt, va, n, write, [](char*, size_t) {}) == 0;
}

int copy_from_user(x86_64_pagetable* pt, void* dst, uintptr_t src, size_t n) {
    char* out = static_cast<char*>(dst);
    return for_each_user_chunk(pt, src, n, false, [&](char* p, size_t chunk) {
        memcpy(out, p, chunk);
        out += chunk;
    });
}

int copy_to_user(x86_64_pagetable* pt, uintptr_t dst, const void* src, size_t n) {
    // Never half-written: a range over several pages is checked whole
    // first. Within one page the copy loop's own check comes before any
    // byte is written, so the first pass would only repeat it.
    if (n > 0 && ((dst & PAGEOFFMASK) + n > PAGESIZE) && !user_range_ok(pt, dst, n, true)) {
        return E_FAULT;
    }
    const char* in = static_cast<const char*>(src);
    return for_each_user_chunk(pt, dst, n, true, [&](char* p, size_t chunk) {
        memcpy(p, in, chunk);
        in += chunk;
    });
}

long copy_string_from_user(x86_64_pagetable* pt, char* dst, uintptr_t src, size_t cap) {
    for (size_t i = 0; i < cap; ++i) {
        char ch;
        if (copy_from_user(pt, &ch, src + i, 1) < 0) {
            return E_FAULT;
        }
        dst[i] = ch;
        if (ch == '\0') {
            return long(i);
        }
    }
    if (cap > 0) {
        dst[cap - 1] = '\0';
    }
    return E_NAMETOOLONG;
}
