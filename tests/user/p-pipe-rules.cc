// p-pipe-rules.cc — the rules of sys_pipe.
//
// Both descriptors are above 2 (0-2 are open); the read end is not
// writable and the write end not readable (E_BADF); lseek is E_SPIPE. A
// read returns what is there, never waiting for the whole request
// (partial reads), and blocks while the pipe is empty and a writer
// remains (a child writes after a delay); a write larger than the buffer
// blocks until the reader has taken it all (100 KB through one write,
// read back in odd-sized pieces, checked byte by byte); with the writer
// gone a read drains the buffer, then returns 0, again and again; with the
// reader gone a write returns E_PIPE. Closing twice is E_BADF. A 0-byte
// read of an empty pipe returns 0 at once. Free pages come back exactly.
//! lab: files 20
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

char big[100 * 1024];
char got[sizeof(big)];

uint8_t pattern(size_t i) {
    return uint8_t(i * 7 + (i >> 9));
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();
    int pfd[2] = {-1, -1};
    assert_eq(sys_pipe(pfd), 0);
    assert_gt(pfd[0], 2);
    assert_gt(pfd[1], 2);
    assert_ne(pfd[0], pfd[1]);
    char buf[64];

    // Wrong ends, no seeking, 0-byte reads.
    assert_eq(sys_write(pfd[0], "x", 1), E_BADF);
    assert_eq(sys_read(pfd[1], buf, 1), E_BADF);
    assert_eq(sys_lseek(pfd[0], 0, LSEEK_SET), E_SPIPE);
    assert_eq(sys_lseek(pfd[1], 0, LSEEK_SIZE), E_SPIPE);
    assert_eq(sys_read(pfd[0], buf, 0), 0);

    // Partial reads: what is there, in order.
    assert_eq(sys_write(pfd[1], "hello", 5), 5);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 5);
    assert_memeq(buf, "hello", 5);
    assert_eq(sys_write(pfd[1], "abcdef", 6), 6);
    assert_eq(sys_read(pfd[0], buf, 2), 2);
    assert_memeq(buf, "ab", 2);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 4);
    assert_memeq(buf, "cdef", 4);

    // A read blocks until a writer writes.
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        sys_msleep(50);
        sys_write(pfd[1], "late", 4);
        sys_exit(0);
    }
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 4);
    assert_memeq(buf, "late", 4);
    assert_eq(sys_waitpid(child), child);

    // A big write blocks until all of it is read.
    for (size_t i = 0; i < sizeof(big); ++i) {
        big[i] = char(pattern(i));
    }
    child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        sys_close(pfd[0]);
        ssize_t n = sys_write(pfd[1], big, sizeof(big));
        sys_exit(n == ssize_t(sizeof(big)) ? 0 : 1);
    }
    size_t total = 0;
    size_t piece = 1;
    while (total < sizeof(got)) {
        size_t want = piece < sizeof(got) - total ? piece : sizeof(got) - total;
        ssize_t n = sys_read(pfd[0], got + total, want);
        assert_gt(n, 0);
        assert_le(size_t(n), want);
        total += size_t(n);
        piece = piece * 3 + 1;
        if (piece > 9000) {
            piece = 5;
        }
    }
    assert_memeq(got, big, sizeof(big));
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);

    // No writer: drain, then end of file (repeatedly).
    assert_eq(sys_write(pfd[1], "tail", 4), 4);
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_close(pfd[1]), E_BADF);
    assert_eq(sys_read(pfd[0], buf, 2), 2);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 2);
    assert_memeq(buf, "il", 2);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 0);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 0);
    assert_eq(sys_close(pfd[0]), 0);
    assert_eq(sys_close(pfd[0]), E_BADF);

    // No reader: E_PIPE, and a writer blocked on a full pipe gets it too
    // when the last reader goes.
    assert_eq(sys_pipe(pfd), 0);
    assert_eq(sys_close(pfd[0]), 0);
    assert_eq(sys_write(pfd[1], "x", 1), E_PIPE);
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_pipe(pfd), 0);
    child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        sys_close(pfd[0]);
        // Fills the buffer, then blocks; the parent closes its read end.
        ssize_t n = sys_write(pfd[1], big, sizeof(big));
        sys_exit(n > 0 && n < ssize_t(sizeof(big)) ? 0 : 1);
    }
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_read(pfd[0], buf, 1), 1);     // the child is writing
    sys_msleep(30);
    assert_eq(sys_close(pfd[0]), 0);
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);

    assert_eq(wait_free_pages(start), start);
    printf("pipe-rules succeeded!\n");
}
