// p-end-local.cc — a program may declare the linker symbol `end` inside a
// function, as some Chickadee coursework does (`extern char end[];`).
// Fails to compile if u-lib.hh declares `end` with C linkage or another
// type; at run time, the heap page after `end` must be mappable.
#include "u-lib.hh"

static char bss_block[5000];

void process_main() {
    extern char end[];
    uintptr_t e = reinterpret_cast<uintptr_t>(end);
    assert_ge(e, reinterpret_cast<uintptr_t>(bss_block + sizeof(bss_block)));
    assert_lt(e, uintptr_t(USER_STACK_PAGE));
    char* heap = reinterpret_cast<char*>(round_up(e, PAGESIZE));
    assert_eq(sys_page_alloc(heap), 0);
    heap[100] = 'x';
    assert_eq(heap[100], 'x');
    bss_block[0] = heap[100];
    console_printf("end-local succeeded!\n");
}
