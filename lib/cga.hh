// cga.hh — the cursor rules of the 80x25 text screen, shared by the
// kernel's console (kernel/dev/console.cc) and console_printf
// (user/u-console.cc). Both draw on the same page, and the cursor position
// lives in that page, so they must read and move it alike.
#pragma once
#include <stdint.h>

constexpr int cga_columns = 80, cga_rows = 25;
constexpr int cga_end = cga_columns * cga_rows;

// A cursor position read from the shared page, where any value may be
// found: outside [0, cga_end] it is garbage and restarts at 0. cga_end
// itself is valid and means "after the last row", so that a last line
// ending in '\n' stays on screen until something more comes.
inline int cga_valid_cursor(int pos) {
    return pos < 0 || pos > cga_end ? 0 : pos;
}

// Before `ch` is handled at `pos`: at cga_end, a character that goes down
// or draws (anything but '\r', '\b' and '\t') first scrolls the screen up a
// row, filling the new last row with `blank`. Returns the cursor.
inline int cga_make_room(uint16_t* cells, int pos, char ch, uint16_t blank) {
    if (pos < cga_end || ch == '\r' || ch == '\b' || ch == '\t') {
        return pos;
    }
    for (int i = 0; i < cga_end - cga_columns; ++i) {
        cells[i] = cells[i + cga_columns];
    }
    for (int i = cga_end - cga_columns; i < cga_end; ++i) {
        cells[i] = blank;
    }
    return pos - cga_columns;
}

// Where a newline and a tab take the cursor.
inline int cga_newline(int pos) {
    return (pos / cga_columns + 1) * cga_columns;
}
inline int cga_tab(int pos) {
    pos = (pos + 8) & ~7;
    return pos > cga_end ? cga_end : pos;
}
