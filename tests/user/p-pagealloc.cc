// p-pagealloc.cc — sys_page_alloc: success cases and refused addresses.
//
// Success: a page just past the program (`end`), pages just below and
// just above the activation segment, and a page far up near the stack
// (below the stack page) are mapped zeroed and writable. Allocating again
// over a page that sys_page_alloc mapped before succeeds and leaves a
// fresh zeroed page there (the old contents are gone).
//
// Refused: an address that is not page-aligned → E_INVAL; address 0, any
// address below 0x100000 (including the console page 0xB8000), the
// activation segment [0x3FE00000, 0x40000000), the kernel half and
// non-canonical addresses → E_INVAL or E_FAULT (either is accepted).
// A refused call changes nothing: the console page still works.
#include "u-lib.hh"

// The end of this program's data and bss (the linker symbol; see u-lib.hh).
extern uint8_t end[];

namespace {

void* ptr(uintptr_t a) {
    return reinterpret_cast<void*>(a);
}

void expect_refused(uintptr_t a) {
    int r = sys_page_alloc(ptr(a));
    if (r != E_INVAL && r != E_FAULT) {
        panic("sys_page_alloc(%p) returned %d, expected E_INVAL or E_FAULT", ptr(a), r);
    }
}

// Allocates the page at `a` and checks it is zeroed and writable.
void expect_fresh_page(uintptr_t a) {
    int r = sys_page_alloc(ptr(a));
    if (r != 0) {
        panic("sys_page_alloc(%p) returned %d, expected 0", ptr(a), r);
    }
    volatile uint64_t* w = static_cast<volatile uint64_t*>(ptr(a));
    for (size_t i = 0; i < PAGESIZE / sizeof(uint64_t); ++i) {
        assert_eq(w[i], 0UL);
    }
    for (size_t i = 0; i < PAGESIZE / sizeof(uint64_t); ++i) {
        w[i] = a + i;
    }
    for (size_t i = 0; i < PAGESIZE / sizeof(uint64_t); ++i) {
        assert_eq(w[i], a + i);
    }
}

}  // namespace

void process_main() {
    uintptr_t heap = round_up(reinterpret_cast<uintptr_t>(end), PAGESIZE);

    // Unaligned: E_INVAL exactly.
    assert_eq(sys_page_alloc(ptr(heap + 1)), E_INVAL);
    assert_eq(sys_page_alloc(ptr(heap + 8)), E_INVAL);
    assert_eq(sys_page_alloc(ptr(heap + PAGESIZE / 2)), E_INVAL);
    assert_eq(sys_page_alloc(ptr(heap + PAGESIZE - 1)), E_INVAL);

    // Successes.
    expect_fresh_page(heap);
    expect_fresh_page(heap + PAGESIZE);
    expect_fresh_page(ACTIVATION_SEGMENT_BASE - PAGESIZE);
    expect_fresh_page(ACTIVATION_SEGMENT_END);
    expect_fresh_page(USER_STACK_PAGE - 16 * PAGESIZE);
    expect_fresh_page(USER_STACK_PAGE - PAGESIZE);
    expect_fresh_page(USER_STACK_TOP);              // just above the stack page
    expect_fresh_page(VA_LOWEND - PAGESIZE);        // the last user page

    // Over an existing page: 0, and the page is fresh and zero again.
    // (Decision: like Chickadee, the new page replaces the old one.)
    expect_fresh_page(heap);
    // The neighbour was not disturbed.
    volatile uint64_t* next = static_cast<volatile uint64_t*>(ptr(heap + PAGESIZE));
    assert_eq(next[0], heap + PAGESIZE);
    assert_eq(next[PAGESIZE / 8 - 1], heap + PAGESIZE + PAGESIZE / 8 - 1);

    // Low memory, the console page, the first megabyte.
    expect_refused(0);
    expect_refused(PAGESIZE);
    expect_refused(0x10000);
    expect_refused(CONSOLE_PAGE);
    expect_refused(0xFF000);
    // The activation segment, first, middle and last pages.
    expect_refused(ACTIVATION_SEGMENT_BASE);
    expect_refused(ACTIVATION_SEGMENT_BASE + 0x100000);
    expect_refused(ACTIVATION_SEGMENT_END - PAGESIZE);
    // Non-canonical and kernel addresses.
    expect_refused(VA_LOWEND);
    expect_refused(0x0000FFFFFFFFF000);
    expect_refused(0x8000000000000000);
    expect_refused(VA_HIGHMIN);
    expect_refused(0xFFFF800000100000);
    expect_refused(0xFFFFFFFF80000000);
    expect_refused(0xFFFFFFFF80100000);
    expect_refused(0xFFFFFFFFFFFFF000);
    // Unaligned and in the kernel: some error (which check comes first is
    // not specified).
    assert_lt(sys_page_alloc(ptr(0xFFFFFFFF80000123)), 0);

    // The console page is still ours.
    console[CPOS(24, 79)] = 'P' | 0x0700;
    assert_eq(console[CPOS(24, 79)], uint16_t('P' | 0x0700));
    console[CPOS(24, 79)] = ' ' | 0x0700;

    console_printf("pagealloc succeeded!\n");
    sys_exit(0);
}
