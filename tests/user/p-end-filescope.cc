// p-end-filescope.cc — a program may declare the linker symbol `end` at
// file scope with its own type, as Chickadee coursework does
// (`extern uint8_t end[];`). Fails to compile if u-lib.hh declares `end`
// with another type; at run time, `end` must lie past this program's data
// and bss and below the stack page, and the page it rounds up to must be
// free for sys_page_alloc.
#include "u-lib.hh"

extern uint8_t end[];

static uint8_t bss_bytes[3000];
static int data_word = 161;

void process_main() {
    uintptr_t e = reinterpret_cast<uintptr_t>(end);
    assert_ge(e, reinterpret_cast<uintptr_t>(&bss_bytes[arraysize(bss_bytes)]));
    assert_gt(e, reinterpret_cast<uintptr_t>(&data_word));
    assert_lt(e, uintptr_t(USER_STACK_PAGE));
    uint8_t* heap = reinterpret_cast<uint8_t*>(round_up(e, PAGESIZE));
    assert_eq(sys_page_alloc(heap), 0);
    heap[0] = 1;
    heap[PAGESIZE - 1] = 2;
    assert_eq(heap[0] + heap[PAGESIZE - 1], 3);
    bss_bytes[0] = uint8_t(data_word);
    console_printf("end-filescope succeeded!\n");
}
