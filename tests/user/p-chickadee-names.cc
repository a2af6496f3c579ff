// p-chickadee-names.cc — the names Chickadee's u-lib.hh / lib.hh give a
// program, beyond the system calls, exist here and do what Chickadee's do:
// sys_kdisplay with KDISPLAY_CONSOLE / KDISPLAY_MEMVIEWER (its pset-1/2
// spelling of sys_consoletype), read_rbp, lsb, round_down_pow2 /
// round_up_pow2, bitset_view, strcasecmp / strncasecmp, OF_CREAT,
// console_puts, and the positioned and coloured forms of error_printf.
// Easy to get wrong: console_puts writes exactly `len` bytes (the text
// need not end in NUL), and error_printf(cpos, ...) leaves cursorpos alone.
#include "u-lib.hh"

void process_main() {
    // sys_kdisplay switches the console type like sys_consoletype.
    assert_eq(sys_kdisplay(KDISPLAY_MEMVIEWER), 0);
    assert_eq(consoletype, CONSOLE_MEMVIEWER);
    assert_eq(sys_kdisplay(KDISPLAY_CONSOLE), 0);
    assert_eq(consoletype, CONSOLE_NORMAL);
    assert_eq(sys_kdisplay(-1), E_INVAL);
    assert_eq(consoletype, CONSOLE_NORMAL);

    assert_eq(read_rbp(), rdrbp());

    assert_eq(lsb(0u), 0);
    assert_eq(lsb(1u), 1);
    assert_eq(lsb(12ul), 3);
    assert_eq(lsb(int(0x80000000u)), 32);
    assert_eq(lsb(1ull << 63), 64);
    assert_eq(round_down_pow2(17ul), 16ul);
    assert_eq(round_up_pow2(17ul), 32ul);
    assert_eq(round_up_pow2(16u), 16u);
    assert_eq(round_down_pow2(0u), 0u);

    uint64_t words[3] = {0, 0, 0};
    bitset_view bits(words, 150);
    assert_eq(bits.size(), 150ul);
    assert_eq(bits.find_lsb(), 150ul);          // none set
    assert_eq(bits.find_lsz(), 0ul);
    bits[70] = true;
    bits[3] |= true;
    assert_eq(words[0], 8ul);
    assert_eq(words[1], 64ul);
    assert(bits[70] && bits[3] && !bits[4]);
    assert_eq(bits.find_lsb(), 3ul);
    assert_eq(bits.find_lsb(4), 70ul);
    assert_eq(bits.find_lsb(4, 10), 150ul);     // only [4, 14) examined
    bits[3] ^= true;
    assert_eq(words[0], 0ul);
    words[0] = ~uint64_t(0);
    words[1] = ~uint64_t(0);
    words[2] = ~uint64_t(0);
    assert_eq(bits.find_lsz(), 150ul);          // bits past 150 are not looked at
    bits[149] = false;
    assert_eq(bits.find_lsz(100), 149ul);
    assert_eq(words[2], ~(uint64_t(1) << 21));

    assert_eq(strcasecmp("Hello", "hELLO"), 0);
    assert_lt(strcasecmp("apple", "Banana"), 0);
    assert_gt(strcasecmp("b", "A"), 0);
    assert_eq(strncasecmp("CHICKADEE", "chickens", 5), 0);
    assert_ne(strncasecmp("CHICKADEE", "chickens", 6), 0);
    assert_eq(OF_CREAT, OF_CREATE);

    // console_puts: exactly `len` bytes, at cpos, cursor unchanged.
    console_clear();
    int before = cursorpos;
    const char text[] = {'a', 'b', 'c', 'X'};
    int end_pos = console_puts(CPOS(3, 5), 0x0700, text, 3);
    assert_eq(end_pos, CPOS(3, 8));
    assert_eq(console[CPOS(3, 5)], uint16_t('a' | 0x0700));
    assert_eq(console[CPOS(3, 7)], uint16_t('c' | 0x0700));
    assert_eq(console[CPOS(3, 8)], uint16_t(' ' | 0x0700));
    assert_eq(cursorpos, before);

    // error_printf(cpos, color, ...) returns the end and keeps the cursor;
    // error_printf(color, ...) prints at the cursor in that colour.
    end_pos = error_printf(CPOS(5, 0), COLOR_ERROR, "e%d", 42);
    assert_eq(end_pos, CPOS(5, 3));
    assert_eq(console[CPOS(5, 1)], uint16_t('4' | COLOR_ERROR));
    assert_eq(cursorpos, before);
    error_printf(0x0200, "g");
    assert_eq(console[before], uint16_t('g' | 0x0200));
    assert_eq(cursorpos, before + 1);

    console_printf("\n");
    printf("chickadee-names succeeded!\n");
}
