// p-wc.cc — `wc [-clw] [FILE...]`: byte, word and newline counts, as
// POSIX wc counts them: lines are newline characters, words are maximal
// runs of non-space characters, bytes are bytes. The output is Chickadee's
// (coursework and shell tests compare it): the selected counts in the order
// bytes, words, lines, the first right-aligned in 8 columns and the others
// in 7 after a space ("%8 %7 %7 [name]"); one count of stdin alone (`wc -l`
// reading a pipe) is the bare number. More than one file adds a "total" line.
// stdin is read when no file (or "-") is named.
#include "u-lib.hh"
#include "ucmd.hh"

namespace {

char buf[4096];
bool show_lines, show_words, show_bytes;

struct counts {
    unsigned long lines = 0, words = 0, bytes = 0;
};

// Counts fd to its end; false on a read error (reported).
bool count(int fd, const char* name, counts& c) {
    bool in_word = false;
    for (;;) {
        ssize_t n = read_chunk(fd, buf, sizeof(buf), "wc", name);
        if (n <= 0) {
            return n == 0;
        }
        c.bytes += size_t(n);
        for (ssize_t i = 0; i < n; ++i) {
            char ch = buf[i];
            if (ch == '\n') {
                ++c.lines;
            }
            bool space = isspace(ch);
            if (!space && !in_word) {
                ++c.words;
            }
            in_word = !space;
        }
    }
}

void print(const counts& c, const char* name) {
    char out[80];                           // three 20-digit numbers fit
    size_t n = 0;
    int shown = int(show_bytes) + int(show_words) + int(show_lines);
    auto field = [&](bool show, unsigned long v) {
        if (!show) {
            return;
        } else if (shown == 1 && !name) {
            n += snprintf(out + n, sizeof(out) - n, "%lu", v);
        } else {
            n += snprintf(out + n, sizeof(out) - n, n ? " %7lu" : "%8lu", v);
        }
    };
    field(show_bytes, c.bytes);
    field(show_words, c.words);
    field(show_lines, c.lines);
    dprintf(1, "%s%s%s\n", out, name ? " " : "", name ? name : "");
}

}  // namespace

void process_main(int argc, char** argv) {
    bool* const flags[] = {&show_lines, &show_words, &show_bytes};
    int i = parse_flags(argc, argv, "lwc", flags, "wc", "wc [-clw] [FILE...]");
    if (!show_lines && !show_words && !show_bytes) {
        show_lines = show_words = show_bytes = true;
    }
    if (i == argc) {
        counts c;
        bool ok = count(0, "stdin", c);
        print(c, nullptr);
        sys_exit(ok ? 0 : 1);
    }
    int status = 0;
    counts total;
    int nfiles = argc - i;
    for (; i < argc; ++i) {
        int fd = open_input("wc", argv[i]);
        if (fd < 0) {
            status = 1;
            continue;
        }
        counts c;
        if (!count(fd, argv[i], c)) {
            status = 1;
        }
        if (fd != 0) {
            sys_close(fd);
        }
        print(c, argv[i]);
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
    }
    if (nfiles > 1) {
        print(total, "total");
    }
    sys_exit(status);
}
