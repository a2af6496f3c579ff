// p-disk-tinycache.cc — many processes creating, writing, renaming and
// unlinking disk files at once through the smallest buffer cache (8 slots)
// on several CPUs: the journal's pinned blocks and the operations' cache
// reservations must share those slots without anyone waiting forever.
//
// Checks: four children each create, write (2 blocks), read back and unlink
// files of their own (two rounds), while the parent syncs; every file reads
// back what was written; the disk is clean afterwards (fsck: yes). With 8
// slots every reservation (8, an operation's most) needs the pins of the
// last call committed: with the file system's pin-release hook (chkfs.cc)
// disabled, this hangs.
//! disk: yes
//! fsck: yes
//! cmdline: bufcache=8
//! timeout: 40
//! ncpu: 4
#include "u-lib.hh"

namespace {

constexpr size_t B = 4096;
constexpr int nchild = 4;
constexpr int rounds = 2;
char buf[2 * B], back[2 * B];

void fill(char* p, size_t n, unsigned seed) {
    for (size_t i = 0; i != n; ++i) {
        p[i] = char(i * 7 + seed * 131 + (i >> 10));
    }
}

void child(int i) {
    for (int r = 0; r != rounds; ++r) {
        char name[24], moved[24];
        snprintf(name, sizeof(name), "tiny-%d-%d", i, r);
        snprintf(moved, sizeof(moved), "tinym-%d-%d", i, r);
        int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
        assert_ge(fd, 3);
        fill(buf, sizeof(buf), unsigned(i * 100 + r));
        assert_eq(sys_write(fd, buf, sizeof(buf)), ssize_t(sizeof(buf)));
        assert_eq(sys_close(fd), 0);
        assert_eq(sys_rename(name, moved), 0);
        fd = sys_open(moved, OF_READ);
        assert_ge(fd, 3);
        assert_eq(sys_read(fd, back, sizeof(back)), ssize_t(sizeof(back)));
        assert_memeq(back, buf, sizeof(buf));
        assert_eq(sys_close(fd), 0);
        if (r % 2 == 0) {
            assert_eq(sys_unlink(moved), 0);
        }
    }
    sys_exit(0);
}

}  // namespace

void process_main() {
    pid_t pids[nchild];
    for (int i = 0; i != nchild; ++i) {
        pids[i] = sys_fork();
        assert_ge(pids[i], 0);
        if (pids[i] == 0) {
            child(i);
        }
    }
    for (int k = 0; k != 3; ++k) {
        assert_eq(sys_sync(0), 0);
        sys_msleep(20);
    }
    for (int i = 0; i != nchild; ++i) {
        int status = -1;
        assert_eq(sys_waitpid(pids[i], &status), pids[i]);
        assert_eq(status, 0);
    }
    for (int i = 0; i != nchild; ++i) {
        for (int r = 1; r < rounds; r += 2) {
            char moved[24];
            snprintf(moved, sizeof(moved), "tinym-%d-%d", i, r);
            fill(buf, sizeof(buf), unsigned(i * 100 + r));
            int fd = sys_open(moved, OF_READ);
            assert_ge(fd, 3);
            assert_eq(sys_read(fd, back, sizeof(back)), ssize_t(sizeof(back)));
            assert_memeq(back, buf, sizeof(buf));
            assert_eq(sys_close(fd), 0);
            assert_eq(sys_unlink(moved), 0);
        }
    }
    assert_eq(sys_sync(2), 0);
    console_printf("disk-tinycache succeeded!\n");
}
