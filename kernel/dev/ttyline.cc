// ttyline.cc — the console line discipline (see ttyline.hh).
//
// Echo shows control characters in caret form (Ctrl-C as "^C") and a tab
// as spaces up to the next multiple of 8 counted from the start of the
// edited line, so that erasing can take back exactly the columns it drew
// without knowing where the prompt left the cursor.
#include "ttyline.hh"

namespace {

bool is_control(unsigned char ch) { return ch < 0x20; }

size_t echo_width(unsigned char ch, size_t column) {
    if (ch == '\t') {
        return 8 - column % 8;
    }
    return is_control(ch) ? 2 : 1;
}

void echo_char(unsigned char ch, size_t column, const ttyline_echo& echo) {
    if (ch == '\t') {
        static const char spaces[] = "        ";
        echo.write(echo.arg, spaces, echo_width(ch, column));
    } else if (is_control(ch)) {
        char caret[2] = {'^', char(ch + '@')};
        echo.write(echo.arg, caret, 2);
    } else {
        char c = char(ch);
        echo.write(echo.arg, &c, 1);
    }
}

}  // namespace

void ttyline::input(char c, const ttyline_echo& echo) {
    unsigned char ch = c;
    bool pairs_with_cr = after_cr_ && ch == '\n';
    after_cr_ = ch == '\r';
    if (pairs_with_cr) {
        return;
    }
    switch (ch) {
    case '\r':
    case '\n':
        end_line('\n', echo);
        return;
    case erase:
    case erase_del:
        erase_last(echo);
        return;
    case kill_line:
        while (editing() > 0) {
            erase_last(echo);
        }
        return;
    case end_of_file:
        end_line(push_marker, echo);
        return;
    }
    // Keep one entry free for the byte that will end this line.
    if (editing() >= max_line || free_entries() < 2) {
        return;
    }
    size_t column = column_at(edit_);
    push(ch);
    echo_char(ch, column, echo);
}

void ttyline::end_line(uint16_t terminator, const ttyline_echo& echo) {
    if (free_entries() < 1) {
        return;     // only possible with an empty line and a full buffer
    }
    push(terminator);
    committed_ = edit_;
    if (terminator == '\n') {
        echo.write(echo.arg, "\n", 1);
    }
}

// Column (from the start of the edited line) where the entry at `position`
// is drawn. Lines are short, so recomputing beats keeping a column array.
size_t ttyline::column_at(size_t position) const {
    size_t column = 0;
    for (size_t i = committed_; i < position; ++i) {
        column += echo_width(at(i), column);
    }
    return column;
}

void ttyline::erase_last(const ttyline_echo& echo) {
    if (editing() == 0) {
        return;
    }
    size_t width = echo_width(at(edit_ - 1), column_at(edit_ - 1));
    --edit_;
    for (size_t i = 0; i < width; ++i) {
        echo.write(echo.arg, "\b \b", 3);
    }
}

size_t ttyline::read(char* buf, size_t size) {
    size_t n = 0;
    while (n < size && read_ != committed_) {
        uint16_t entry = at(read_++);
        if (entry == push_marker) {
            return n;       // 0: end of file
        }
        buf[n++] = char(entry);
        if (entry == '\n') {
            return n;
        }
    }
    // Filled `buf` exactly up to a Ctrl-D: that marker ends these bytes,
    // and left in place it would read as a spurious end of file.
    if (n > 0 && read_ != committed_ && at(read_) == push_marker) {
        ++read_;
    }
    return n;
}
