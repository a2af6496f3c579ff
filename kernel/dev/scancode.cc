// scancode.cc — scan code set 1 translation (see scancode.hh).
//
// The tables are indexed by make code; 0 means "no character". Keypad keys
// always type their digits (Num Lock is not tracked).
#include "scancode.hh"

namespace {

constexpr uint8_t key_left_ctrl = 0x1D, key_left_shift = 0x2A,
    key_right_shift = 0x36, key_caps_lock = 0x3A, key_enter = 0x1C,
    key_slash = 0x35;
constexpr uint8_t prefix_extended = 0xE0, prefix_pause = 0xE1;
constexpr uint8_t break_bit = 0x80;

// Unshifted and shifted characters for make codes 0x00-0x58.
constexpr int table_size = 0x59;
constexpr char plain[table_size + 1] =
    "\0\x1b" "1234567890-=\b\t"         // 0x00-0x0F
    "qwertyuiop[]\n\0as"                // 0x10-0x1F (0x1D: Ctrl)
    "dfghjkl;'`\0\\zxcv"                // 0x20-0x2F (0x2A: left Shift)
    "bnm,./\0*\0 \0\0\0\0\0\0"          // 0x30-0x3F (Shift, Alt, Caps, F1-F5)
    "\0\0\0\0\0\0\0" "789-456+1"        // 0x40-0x4F (F6-F10, Num/Scroll Lock, keypad)
    "230.\0\0\0\0\0";                   // 0x50-0x58 (keypad, F11, F12)
constexpr char shifted[table_size + 1] =
    "\0\x1b" "!@#$%^&*()_+\b\t"
    "QWERTYUIOP{}\n\0AS"
    "DFGHJKL:\"~\0|ZXCV"
    "BNM<>?\0*\0 \0\0\0\0\0\0"
    "\0\0\0\0\0\0\0" "789-456+1"
    "230.\0\0\0\0\0";
static_assert(sizeof(plain) == table_size + 1 && sizeof(shifted) == table_size + 1);
static_assert(plain[0x1E] == 'a' && plain[0x39] == ' ' && plain[0x53] == '.');
static_assert(shifted[0x2B] == '|' && shifted[0x35] == '?');

bool is_letter(char ch) { return ch >= 'a' && ch <= 'z'; }

}  // namespace

int scancode_decoder::feed(uint8_t code) {
    if (skip_ > 0) {
        --skip_;
        return -1;
    }
    if (code == prefix_pause) {
        // Pause: E1 1D 45 E1 9D C5. Each E1 is followed by two bytes.
        skip_ = 2;
        extended_ = false;
        return -1;
    }
    if (code == prefix_extended) {
        extended_ = true;
        return -1;
    }
    bool released = code & break_bit;
    uint8_t key = code & ~break_bit;
    if (extended_) {
        extended_ = false;
        return feed_extended(key, released);
    }
    switch (key) {
    case key_left_shift:
        left_shift_ = !released;
        return -1;
    case key_right_shift:
        right_shift_ = !released;
        return -1;
    case key_left_ctrl:
        left_ctrl_ = !released;
        return -1;
    case key_caps_lock:
        if (!released && !caps_held_) {
            caps_lock_ = !caps_lock_;
        }
        caps_held_ = !released;
        return -1;
    }
    if (released) {
        return -1;
    }
    return translate(key);
}

// After 0xE0: right Ctrl, keypad Enter and keypad '/' matter; fake shifts,
// arrows, Home/End and the rest are dropped.
int scancode_decoder::feed_extended(uint8_t key, bool released) {
    if (key == key_left_ctrl) {
        right_ctrl_ = !released;
        return -1;
    }
    if (released) {
        return -1;
    }
    if (key == key_enter) {
        return '\n';
    }
    if (key == key_slash) {
        return '/';
    }
    return -1;
}

int scancode_decoder::translate(uint8_t key) const {
    if (key >= table_size || !plain[key]) {
        return -1;
    }
    char ch = plain[key];
    bool upper = shift();
    if (is_letter(ch) && caps_lock_) {
        upper = !upper;
    }
    if (upper) {
        ch = shifted[key];
    }
    // Ctrl with a letter or one of @ [ \ ] ^ _ gives the control character
    // 0x00-0x1F that ASCII pairs with it (Ctrl-C 3, Ctrl-D 4, Ctrl-U 21).
    if (ctrl()) {
        if (ch >= 'a' && ch <= 'z') {
            return ch - 'a' + 1;
        }
        if (ch >= '@' && ch <= '_') {
            return ch & 0x1F;
        }
    }
    return uint8_t(ch);
}
