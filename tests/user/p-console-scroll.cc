// p-console-scroll.cc — the kernel and the user library agree on the
// shared cursor at the bottom of the screen.
//
// After a line ending in '\n' on the last row the cursor is 2000 (one past
// the screen): the line stays visible, and the screen scrolls when
// something more is drawn. Before, the library kept going down from 2000
// (a second '\n' and then text wrote past the console page and killed the
// process) and the kernel took 2000 for garbage and restarted at the top
// left. Checks what each row holds after library output, kernel output
// (sys_write) and "\n\n" from the bottom.
#include "u-lib.hh"

namespace {
constexpr int end_cpos = CONSOLE_ROWS * CONSOLE_COLUMNS;

// Row `row` starts with `text` followed by a blank.
bool row_starts(int row, const char* text) {
    int i = 0;
    for (; text[i]; ++i) {
        if ((console[CPOS(row, i)] & 0xFF) != (unsigned char) text[i]) {
            return false;
        }
    }
    return (console[CPOS(row, i)] & 0xFF) == ' ';
}

bool row_blank(int row) {
    return row_starts(row, "");
}
}  // namespace

void process_main() {
    console_clear();
    for (int i = 0; i < 30; ++i) {
        console_printf("line %d\n", i);
        assert_le(cursorpos, end_cpos);
    }
    assert_eq(cursorpos, end_cpos);
    assert(row_starts(0, "line 5"));
    assert(row_starts(24, "line 29"));

    // The kernel scrolls from 2000 too, instead of writing at the top left.
    const char kernel_line[] = "KERNEL\n";
    assert_eq(sys_write(1, kernel_line, sizeof(kernel_line) - 1), ssize_t(sizeof(kernel_line) - 1));
    assert_eq(cursorpos, end_cpos);
    assert(row_starts(23, "line 29"));
    assert(row_starts(24, "KERNEL"));
    assert(row_starts(0, "line 6"));

    // Two newlines and text from the bottom: two blank rows, then the text.
    console_printf("\n\nthird");
    assert_eq(cursorpos, CPOS(24, 5));
    assert(row_starts(21, "KERNEL"));
    assert(row_blank(22));
    assert(row_blank(23));
    assert(row_starts(24, "third"));

    // And the kernel from the middle of the last row: no scroll.
    const char more[] = " more\n";
    sys_write(1, more, sizeof(more) - 1);
    assert(row_starts(24, "third"));
    assert_eq(cursorpos, end_cpos);
    console_printf("\nconsole-scroll succeeded!\n");
    sys_exit(0);
}
