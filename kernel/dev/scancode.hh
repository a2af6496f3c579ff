// scancode.hh — PS/2 scan code set 1 to ASCII, as pure logic.
//
// The i8042 controller (with translation on, the PC default) delivers scan
// code set 1: one byte per key press ("make"), the same byte | 0x80 on
// release ("break"), 0xE0 before the keys the original 83-key keyboard did
// not have, and 0xE1 before the six-byte Pause sequence. Kept free of
// hardware access so host tests can drive it byte by byte.
// Easy to get wrong: Print Screen and the extended navigation keys send
// "fake" shift codes (0xE0 0x2A, 0xE0 0xB6, ...) that must not change the
// real Shift state, and a held Caps Lock auto-repeats its make code, which
// must not toggle the lock again.
#pragma once
#include <stdint.h>

class scancode_decoder {
public:
    // Feed one byte read from the controller. Returns the byte it types
    // (0..255), or -1 if it completes no character (a release, a modifier,
    // a prefix, a key with no ASCII meaning).
    int feed(uint8_t code);

    bool shift() const { return left_shift_ || right_shift_; }
    bool ctrl() const { return left_ctrl_ || right_ctrl_; }
    bool caps_lock() const { return caps_lock_; }

private:
    int feed_extended(uint8_t key, bool released);
    int translate(uint8_t key) const;

    bool left_shift_ = false, right_shift_ = false;
    bool left_ctrl_ = false, right_ctrl_ = false;
    bool caps_lock_ = false;
    bool caps_held_ = false;    // Caps Lock key is down (ignore auto-repeat)
    bool extended_ = false;     // the previous byte was 0xE0
    int skip_ = 0;              // bytes of a Pause (0xE1) sequence still to drop
};
