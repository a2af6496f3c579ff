// p-disk-procs.cc — several processes (on several CPUs) writing disk files
// at once, and exec of a program written to the disk.
//
// Checks: four children each append 48 blocks to a file of their own and
// write their quarter of one shared file through their own descriptor
// (pwrite-like: lseek then write) at the same time; afterwards every file
// holds exactly what its writers wrote, also after the cache is dropped
// (sys_sync(1)); a copy of `echo` written to the disk runs with execv; the
// disk is clean afterwards (fsck: yes).
//! disk: yes
//! fsck: yes
#include "u-lib.hh"

namespace {

constexpr size_t B = 4096;
constexpr int nchild = 4;
constexpr size_t own_blocks = 48;
constexpr size_t quarter = 16 * B;
char buf[B], back[B];

void fill(char* p, size_t n, unsigned seed) {
    for (size_t i = 0; i != n; ++i) {
        p[i] = char(i * 13 + seed * 71 + (i >> 9));
    }
}

void child(int i) {
    char name[16];
    snprintf(name, sizeof(name), "procs-%d", i);
    int own = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
    int shared = sys_open("procs-shared", OF_WRITE | OF_CREATE);
    assert_ge(own, 3);
    assert_ge(shared, 3);
    for (size_t k = 0; k != own_blocks; ++k) {
        fill(buf, B, unsigned(i * 1000 + k));
        assert_eq(sys_write(own, buf, B), ssize_t(B));
        if (k < quarter / B) {
            fill(buf, B, unsigned(i * 100 + k + 7));
            assert_eq(sys_lseek(shared, off_t(i * quarter + k * B), LSEEK_SET),
                      ssize_t(i * quarter + k * B));
            assert_eq(sys_write(shared, buf, B), ssize_t(B));
        }
    }
    assert_eq(sys_close(own), 0);
    assert_eq(sys_close(shared), 0);
    sys_exit(0);
}

void check_all() {
    for (int i = 0; i != nchild; ++i) {
        char name[16];
        snprintf(name, sizeof(name), "procs-%d", i);
        int fd = sys_open(name, OF_READ);
        assert_ge(fd, 3);
        assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(own_blocks * B));
        for (size_t k = 0; k != own_blocks; ++k) {
            fill(buf, B, unsigned(i * 1000 + k));
            assert_eq(sys_read(fd, back, B), ssize_t(B));
            assert_memeq(back, buf, B);
        }
        assert_eq(sys_close(fd), 0);
    }
    int fd = sys_open("procs-shared", OF_READ);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(nchild * quarter));
    for (int i = 0; i != nchild; ++i) {
        for (size_t k = 0; k != quarter / B; ++k) {
            fill(buf, B, unsigned(i * 100 + k + 7));
            assert_eq(sys_read(fd, back, B), ssize_t(B));
            assert_memeq(back, buf, B);
        }
    }
    assert_eq(sys_close(fd), 0);
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
    for (int i = 0; i != nchild; ++i) {
        int status = -1;
        assert_eq(sys_waitpid(pids[i], &status), pids[i]);
        assert_eq(status, 0);
    }
    check_all();
    assert_eq(sys_sync(1), 0);
    check_all();

    // Copy echo to a new disk file and run the copy.
    int in = sys_open("echo", OF_READ);
    int out = sys_open("echo-copy", OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(in, 3);
    assert_ge(out, 3);
    ssize_t n;
    while ((n = sys_read(in, buf, B)) > 0) {
        assert_eq(sys_write(out, buf, size_t(n)), n);
    }
    assert_eq(n, 0);
    assert_eq(sys_close(in), 0);
    assert_eq(sys_close(out), 0);
    assert_eq(sys_sync(1), 0);
    pid_t c = sys_fork();
    if (c == 0) {
        const char* args[] = {"echo-copy", "copy", "ran", nullptr};
        sys_execv("echo-copy", args);
        sys_exit(99);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);

    for (int i = 0; i != nchild; ++i) {
        char name[16];
        snprintf(name, sizeof(name), "procs-%d", i);
        assert_eq(sys_unlink(name), 0);
    }
    assert_eq(sys_unlink("procs-shared"), 0);
    assert_eq(sys_unlink("echo-copy"), 0);
    assert_eq(sys_sync(2), 0);
    console_printf("disk-procs succeeded!\n");
}
