// p-pagealloc-nomem.cc — sys_page_alloc until memory runs out.
//
// A child maps pages one after another (from 0x40000000, just above the
// activation segment) until sys_page_alloc fails, which must be with
// E_NOMEM; every page it got must be zeroed and must keep what the child
// wrote into it. The child then exits; the parent checks the child's
// status and that the free page count comes back (same rounds and limits
// as p-forkstorm: a first round may leave ≤ 64 pages in grown kernel
// caches, the second must return to at least the count after the first).
//
// Kernel behaviour assumed: a failed sys_page_alloc returns E_NOMEM and
// maps nothing; the pages and page tables of an exited process are freed.
//! mem: 64M
//! timeout: 60
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

constexpr size_t cache_slack = 64;
constexpr uintptr_t first_page = ACTIVATION_SEGMENT_END;

[[noreturn]] void hog() {
    uintptr_t a = first_page;
    int r;
    size_t n = 0;
    while ((r = sys_page_alloc(reinterpret_cast<void*>(a))) == 0) {
        volatile uint64_t* w = reinterpret_cast<volatile uint64_t*>(a);
        assert_eq(w[0], 0UL);
        assert_eq(w[PAGESIZE / 8 - 1], 0UL);
        w[0] = a;
        w[PAGESIZE / 8 - 1] = ~a;
        a += PAGESIZE;
        ++n;
        assert_lt(n, size_t(1) << 22);
    }
    assert_eq(r, E_NOMEM);
    assert_gt(n, 0UL);
    for (uintptr_t p = first_page; p < a; p += PAGESIZE) {
        volatile uint64_t* w = reinterpret_cast<volatile uint64_t*>(p);
        assert_eq(w[0], p);
        assert_eq(w[PAGESIZE / 8 - 1], ~p);
    }
    // Still out of memory, still failing cleanly.
    assert_eq(sys_page_alloc(reinterpret_cast<void*>(a)), E_NOMEM);
    console_printf("pagealloc-nomem: mapped %zu pages before E_NOMEM\n", n);
    sys_exit(0);
}

void one_round() {
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        hog();
    }
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 0);
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();
    one_round();
    size_t after1 = wait_free_pages(start);
    assert_ge(after1 + cache_slack, start);
    one_round();
    size_t after2 = wait_free_pages(after1);
    assert_ge(after2, after1);
    console_printf("pagealloc-nomem: free pages %zu, %zu, %zu\n", start, after1, after2);
    console_printf("pagealloc-nomem succeeded!\n");
    sys_exit(0);
}
