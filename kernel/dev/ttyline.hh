// ttyline.hh — the console line discipline, as pure logic.
//
// Raw typed bytes (serial and keyboard alike) go in through `input`; whole
// lines come out through `read`. Editing: Backspace/DEL erase a character,
// Ctrl-U the line; CR, LF or CR LF end a line (delivered with '\n');
// Ctrl-D at the start of a line is end of file (a read returns 0), Ctrl-D
// mid-line delivers the line so far without a newline. Everything typed is
// echoed through the caller's `ttyline_echo`. No locks and no kernel
// globals: the kernel glue (console.cc) serializes calls.
// Easy to get wrong: the ring holds committed lines *and* the line being
// edited, so a character may be accepted only if room remains for the
// byte that will end its line; otherwise a full buffer could hold a line
// that can never be completed and readers would wait forever.
#pragma once
#include <stddef.h>
#include <stdint.h>

// Where echo goes; `write` may be called several times per input byte.
struct ttyline_echo {
    void (*write)(void* arg, const char* s, size_t n);
    void* arg;
};

class ttyline {
public:
    static constexpr size_t capacity = 1024;    // entries, lines and markers
    static constexpr size_t max_line = 255;     // characters in one edited line

    static constexpr char erase = '\b', erase_del = 0x7F, kill_line = 0x15,
        end_of_file = 0x04;

    // Handle one typed byte. Bytes that do not fit are dropped.
    void input(char ch, const ttyline_echo& echo);

    // True when a byte typed now could be dropped for want of room in the
    // ring (not for an over-long line): a reader will make room, so the
    // caller may hold input back until then (console.cc does for serial).
    bool full() const { return free_entries() < 2; }

    // True when `read` would return at once (a line or end of file is ready).
    bool readable() const { return read_ != committed_; }
    // Copy up to `size` bytes of the next line into `buf`, stopping after
    // its '\n'; the rest of a long line stays for the next read. Returns
    // 0 for end of file (and when not readable or size is 0: check first).
    size_t read(char* buf, size_t size);

    // Characters in the line being edited (not yet readable).
    size_t editing() const { return edit_ - committed_; }

private:
    // A zero-length line end that Ctrl-D leaves behind: at the start of a
    // read it means end of file; after bytes it just ends the read.
    static constexpr uint16_t push_marker = 0x100;

    size_t free_entries() const { return capacity - (edit_ - read_); }
    uint16_t at(size_t i) const { return ring_[i % capacity]; }
    void push(uint16_t entry) { ring_[edit_++ % capacity] = entry; }
    void end_line(uint16_t terminator, const ttyline_echo& echo);
    void erase_last(const ttyline_echo& echo);
    size_t column_at(size_t position) const;

    // Positions only grow; entry i is ring_[i % capacity].
    // [read_, committed_) readable; [committed_, edit_) the line being edited.
    uint16_t ring_[capacity] = {};
    size_t read_ = 0, committed_ = 0, edit_ = 0;
    bool after_cr_ = false;     // last byte was CR: a following LF is its pair
};
