// uaccess.cc — checked copies between kernel and user memory (see
// uaccess.hh).
#include "uaccess.hh"
#include "abi/errno.hh"
#include "process.hh"
#include "string.hh"
#include "vm.hh"

namespace {

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
    // Another thread of the process may replace or map pages meanwhile:
    // each page is checked and copied under the process's mm_lock_, so a
    // page it replaces is not freed under the copy (process_page_alloc).
    spinlock* mm = process_mm_lock_for(pt);
    while (n > 0) {
        size_t chunk = PAGESIZE - (va & PAGEOFFMASK);
        chunk = chunk < n ? chunk : n;
        bool ok = false;
        auto step = [&] {
            vmiter it(pt, va);
            uint64_t need = write ? PTE_PWU : (PTE_P | PTE_U);
            ok = (it.perm() & need) == need;
            if (ok) {
                fn(it.kptr<char>(), chunk);
            }
        };
        if (mm) {
            spinlock_guard guard(*mm);
            step();
        } else {
            step();
        }
        if (!ok) {
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
    if (!user_range_ok(pt, dst, n, true)) {
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
