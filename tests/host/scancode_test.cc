// scancode_test.cc — host tests of PS/2 scan code set 1 decoding
// (kernel/dev/scancode.cc): letters, digits, punctuation, modifiers, Caps Lock,
// Ctrl, releases and the 0xE0 / 0xE1 prefixes.
#include <gtest/gtest.h>
#include <initializer_list>
#include <string>
#include "scancode.hh"

namespace {

constexpr uint8_t lshift = 0x2A, rshift = 0x36, lctrl = 0x1D, caps = 0x3A;
constexpr uint8_t released(uint8_t make) { return make | 0x80; }

// Feed the bytes; collect the characters they type.
std::string feed(scancode_decoder& d, std::initializer_list<int> codes) {
    std::string out;
    for (int c : codes) {
        int ch = d.feed(uint8_t(c));
        if (ch >= 0) {
            out += char(ch);
        }
    }
    return out;
}

// Press and release one key.
std::string tap(scancode_decoder& d, uint8_t make) {
    return feed(d, {make, released(make)});
}

TEST(scancode, letters_digits_and_space) {
    scancode_decoder d;
    std::string s;
    for (uint8_t k : {0x23, 0x12, 0x26, 0x26, 0x18, 0x39, 0x02, 0x0B, 0x0A}) {
        s += tap(d, k);
    }
    EXPECT_EQ(s, "hello 109");
    std::string row;
    for (uint8_t k = 0x10; k <= 0x19; ++k) {
        row += tap(d, k);
    }
    EXPECT_EQ(row, "qwertyuiop");
    row.clear();
    for (uint8_t k = 0x2C; k <= 0x32; ++k) {
        row += tap(d, k);
    }
    EXPECT_EQ(row, "zxcvbnm");
}

TEST(scancode, punctuation_plain_and_shifted) {
    const uint8_t keys[] = {0x0C, 0x0D, 0x1A, 0x1B, 0x27, 0x28, 0x29, 0x2B, 0x33, 0x34, 0x35};
    scancode_decoder d;
    std::string plain, shifted;
    for (uint8_t k : keys) {
        plain += tap(d, k);
    }
    feed(d, {lshift});
    for (uint8_t k : keys) {
        shifted += tap(d, k);
    }
    EXPECT_EQ(plain, "-=[];'`\\,./");
    EXPECT_EQ(shifted, "_+{}:\"~|<>?");
    std::string digits;
    for (uint8_t k = 0x02; k <= 0x0B; ++k) {
        digits += tap(d, k);
    }
    EXPECT_EQ(digits, "!@#$%^&*()");
}

TEST(scancode, control_keys) {
    scancode_decoder d;
    EXPECT_EQ(tap(d, 0x1C), "\n");      // Enter
    EXPECT_EQ(tap(d, 0x0E), "\b");      // Backspace
    EXPECT_EQ(tap(d, 0x0F), "\t");      // Tab
    EXPECT_EQ(tap(d, 0x01), "\x1b");    // Escape
}

TEST(scancode, releases_type_nothing) {
    scancode_decoder d;
    EXPECT_EQ(feed(d, {released(0x1E), released(0x1C), released(0x39)}), "");
    EXPECT_EQ(feed(d, {0x1E, 0x1E, 0x1E, released(0x1E)}), "aaa");    // auto-repeat
}

TEST(scancode, both_shifts) {
    scancode_decoder d;
    EXPECT_EQ(feed(d, {lshift, 0x1E, released(lshift), 0x1E}), "Aa");
    EXPECT_EQ(feed(d, {rshift, 0x1E, released(rshift), 0x1E}), "Aa");
    // Both down, one released: still shifted.
    EXPECT_EQ(feed(d, {lshift, rshift, released(lshift), 0x1E, released(rshift), 0x1E}), "Aa");
    EXPECT_FALSE(d.shift());
}

TEST(scancode, caps_lock_toggles_letters_only) {
    scancode_decoder d;
    tap(d, caps);
    EXPECT_TRUE(d.caps_lock());
    EXPECT_EQ(tap(d, 0x1E) + tap(d, 0x02) + tap(d, 0x33), "A1,");
    EXPECT_EQ(feed(d, {lshift, 0x1E, 0x02, released(lshift)}), "a!");
    tap(d, caps);
    EXPECT_FALSE(d.caps_lock());
    EXPECT_EQ(tap(d, 0x1E), "a");
}

TEST(scancode, held_caps_lock_repeat_does_not_toggle_again) {
    scancode_decoder d;
    feed(d, {caps, caps, caps});
    EXPECT_TRUE(d.caps_lock());
    feed(d, {released(caps)});
    EXPECT_TRUE(d.caps_lock());
}

TEST(scancode, ctrl_letters_are_control_characters) {
    scancode_decoder d;
    EXPECT_EQ(feed(d, {lctrl, 0x20, 0x2E, 0x16, 0x1E, 0x2C, released(lctrl)}),
              "\x04\x03\x15\x01\x1a");      // Ctrl-D, C, U, A, Z
    EXPECT_EQ(tap(d, 0x20), "d");
    // Shift or Caps Lock do not change the control character.
    EXPECT_EQ(feed(d, {lctrl, lshift, 0x20, released(lshift), released(lctrl)}), "\x04");
    tap(d, caps);
    EXPECT_EQ(feed(d, {lctrl, 0x2E, released(lctrl)}), "\x03");
    tap(d, caps);
    // Ctrl-[ is Escape; Ctrl with a digit types the digit.
    EXPECT_EQ(feed(d, {lctrl, 0x1A, 0x02, released(lctrl)}), "\x1b" "1");
}

TEST(scancode, right_ctrl_is_extended) {
    scancode_decoder d;
    EXPECT_EQ(feed(d, {0xE0, lctrl, 0x20, 0xE0, released(lctrl), 0x20}), "\x04" "d");
    EXPECT_FALSE(d.ctrl());
}

TEST(scancode, extended_keys) {
    scancode_decoder d;
    // Keypad Enter and keypad '/'.
    EXPECT_EQ(feed(d, {0xE0, 0x1C, 0xE0, released(0x1C)}), "\n");
    EXPECT_EQ(feed(d, {0xE0, 0x35, 0xE0, released(0x35)}), "/");
    // Arrows, Home, Delete, right Alt: nothing, and no stray characters
    // from their second bytes (0x48 is keypad 8 without the prefix).
    EXPECT_EQ(feed(d, {0xE0, 0x48, 0xE0, released(0x48), 0xE0, 0x47, 0xE0, released(0x47),
                       0xE0, 0x53, 0xE0, released(0x53), 0xE0, 0x38, 0xE0, released(0x38)}),
              "");
    EXPECT_EQ(tap(d, 0x48), "8");       // the plain keypad key still types
}

TEST(scancode, fake_shifts_do_not_change_shift_state) {
    scancode_decoder d;
    // Print Screen: E0 2A E0 37, release E0 B7 E0 AA.
    EXPECT_EQ(feed(d, {0xE0, lshift, 0xE0, 0x37, 0xE0, released(0x37), 0xE0, released(lshift)}),
              "");
    EXPECT_FALSE(d.shift());
    EXPECT_EQ(tap(d, 0x1E), "a");
    // Shift held, then an extended key with a fake shift release/press.
    EXPECT_EQ(feed(d, {lshift, 0xE0, released(lshift), 0xE0, 0x48, 0xE0, released(0x48),
                       0xE0, lshift, 0x1E, released(lshift)}),
              "A");
}

TEST(scancode, pause_sequence_is_ignored) {
    scancode_decoder d;
    EXPECT_EQ(feed(d, {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}), "");
    EXPECT_FALSE(d.ctrl());
    EXPECT_EQ(tap(d, 0x1E), "a");
}

TEST(scancode, keypad_and_unknown_codes) {
    scancode_decoder d;
    EXPECT_EQ(tap(d, 0x4F) + tap(d, 0x52) + tap(d, 0x53) + tap(d, 0x37) + tap(d, 0x4A) +
              tap(d, 0x4E), "10.*-+");
    // Function keys, Alt, Num Lock, codes past the table, controller bytes.
    EXPECT_EQ(feed(d, {0x3B, 0x44, 0x57, 0x58, 0x38, 0x45, 0x46, 0x59, 0x7F, 0x00, 0xFA, 0xFE,
                       0xEE, 0xFF}),
              "");
}

}  // namespace
