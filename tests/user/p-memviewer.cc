// p-memviewer.cc — sys_consoletype(CONSOLE_MEMVIEWER) draws a map of
// physical memory on the screen: this process's pages appear as its pid's
// character, more of them after it allocates, and fewer free cells; the
// map follows a page freed by exit; CONSOLE_NORMAL puts the text back.
//! mem: 32M
#include "u-lib.hh"
#include "test-util.hh"

// The map's cells (rows 1-24, columns 10-73) drawn with character `ch`.
int cells_with(char ch) {
    int n = 0;
    for (int row = 1; row < CONSOLE_ROWS; ++row) {
        for (int col = 10; col < 74; ++col) {
            n += char(console[CPOS(row, col)] & 0xFF) == ch;
        }
    }
    return n;
}

// Wait for the viewer's next redraws (ten a second).
void wait_redraw() {
    sys_msleep(250);
}

char pid_char(pid_t pid) {
    static const char chars[] = "123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return chars[(pid - 1) % (sizeof(chars) - 1)];
}

void process_main() {
    console[CPOS(12, 40)] = 0x0700 | '@';
    assert_eq(sys_consoletype(7), E_INVAL);
    assert_eq(sys_consoletype(CONSOLE_MEMVIEWER), 0);
    assert_eq(consoletype, CONSOLE_MEMVIEWER);
    wait_redraw();
    const char legend[] = "PHYSICAL MEMORY";
    for (size_t i = 0; i < sizeof(legend) - 1; ++i) {
        assert_eq(char(console[i] & 0xFF), legend[i]);
    }
    char me = pid_char(sys_getpid());
    int mine = cells_with(me), free_before = cells_with('.');
    assert_ge(mine, 1);         // text, data, stack
    assert_ge(free_before, 1);

    // 2 MiB more: at 32 MiB, with 8-page cells, 64 more cells if the pages
    // share no cell with the ones it had (allow for some that do).
    uintptr_t heap = 0x400000;
    for (int i = 0; i < 512; ++i) {
        assert_eq(sys_page_alloc(reinterpret_cast<void*>(heap + i * 4096)), 0);
    }
    wait_redraw();
    int mine_after = cells_with(me);
    assert_ge(mine_after, mine + 32);
    assert_lt(cells_with('.'), free_before);

    // A child that allocates the same and exits: its character appears,
    // then disappears once it has exited.
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        for (int i = 0; i < 512; ++i) {
            assert_eq(sys_page_alloc(reinterpret_cast<void*>(heap + 0x400000 + i * 4096)), 0);
        }
        wait_redraw();
        sys_exit(cells_with(pid_char(sys_getpid())) >= 32 ? 0 : 1);
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);
    wait_redraw();
    assert_eq(cells_with(pid_char(child)), 0);

    assert_eq(sys_consoletype(CONSOLE_NORMAL), 0);
    assert_eq(char(console[CPOS(12, 40)] & 0xFF), '@');
    assert_eq(char(console[0] & 0xFF), ' ');
    wait_redraw();
    assert_eq(char(console[CPOS(12, 40)] & 0xFF), '@');     // no more drawing
    printf("p-memviewer succeeded!\n");
}
