// p-getusage.cc — sys_getusage fills a `usage` and validates its buffer.
//
// Checked: it returns 0 and plausible counts (free and allocated pages
// both > 0, their sum at least the page count of 16 MiB); allocating a
// page lowers free_pages by at least one and raises allocated_pages;
// `time` does not go backwards and advances across a 100 ms sleep. A
// buffer that is not entirely writable user memory → E_FAULT: null, the
// kernel half, non-canonical, unmapped, read-only (program text), and a
// buffer straddling the end of a mapped page.
#include "u-lib.hh"

// The end of this program's data and bss (the linker symbol; see u-lib.hh).
extern uint8_t end[];

namespace {

void expect_fault(uintptr_t a) {
    int r = sys_getusage(reinterpret_cast<usage*>(a));
    if (r != E_FAULT) {
        panic("sys_getusage(%p) returned %d, expected E_FAULT", reinterpret_cast<void*>(a), r);
    }
}

}  // namespace

void process_main() {
    usage u0;
    memset(&u0, 0xFF, sizeof(u0));
    assert_eq(sys_getusage(&u0), 0);
    assert_gt(u0.free_pages, 0UL);
    assert_gt(u0.allocated_pages, 0UL);
    assert_ge(u0.free_pages + u0.allocated_pages, 16UL * 1024 * 1024 / PAGESIZE);
    assert_lt(u0.free_pages, ~size_t(0) / 2);

    uintptr_t heap = round_up(reinterpret_cast<uintptr_t>(end), PAGESIZE) + 8 * PAGESIZE;
    assert_eq(sys_page_alloc(reinterpret_cast<void*>(heap)), 0);
    usage u1;
    assert_eq(sys_getusage(&u1), 0);
    assert_lt(u1.free_pages, u0.free_pages);
    assert_gt(u1.allocated_pages, u0.allocated_pages);
    assert_ge(u1.time, u0.time);

    assert_eq(sys_msleep(100), 0);
    usage u2;
    assert_eq(sys_getusage(&u2), 0);
    assert_gt(u2.time, u1.time);

    // The usage may sit anywhere in writable user memory: the end of the
    // mapped page.
    assert_eq(sys_getusage(reinterpret_cast<usage*>(heap + PAGESIZE - sizeof(usage))), 0);

    expect_fault(0);
    expect_fault(8);
    expect_fault(0xFFFF800000000000);
    expect_fault(0xFFFFFFFF80000000);
    expect_fault(0xFFFFFFFFFFFFFFF0);
    expect_fault(0x8000000000000000);
    expect_fault(VA_LOWEND - 8);
    expect_fault(0x200000000);
    expect_fault(heap + PAGESIZE - sizeof(usage) + 8);
    expect_fault(heap + PAGESIZE);
    expect_fault(reinterpret_cast<uintptr_t>(&expect_fault));

    console_printf("getusage succeeded!\n");
    sys_exit(0);
}
