// ttyline_test.cc — host tests of the console line discipline
// (kernel/dev/ttyline.cc): editing, line ends, end of file, partial reads,
// echo, and the bounded buffer.
#include <gtest/gtest.h>
#include <string>
#include "ttyline.hh"

namespace {

std::string repeat(const std::string& s, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += s;
    }
    return out;
}

struct terminal {
    ttyline line;
    std::string echoed;

    static void collect(void* arg, const char* s, size_t n) {
        static_cast<terminal*>(arg)->echoed.append(s, n);
    }
    void type(const std::string& s) {
        for (char ch : s) {
            line.input(ch, {collect, this});
        }
    }
    // One read of at most `size` bytes; "<none>" if nothing is readable.
    std::string read(size_t size = 512) {
        if (!line.readable()) {
            return "<none>";
        }
        std::string buf(size, '\0');
        size_t n = line.read(buf.data(), size);
        buf.resize(n);
        return buf;
    }
};

TEST(ttyline, nothing_readable_until_enter) {
    terminal t;
    t.type("hello");
    EXPECT_FALSE(t.line.readable());
    EXPECT_EQ(t.line.editing(), 5u);
    t.type("\r");
    EXPECT_TRUE(t.line.readable());
    EXPECT_EQ(t.read(), "hello\n");
    EXPECT_FALSE(t.line.readable());
}

TEST(ttyline, cr_lf_and_crlf_each_end_one_line) {
    terminal t;
    t.type("a\rb\nc\r\nd\n\re\r\r");
    EXPECT_EQ(t.read(), "a\n");
    EXPECT_EQ(t.read(), "b\n");
    EXPECT_EQ(t.read(), "c\n");         // CR LF is one line end
    EXPECT_EQ(t.read(), "d\n");
    EXPECT_EQ(t.read(), "\n");          // LF CR is two
    EXPECT_EQ(t.read(), "e\n");
    EXPECT_EQ(t.read(), "\n");          // CR CR is two
    EXPECT_EQ(t.read(), "<none>");
}

TEST(ttyline, lf_after_cr_only_pairs_immediately) {
    terminal t;
    t.type("\rx\n");
    EXPECT_EQ(t.read(), "\n");
    EXPECT_EQ(t.read(), "x\n");
    EXPECT_EQ(t.read(), "<none>");
}

TEST(ttyline, one_line_per_read) {
    terminal t;
    t.type("one\ntwo\n");
    EXPECT_EQ(t.read(), "one\n");
    EXPECT_EQ(t.read(), "two\n");
}

TEST(ttyline, backspace_and_del_erase_one_character) {
    terminal t;
    t.type("abc\b");
    EXPECT_EQ(t.echoed, "abc\b \b");
    t.type("d\x7f\x7f" "x\n");
    EXPECT_EQ(t.read(), "ax\n");
}

TEST(ttyline, backspace_at_line_start_does_nothing) {
    terminal t;
    t.type("\b\x7f\b");
    EXPECT_EQ(t.echoed, "");
    EXPECT_EQ(t.line.editing(), 0u);
    t.type("ok\n");
    t.echoed.clear();
    t.type("\b");               // cannot reach into a finished line
    EXPECT_EQ(t.echoed, "");
    EXPECT_EQ(t.read(), "ok\n");
}

TEST(ttyline, ctrl_u_erases_the_line) {
    terminal t;
    t.type("first\n" "junk");
    t.echoed.clear();
    t.type("\x15");
    EXPECT_EQ(t.echoed, repeat("\b \b", 4));
    EXPECT_EQ(t.line.editing(), 0u);
    t.type("good\n");
    EXPECT_EQ(t.read(), "first\n");
    EXPECT_EQ(t.read(), "good\n");
    t.echoed.clear();
    t.type("\x15");             // on an empty line: nothing
    EXPECT_EQ(t.echoed, "");
}

TEST(ttyline, echo_of_plain_text_and_newline) {
    terminal t;
    t.type("hi there\r\n");
    EXPECT_EQ(t.echoed, "hi there\n");
}

TEST(ttyline, control_characters_echo_in_caret_form_and_erase_fully) {
    terminal t;
    t.type("a\x03");
    EXPECT_EQ(t.echoed, "a^C");
    t.echoed.clear();
    t.type("\b");
    EXPECT_EQ(t.echoed, "\b \b\b \b");
    t.type("\x1b[A\n");
    EXPECT_EQ(t.read(), "a\x1b[A\n");
}

TEST(ttyline, tab_echoes_spaces_to_the_next_stop_and_erases_them) {
    terminal t;
    t.type("ab\t");
    EXPECT_EQ(t.echoed, "ab      ");        // columns 2..7
    t.echoed.clear();
    t.type("\b");
    EXPECT_EQ(t.echoed, repeat("\b \b", 6));
    t.echoed.clear();
    t.type("\tx\n");
    EXPECT_EQ(t.echoed, "      x\n");
    EXPECT_EQ(t.read(), "ab\tx\n");
}

TEST(ttyline, ctrl_d_at_line_start_is_end_of_file) {
    terminal t;
    t.type("\x04");
    EXPECT_TRUE(t.line.readable());
    EXPECT_EQ(t.read(), "");
    EXPECT_FALSE(t.line.readable());
    EXPECT_EQ(t.echoed, "");
}

TEST(ttyline, end_of_file_keeps_its_place_between_lines) {
    terminal t;
    t.type("abc\n\x04" "def\n\x04\x04");
    EXPECT_EQ(t.read(), "abc\n");
    EXPECT_EQ(t.read(), "");
    EXPECT_EQ(t.read(), "def\n");
    EXPECT_EQ(t.read(), "");
    EXPECT_EQ(t.read(), "");
    EXPECT_EQ(t.read(), "<none>");
}

TEST(ttyline, ctrl_d_mid_line_delivers_without_newline) {
    terminal t;
    t.type("ab\x04" "cd\n");
    EXPECT_EQ(t.read(), "ab");
    EXPECT_EQ(t.read(), "cd\n");
    EXPECT_EQ(t.read(), "<none>");
    // Not EOF: reading "ab" must not leave a 0-byte read behind.
    t.type("xy\x04");
    EXPECT_EQ(t.read(), "xy");
    EXPECT_EQ(t.read(), "<none>");
}

TEST(ttyline, ctrl_d_mid_line_then_ctrl_d_is_eof) {
    terminal t;
    t.type("ab\x04\x04");
    EXPECT_EQ(t.read(), "ab");
    EXPECT_EQ(t.read(), "");
}

TEST(ttyline, long_line_split_across_reads) {
    terminal t;
    t.type("0123456789\nnext\n");
    EXPECT_EQ(t.read(4), "0123");
    EXPECT_EQ(t.read(4), "4567");
    EXPECT_EQ(t.read(4), "89\n");
    EXPECT_EQ(t.read(4), "next");
    EXPECT_EQ(t.read(4), "\n");
    EXPECT_EQ(t.read(4), "<none>");
}

TEST(ttyline, exact_fill_before_ctrl_d_is_not_eof) {
    terminal t;
    t.type("abcd\x04" "\x04");
    EXPECT_EQ(t.read(4), "abcd");
    EXPECT_EQ(t.read(4), "");           // the second Ctrl-D, a real EOF
    EXPECT_EQ(t.read(4), "<none>");
    t.type("efgh\x04" "ij\n");
    EXPECT_EQ(t.read(4), "efgh");
    EXPECT_EQ(t.read(4), "ij\n");
}

TEST(ttyline, size_zero_read_takes_nothing) {
    terminal t;
    t.type("a\n");
    char c;
    EXPECT_EQ(t.line.read(&c, 0), 0u);
    EXPECT_EQ(t.read(), "a\n");
}

TEST(ttyline, a_line_is_bounded_and_excess_is_dropped) {
    terminal t;
    std::string typed(ttyline::max_line + 20, 'x');
    t.type(typed);
    EXPECT_EQ(t.line.editing(), ttyline::max_line);
    EXPECT_EQ(t.echoed, std::string(ttyline::max_line, 'x'));
    t.type("\n");
    EXPECT_EQ(t.read(1000), std::string(ttyline::max_line, 'x') + "\n");
    // Editing still works after hitting the limit.
    t.type(typed + "\b\by\n");
    EXPECT_EQ(t.read(1000), std::string(ttyline::max_line - 2, 'x') + "y\n");
}

TEST(ttyline, full_buffer_drops_input_but_lines_still_end) {
    terminal t;
    // Fill with unread lines of 100 characters plus newline.
    std::string hundred(100, 'z');
    size_t lines = 0;
    while (t.line.editing() == 0) {
        t.type(hundred);
        if (t.line.editing() < 100) {
            break;          // ran out of room mid-line
        }
        t.type("\n");
        ++lines;
    }
    size_t partial = t.line.editing();
    EXPECT_LT(partial, 100u);
    EXPECT_EQ(lines * 101 + partial + 1, ttyline::capacity);    // one entry kept for the end
    t.type("more");
    EXPECT_EQ(t.line.editing(), partial);        // dropped
    t.type("\n");                                // but the line can end
    for (size_t i = 0; i < lines; ++i) {
        EXPECT_EQ(t.read(1000), hundred + "\n");
    }
    EXPECT_EQ(t.read(1000), std::string(partial, 'z') + "\n");
    EXPECT_EQ(t.read(), "<none>");
    // Room again, and the ring wraps correctly.
    for (int i = 0; i < 50; ++i) {
        t.type("line " + std::to_string(i) + "\n");
        EXPECT_EQ(t.read(), "line " + std::to_string(i) + "\n");
    }
}

// full() is the console's signal to stop reading the UART: true exactly
// when a plain character typed now would be dropped, false again once a
// read makes room.
TEST(ttyline, full_says_when_the_next_character_would_be_dropped) {
    terminal t;
    size_t typed = 0;
    while (!t.line.full()) {
        t.type(typed % 100 == 99 ? "\n" : "q");
        ++typed;
    }
    size_t editing = t.line.editing();
    t.type("q");
    EXPECT_EQ(t.line.editing(), editing);         // dropped, as full() said
    EXPECT_EQ(typed + 1, ttyline::capacity);      // and not a byte sooner
    t.read(1000);
    EXPECT_FALSE(t.line.full());
    t.type("q");
    EXPECT_EQ(t.line.editing(), editing + 1);
}

TEST(ttyline, full_buffer_with_empty_line_drops_enter_and_ctrl_d) {
    terminal t;
    static_assert(ttyline::capacity % 2 == 0);
    for (size_t i = 0; i < ttyline::capacity / 2; ++i) {
        t.type("w\n");                 // exactly fills the ring
    }
    t.type("\n\x04x");                 // no room: all dropped
    EXPECT_EQ(t.line.editing(), 0u);
    for (size_t i = 0; i < ttyline::capacity / 2; ++i) {
        ASSERT_EQ(t.read(), "w\n") << i;
    }
    EXPECT_EQ(t.read(), "<none>");
}

TEST(ttyline, high_bytes_pass_through) {
    terminal t;
    t.type("\xc3\xa9\n");
    EXPECT_EQ(t.read(), "\xc3\xa9\n");
}

}  // namespace
