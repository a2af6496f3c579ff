// p-echo.cc — `echo [-n] [WORD...]`: the words separated by single spaces,
// then a newline (none with -n), in one write when they fit the buffer.
#include "u-lib.hh"
#include "ucmd.hh"

namespace {
char buf[4096];
}

void process_main(int argc, char** argv) {
    int i = 1;
    bool newline = true;
    if (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = false;
        ++i;
    }
    size_t n = 0;
    int first = i;
    for (; i <= argc; ++i) {
        const char* piece = i == argc ? (newline ? "\n" : "") : argv[i];
        size_t len = strlen(piece);
        bool space = i < argc && i > first;
        if (n + len + 1 > sizeof(buf)) {
            if (ssize_t r = write_all(1, buf, n); r < 0) {
                report_error("echo", "write", r);
                sys_exit(1);
            }
            n = 0;
        }
        if (space) {
            buf[n++] = ' ';
        }
        if (len > sizeof(buf) - 1) {        // a word longer than the buffer
            if (ssize_t r = write_all(1, piece, len); r < 0) {
                report_error("echo", "write", r);
                sys_exit(1);
            }
        } else {
            memcpy(buf + n, piece, len);
            n += len;
        }
    }
    if (ssize_t r = write_all(1, buf, n); r < 0) {
        report_error("echo", "write", r);
        sys_exit(1);
    }
    sys_exit(0);
}
