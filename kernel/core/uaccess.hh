// uaccess.hh — the only way the kernel reads or writes user memory.
//
// Every access is checked against the process's page table first: each
// page of the range must be present, user-accessible and (for writes)
// writable, the range must lie below VA_LOWEND and must not wrap. Then the
// bytes are copied through the kernel's direct map of the physical pages —
// the kernel never dereferences a user virtual address, so SMAP stays on
// and no page fault can happen in the kernel on a user's behalf.
// Easy to get wrong: check before copying *all* of the range? No — a
// partial copy followed by E_FAULT is allowed for reads into the kernel,
// but copy_to_user checks the whole range first so user memory is never
// half-written on failure.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct x86_64_pagetable;

// 0 on success, E_FAULT if any byte is not accessible.
int copy_from_user(x86_64_pagetable* pt, void* dst, uintptr_t src, size_t n);
int copy_to_user(x86_64_pagetable* pt, uintptr_t dst, const void* src, size_t n);
// Copies a NUL-terminated string of at most `cap - 1` characters.
// Returns its length, E_FAULT, or E_NAMETOOLONG if no NUL within cap.
long copy_string_from_user(x86_64_pagetable* pt, char* dst, uintptr_t src, size_t cap);
// Is [va, va + n) entirely accessible (writable if `write`)?
bool user_range_ok(x86_64_pagetable* pt, uintptr_t va, size_t n, bool write);

// A typed user pointer as the address the functions above take. The
// pointer is never dereferenced; it only names a user virtual address.
inline uintptr_t uva(const void* p) {
    return reinterpret_cast<uintptr_t>(p);
}
