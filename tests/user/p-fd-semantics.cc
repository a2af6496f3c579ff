// p-fd-semantics.cc — descriptor tables and open-file objects.
//
// The first process has fds 0, 1 and 2 on the console, each readable and
// writable, and nothing at 3 and above. dup2 shares one open file, so the
// offset moves for both descriptors; two opens of one file have offsets
// of their own. dup2 returns 0, dup2(fd, fd) too (Chickadee's
// p-testvfs); dup2 onto an open descriptor closes what it held;
// out-of-range and closed descriptors are E_BADF (also for dup2's
// target); a full table is E_MFILE. Fork copies the
// table (the child's reads move the parent's offset: one shared object);
// exec keeps it (the test execs itself with "exec-child" and the child
// reads from the inherited descriptor); exit closes every descriptor (a
// child holding a pipe's write end exits, and the parent's read returns 0).
// dprintf to a closed descriptor returns E_BADF. The free-page count is
// back to its start at the end.
//! lab: files 20
#include "u-lib.hh"
#include "page-accounting.hh"
#include "test-util.hh"

namespace {

constexpr int table_size = 32;
const char fname[] = "fd-semantics.tmp";

void write_file(const char* name, const char* text) {
    int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 3);
    assert_eq(sys_write(fd, text, strlen(text)), ssize_t(strlen(text)));
    assert_eq(sys_close(fd), 0);
}

// Run as "fd-semantics exec-child FD": FD must still be open after exec,
// positioned at 4 by the parent.
[[noreturn]] void exec_child(const char* fdtext) {
    int fd = int(strtol(fdtext, nullptr, 10));
    char buf[8] = {};
    if (sys_read(fd, buf, 4) != 4 || memcmp(buf, "4567", 4) != 0) {
        sys_exit(41);
    }
    if (sys_lseek(fd, 0, LSEEK_CUR) != 8) {
        sys_exit(42);
    }
    // Fds 0-2 are kept as well.
    if (sys_write(1, "fd-semantics: exec kept the table\n", 34) != 34) {
        sys_exit(43);
    }
    sys_exit(0);
}

}  // namespace

void process_main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "exec-child") == 0) {
        exec_child(argv[2]);
    }
    size_t start = start_free_pages();

    // The console on 0, 1, 2: every one writable (and readable: a 0-byte
    // read returns at once without blocking), nothing else open.
    for (int fd = 0; fd < 3; ++fd) {
        assert_eq(sys_write(fd, "", 0), 0);
        assert_eq(sys_read(fd, nullptr, 0), 0);
    }
    assert_eq(sys_write(0, "fd-semantics: fd 0 is writable\n", 31), 31);
    for (int fd = 3; fd < table_size; ++fd) {
        assert_eq(sys_close(fd), E_BADF);
    }
    // dprintf reports a failed write, as in Chickadee.
    assert_eq(dprintf(5, "nope\n"), E_BADF);
    assert_eq(dprintf(2, "fd-semantics: dprintf to fd 2\n"), 30);

    write_file(fname, "0123456789");

    // dup2 shares the offset.
    int a = sys_open(fname, OF_READ);
    assert_eq(a, 3);
    assert_eq(sys_dup2(a, 10), 0);
    char buf[16] = {};
    assert_eq(sys_read(a, buf, 3), 3);
    assert_memeq(buf, "012", 3);
    assert_eq(sys_read(10, buf, 3), 3);
    assert_memeq(buf, "345", 3);
    assert_eq(sys_lseek(a, 0, LSEEK_CUR), 6);
    // Closing one keeps the other.
    assert_eq(sys_close(a), 0);
    assert_eq(sys_read(10, buf, 2), 2);
    assert_memeq(buf, "67", 2);
    assert_eq(sys_close(10), 0);
    assert_eq(sys_close(10), E_BADF);

    // Two opens are independent.
    int b = sys_open(fname, OF_READ);
    int c = sys_open(fname, OF_READ);
    assert_eq(b, 3);
    assert_eq(c, 4);
    assert_eq(sys_read(b, buf, 5), 5);
    assert_eq(sys_read(c, buf, 2), 2);
    assert_memeq(buf, "01", 2);
    assert_eq(sys_lseek(b, 0, LSEEK_CUR), 5);
    assert_eq(sys_close(c), 0);

    // dup2 rules.
    assert_eq(sys_dup2(b, b), 0);
    assert_eq(sys_dup2(7, 7), E_BADF);          // closed
    assert_eq(sys_dup2(7, 8), E_BADF);
    assert_eq(sys_dup2(-1, 8), E_BADF);
    assert_eq(sys_dup2(b, -1), E_BADF);
    assert_eq(sys_dup2(b, table_size), E_BADF);
    assert_eq(sys_dup2(b, 1 << 30), E_BADF);
    assert_eq(sys_dup2(table_size, b), E_BADF);
    assert_eq(sys_close(table_size), E_BADF);
    assert_eq(sys_close(-1), E_BADF);
    // dup2 onto an open descriptor closes it first.
    int d = sys_open(fname, OF_READ);
    assert_eq(d, 4);
    assert_eq(sys_dup2(b, d), 0);
    assert_eq(sys_read(d, buf, 1), 1);
    assert_eq(buf[0], '5');                     // b's offset, not d's old one

    // Access modes: E_BADF for the wrong direction.
    int wo = sys_open(fname, OF_WRITE);
    assert_ge(wo, 5);
    assert_eq(sys_read(wo, buf, 1), E_BADF);
    assert_eq(sys_write(b, "x", 1), E_BADF);
    assert_eq(sys_ftruncate(b, 0), E_BADF);
    assert_eq(sys_close(wo), 0);

    // E_MFILE when the table is full; every descriptor works.
    int opened = 0;
    for (;;) {
        int fd = sys_open(fname, OF_READ);
        if (fd < 0) {
            assert_eq(fd, E_MFILE);
            break;
        }
        assert_lt(fd, table_size);
        ++opened;
    }
    assert_eq(opened, table_size - 5);          // 0-2, b and d were open
    assert_eq(sys_dup2(b, table_size - 1), 0);
    int pfd[2] = {-1, -1};
    assert_eq(sys_pipe(pfd), E_MFILE);
    assert_eq(pfd[0], -1);
    for (int fd = 5; fd < table_size; ++fd) {
        assert_eq(sys_close(fd), 0);
    }
    assert_eq(sys_close(d), 0);

    // Fork shares the open file: the child's read moves our offset.
    assert_eq(sys_lseek(b, 0, LSEEK_SET), 0);
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        char cb[4];
        sys_exit(sys_read(b, cb, 4) == 4 && memcmp(cb, "0123", 4) == 0 ? 0 : 1);
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);
    assert_eq(sys_lseek(b, 0, LSEEK_CUR), 4);

    // Exec keeps the table: the new image reads "4567" from fd b.
    child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        char fdtext[8];
        snprintf(fdtext, sizeof(fdtext), "%d", b);
        const char* args[] = {"fd-semantics", "exec-child", fdtext, nullptr};
        sys_execv("fd-semantics", args);
        sys_exit(40);
    }
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);
    assert_eq(sys_lseek(b, 0, LSEEK_CUR), 8);
    assert_eq(sys_close(b), 0);

    // Exit closes every descriptor: the child is the last holder of the
    // write end, and its exit is end of file for us.
    assert_eq(sys_pipe(pfd), 0);
    child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        sys_close(pfd[0]);
        assert_eq(sys_write(pfd[1], "bye", 3), 3);
        sys_exit(0);                            // pfd[1] still open here
    }
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 3);
    assert_memeq(buf, "bye", 3);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 0);
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(sys_close(pfd[0]), 0);

    assert_eq(sys_unlink(fname), 0);
    assert_eq(wait_free_pages(start), start);
    printf("fd-semantics succeeded!\n");
}
