// p-consolewrite.cc — output written through the kernel (sys_write to fd
// 1 or 2, printf, dprintf) is drawn on the console page at `cursorpos`,
// and the kernel advances `cursorpos` past it (a newline moves it to the
// start of the next row), just as console_printf does.
//
// Only the characters are checked, not the attribute the kernel uses.
#include "u-lib.hh"

namespace {

void expect_chars(int cpos, const char* text) {
    for (int i = 0; text[i]; ++i) {
        char got = char(console[cpos + i] & 0xFF);
        if (got != text[i]) {
            panic("cell (%d, %d) holds '%c', expected '%c'", CROW(cpos + i), CCOL(cpos + i),
                  got, text[i]);
        }
    }
}

}  // namespace

void process_main() {
    console_clear();

    cursorpos = CPOS(3, 0);
    assert_eq(sys_write(1, "kernel-drawn\n", 13), 13);
    expect_chars(CPOS(3, 0), "kernel-drawn");
    assert_eq(cursorpos, CPOS(4, 0));

    cursorpos = CPOS(5, 4);
    assert_eq(sys_write(2, "two", 3), 3);
    expect_chars(CPOS(5, 4), "two");
    assert_eq(cursorpos, CPOS(5, 7));

    cursorpos = CPOS(7, 0);
    printf("printf %d", 17);
    expect_chars(CPOS(7, 0), "printf 17");
    assert_eq(cursorpos, CPOS(7, 9));
    dprintf(2, " and dprintf\n");
    expect_chars(CPOS(7, 9), " and dprintf");
    assert_eq(cursorpos, CPOS(8, 0));

    // Mixed with console_printf, which uses the same cursor.
    console_printf("mix:");
    assert_eq(sys_write(1, "ed\n", 3), 3);
    expect_chars(CPOS(8, 0), "mix:ed");
    assert_eq(cursorpos, CPOS(9, 0));

    console_printf("consolewrite succeeded!\n");
    sys_exit(0);
}
