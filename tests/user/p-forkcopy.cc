// p-forkcopy.cc — fork gives the child a copy of the parent's memory
// (data, bss, stack, pages from sys_page_alloc), not a share of it.
//
// The child sees every value the parent had at the fork, then changes
// them all; the parent, after reaping it, still has its own values; and
// the parent's changes after the fork are invisible to the child (it
// checks after the parent has made them, synchronised through a console
// cell, the one page fork does share).
//! lab: proc 10
#include "u-lib.hh"

// The end of this program's data and bss (the linker symbol; see u-lib.hh).
extern uint8_t end[];

namespace {

int data_value = 1111;              // .data
int bss_value;                      // .bss
char bss_big[3 * PAGESIZE];         // spans several pages
volatile uint16_t* const parent_done = &console[CPOS(20, 0)];

}  // namespace

void process_main() {
    console_clear();
    *parent_done = 0;
    uintptr_t heap = round_up(reinterpret_cast<uintptr_t>(end), PAGESIZE);
    assert_eq(sys_page_alloc(reinterpret_cast<void*>(heap)), 0);
    volatile int* heap_value = reinterpret_cast<volatile int*>(heap);

    volatile int stack_value = 3333;
    bss_value = 2222;
    *heap_value = 4444;
    for (size_t i = 0; i < sizeof(bss_big); ++i) {
        bss_big[i] = char(i % 251);
    }

    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        assert_eq(data_value, 1111);
        assert_eq(bss_value, 2222);
        assert_eq(stack_value, 3333);
        assert_eq(*heap_value, 4444);
        for (size_t i = 0; i < sizeof(bss_big); ++i) {
            assert_eq(bss_big[i], char(i % 251));
        }
        // Wait for the parent's own changes, which must not show here.
        int polls = 0;
        while (*parent_done == 0) {
            assert_lt(++polls, 5000);
            sys_msleep(2);
        }
        assert_eq(data_value, 1111);
        assert_eq(bss_value, 2222);
        assert_eq(stack_value, 3333);
        assert_eq(*heap_value, 4444);
        assert_eq(bss_big[PAGESIZE + 5], char((PAGESIZE + 5) % 251));
        // Our changes must not show in the parent.
        data_value = -1;
        bss_value = -2;
        stack_value = -3;
        *heap_value = -4;
        memset(bss_big, 0, sizeof(bss_big));
        sys_exit(0);
    }

    data_value = 5555;
    bss_big[PAGESIZE + 5] = 'p';
    *parent_done = 1;
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 0);

    assert_eq(data_value, 5555);
    assert_eq(bss_value, 2222);
    assert_eq(stack_value, 3333);
    assert_eq(*heap_value, 4444);
    for (size_t i = 0; i < sizeof(bss_big); ++i) {
        assert_eq(bss_big[i], i == PAGESIZE + 5 ? 'p' : char(i % 251));
    }

    console_printf("forkcopy succeeded!\n");
    sys_exit(0);
}
