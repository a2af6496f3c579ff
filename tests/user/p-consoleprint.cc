// p-consoleprint.cc — console_printf and friends draw the documented cells
// on the console page: character | attribute << 8, at CPOS(row, col).
//
// Checked: console_clear (blank cells 0x0720, cursor at 0); the
// positioned form console_printf(cpos, color, ...) draws in `color` and
// returns the position after the text without moving the cursor; newline
// goes to the next row's start; the ANSI prefixes select the CGA colours
// (CS_SUCCESS bright green 0x0A, CS_ERROR bright red 0x0C, CS_WHITE bright
// white 0x0F, CS_GREEN green 0x02, CS_ECHO cyan 0x03, CS_NORMAL grey
// 0x07); the cursor forms print at and advance `cursorpos`; error_printf
// uses COLOR_ERROR; printing past the last cell scrolls the screen up one
// row; CPOS/CROW/CCOL agree.
#include "u-lib.hh"

namespace {

constexpr uint16_t blank = ' ' | COLOR_NORMAL;

// Checks that the cells from `cpos` hold `text`, each with `attr`.
void expect_cells(int cpos, const char* text, uint16_t attr) {
    for (int i = 0; text[i]; ++i) {
        uint16_t want = uint16_t((unsigned char) text[i]) | attr;
        if (console[cpos + i] != want) {
            panic("cell (%d, %d): 0x%04x, expected 0x%04x", CROW(cpos + i), CCOL(cpos + i),
                  console[cpos + i], want);
        }
    }
}

}  // namespace

void process_main() {
    static_assert(CPOS(3, 7) == 247 && CROW(247) == 3 && CCOL(247) == 7);
    static_assert(CONSOLE_ROWS == 25 && CONSOLE_COLUMNS == 80);
    assert_eq(reinterpret_cast<uintptr_t>(console), 0xB8000UL);
    assert_eq(reinterpret_cast<uintptr_t>(&cursorpos), 0xB8FF8UL);
    assert_eq(reinterpret_cast<uintptr_t>(&consoletype), 0xB8FFCUL);

    console_clear();
    assert_eq(cursorpos, 0);
    for (int i = 0; i < CONSOLE_ROWS * CONSOLE_COLUMNS; ++i) {
        assert_eq(console[i], blank);
    }

    // Positioned, coloured; the cursor does not move.
    int end_pos = console_printf(CPOS(5, 10), 0x0E00, "yellow %d", 42);
    assert_eq(end_pos, CPOS(5, 19));
    expect_cells(CPOS(5, 10), "yellow 42", 0x0E00);
    assert_eq(console[CPOS(5, 9)], blank);
    assert_eq(console[CPOS(5, 19)], blank);
    assert_eq(cursorpos, 0);

    // Newline.
    end_pos = console_printf(CPOS(6, 3), COLOR_NORMAL, "ab\ncd");
    assert_eq(end_pos, CPOS(7, 2));
    expect_cells(CPOS(6, 3), "ab", 0x0700);
    expect_cells(CPOS(7, 0), "cd", 0x0700);
    assert_eq(console[CPOS(6, 5)], blank);

    // ANSI colour prefixes; colour 0 means the normal colour.
    end_pos = console_printf(CPOS(8, 0), 0,
                             "n" CS_SUCCESS "s" CS_NORMAL "n" CS_ERROR "e" CS_WHITE "w" CS_GREEN
                             "g" CS_ECHO "c" CS_NORMAL "n");
    assert_eq(end_pos, CPOS(8, 8));
    expect_cells(CPOS(8, 0), "n", 0x0700);
    expect_cells(CPOS(8, 1), "s", 0x0A00);
    expect_cells(CPOS(8, 2), "n", 0x0700);
    expect_cells(CPOS(8, 3), "e", 0x0C00);
    expect_cells(CPOS(8, 4), "w", 0x0F00);
    expect_cells(CPOS(8, 5), "g", 0x0200);
    expect_cells(CPOS(8, 6), "c", 0x0300);
    expect_cells(CPOS(8, 7), "n", 0x0700);

    // Cursor forms.
    cursorpos = CPOS(10, 0);
    console_printf("xy %s\n", "z");
    expect_cells(CPOS(10, 0), "xy z", 0x0700);
    assert_eq(cursorpos, CPOS(11, 0));
    console_printf(0x0500, "m%c", 'n');
    expect_cells(CPOS(11, 0), "mn", 0x0500);
    assert_eq(cursorpos, CPOS(11, 2));
    cursorpos = CPOS(12, 0);
    error_printf("err");
    expect_cells(CPOS(12, 0), "err", COLOR_ERROR);
    assert_eq(cursorpos, CPOS(12, 3));

    // Scrolling: printing past the last cell moves every row up one.
    console_printf(CPOS(23, 0), COLOR_NORMAL, "above");
    console_printf(CPOS(24, 0), COLOR_NORMAL, "bottom");
    end_pos = console_printf(CPOS(24, 78), COLOR_NORMAL, "XYZ");
    assert_eq(end_pos, CPOS(24, 1));
    expect_cells(CPOS(22, 0), "above", 0x0700);
    expect_cells(CPOS(23, 0), "bottom", 0x0700);
    expect_cells(CPOS(23, 78), "XY", 0x0700);
    expect_cells(CPOS(24, 0), "Z", 0x0700);
    for (int col = 1; col < CONSOLE_COLUMNS; ++col) {
        assert_eq(console[CPOS(24, col)], blank);
    }
    // Everything else moved up one row too.
    expect_cells(CPOS(4, 10), "yellow 42", 0x0E00);
    expect_cells(CPOS(6, 0), "cd", 0x0700);
    expect_cells(CPOS(10, 0), "mn", 0x0500);
    expect_cells(CPOS(11, 0), "err", COLOR_ERROR);

    cursorpos = CPOS(0, 0);
    console_printf("consoleprint succeeded!\n");
    sys_exit(0);
}
