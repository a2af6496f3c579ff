// p-console-fds.cc — the console as a file, from user mode, with typed
// input (the harness's `input:` sends it on the serial line).
//
// fds 0, 1 and 2 are one console file, each readable as well as writable:
// lines come out of any of them, in order, a read smaller than the line
// leaving the rest for the next read; a 0-byte read returns at once; a
// Ctrl-D at the start of a line is end of file (0) for one read, after
// which reading goes on with the next line; a descriptor dup2'ed from the
// console reads the same input; a forked child reads from the same file.
//! input: hello\rfrom fd one\rtwo\r\x04fd five\rchild line\r\x04
#include "u-lib.hh"

namespace {

void expect_line(int fd, size_t size, const char* want) {
    char buf[64];
    ssize_t n = sys_read(fd, buf, size);
    assert_eq(n, ssize_t(strlen(want)));
    assert_memeq(buf, want, strlen(want));
}

}  // namespace

void process_main() {
    char buf[8];
    assert_eq(sys_read(0, buf, 0), 0);
    expect_line(0, 3, "hel");
    expect_line(0, sizeof(buf), "lo\n");
    expect_line(1, 64, "from fd one\n");
    expect_line(2, 64, "two\n");
    expect_line(0, 64, "");                 // Ctrl-D: end of file
    assert_eq(sys_dup2(0, 5), 0);
    expect_line(5, 64, "fd five\n");
    assert_eq(sys_close(5), 0);
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        char cb[32];
        ssize_t n = sys_read(0, cb, sizeof(cb));
        sys_exit(n == 11 && memcmp(cb, "child line\n", 11) == 0 ? 0 : 1);
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);
    expect_line(0, 64, "");
    assert_eq(sys_write(0, "console-fds: fd 0 writes too\n", 29), 29);
    printf("console-fds succeeded!\n");
}
