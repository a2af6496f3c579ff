// p-msleep-order.cc — sleeping children wake in the order of their sleep
// times.
//
// Eight children are forked in a shuffled order. Each waits for a "go"
// flag in the console page (so that all sleeps start together, whatever
// fork costs), then sleeps 100 * (k + 1) ms, k its index, then claims the
// next free row of a block of console rows (compare-and-swap on the row's
// first cell, so two children can never take the same row) and writes its
// index there. The parent waits for all of them and reads the rows back:
// row i must hold child i.
//
// Kernel behaviour assumed: sys_msleep(ms) sleeps at least ms and wakes
// within ~20 ms of its deadline on an idle machine; the console page is
// shared by fork.
#include "u-lib.hh"

namespace {

constexpr int nchildren = 8;
// 100 ms apart: under an emulator on a loaded host, one virtual CPU can be
// descheduled for tens of milliseconds, which would start its children's
// sleeps late (25 ms apart was seen to reorder two of them).
constexpr unsigned step_ms = 100;
constexpr int first_row = 10;
constexpr uint16_t blank = ' ' | COLOR_NORMAL;

volatile uint16_t* const go = &console[CPOS(first_row - 1, 79)];

[[noreturn]] void child(int k) {
    while (*go == 0) {
        sys_yield();
    }
    int r = sys_msleep(step_ms * (k + 1));
    assert_eq(r, 0);
    uint16_t mark = uint16_t('0' + k) | 0x0E00;
    for (int row = first_row; row < first_row + nchildren; ++row) {
        uint16_t expected = blank;
        if (__atomic_compare_exchange_n(&console[CPOS(row, 0)], &expected, mark, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            console_printf(CPOS(row, 1), 0x0E00, " child %d woke after %u ms\n", k,
                           step_ms * (k + 1));
            sys_exit(0);
        }
    }
    panic("child %d found no free row", k);
}

}  // namespace

void process_main() {
    console_clear();
    *go = 0;
    static const int fork_order[nchildren] = {5, 2, 7, 0, 3, 6, 1, 4};
    for (int k : fork_order) {
        pid_t p = sys_fork();
        assert_ge(p, 0);
        if (p == 0) {
            child(k);
        }
    }
    *go = 1;

    for (int n = 0; n < nchildren; ++n) {
        int status = -1;
        assert_gt(sys_waitpid(0, &status), 0);
        assert_eq(status, 0);
    }
    assert_eq(sys_waitpid(0), E_CHILD);

    for (int i = 0; i < nchildren; ++i) {
        char ch = char(console[CPOS(first_row + i, 0)] & 0xFF);
        assert_eq(ch, char('0' + i));
    }
    console_printf("msleep-order succeeded!\n");
    sys_exit(0);
}
