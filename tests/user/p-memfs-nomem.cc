// p-memfs-nomem.cc — the memory file system when memory runs out.
//
// With 32 MiB of guest memory, files are written in 256 KiB pieces until a
// write comes back short or with E_NOMEM (a short write is the part that
// fit). Meanwhile the kernel keeps working: a pipe or fork may fail with
// E_NOMEM but nothing crashes; every byte that a write reported written
// reads back. Then unlinking the files (one still open: freed at its
// close) gives back every page: the free count returns exactly to its
// start, and a file can be created and written again.
//! mem: 32M
//! timeout: 60
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

char piece[256 * 1024];

}  // namespace

void process_main() {
    size_t start = start_free_pages();
    for (size_t i = 0; i < sizeof(piece); ++i) {
        piece[i] = char(i * 13 + 5);
    }
    char name[] = "nomem-0";
    int fds[8];
    size_t written[8] = {};
    int nfiles = 0;
    bool full = false;
    while (!full && nfiles < 8) {
        name[6] = char('0' + nfiles);
        int fd = sys_open(name, OF_READ | OF_WRITE | OF_CREATE);
        if (fd == E_NOMEM) {
            break;
        }
        assert_ge(fd, 3);
        fds[nfiles] = fd;
        for (;;) {
            ssize_t n = sys_write(fd, piece, sizeof(piece));
            if (n == E_NOMEM || (n >= 0 && size_t(n) < sizeof(piece))) {
                written[nfiles] += n > 0 ? size_t(n) : 0;
                full = true;
                break;
            }
            if (n == E_FBIG) {
                break;                  // this file is at its limit: next
            }
            assert_eq(n, ssize_t(sizeof(piece)));
            written[nfiles] += size_t(n);
        }
        ++nfiles;
    }
    assert(full, "memory never ran out");
    printf("memfs-nomem: %d files, last %zu bytes, memory full\n", nfiles,
           written[nfiles - 1]);

    // The kernel survives: these may fail, but cleanly.
    int pfd[2];
    int r = sys_pipe(pfd);
    assert(r == 0 || r == E_NOMEM);
    if (r == 0) {
        sys_close(pfd[0]);
        sys_close(pfd[1]);
    }

    // Everything reported written reads back (spot checks at piece starts).
    char check[64];
    for (int f = 0; f < nfiles; ++f) {
        assert_eq(sys_lseek(fds[f], 0, LSEEK_SIZE), ssize_t(written[f]));
        for (size_t at = 0; at + sizeof(check) <= written[f]; at += 37 * sizeof(piece) / 8) {
            assert_eq(sys_lseek(fds[f], at, LSEEK_SET), ssize_t(at));
            assert_eq(sys_read(fds[f], check, sizeof(check)), ssize_t(sizeof(check)));
            size_t off = at % sizeof(piece);
            for (size_t i = 0; i < sizeof(check); ++i) {
                assert_eq(check[i], char((off + i) * 13 + 5));
            }
        }
    }

    // Unlink all; file 0 stays open until the very end.
    for (int f = 0; f < nfiles; ++f) {
        name[6] = char('0' + f);
        assert_eq(sys_unlink(name), 0);
        if (f != 0) {
            assert_eq(sys_close(fds[f]), 0);
        }
    }
    assert_lt(free_pages(), start);         // file 0's pages are still in use
    assert_eq(sys_close(fds[0]), 0);
    assert_eq(wait_free_pages(start), start);

    // And the file system works again.
    int fd = sys_open("nomem-again", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_write(fd, piece, sizeof(piece)), ssize_t(sizeof(piece)));
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("nomem-again"), 0);
    assert_eq(wait_free_pages(start), start);
    printf("memfs-nomem succeeded!\n");
}
