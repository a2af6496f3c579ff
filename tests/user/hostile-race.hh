// hostile-race.hh — the body of p-hostile-race (memory root) and
// p-hostile-race-disk (disk root): four processes (on four CPUs when
// there are) create, write, truncate, rename, unlink, read and exec the
// same five names at random, at once. Every call returns 0, a count or a
// documented error (E_NOENT for a name another process just took away,
// E_NOEXEC for a file that is not yet a program); afterwards every file
// left is whole (each 512-byte piece written is one writer's, unmixed),
// nothing leaks, and the disk is clean (sys_sync(2), fsck).
#pragma once
#include "u-lib.hh"
#include "page-accounting.hh"

namespace hostile_race {

const char* const names[] = {"r-a", "r-b", "r-c", "r-d", "r-e"};
constexpr int nnames = 5;
constexpr size_t piece = 512;
char buf[4 * piece];

uint32_t next(uint32_t& s) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

// Each piece is filled with one byte naming the writer and the op.
void check_whole(const char* name) {
    int fd = sys_open(name, OF_READ);
    if (fd == E_NOENT) {
        return;
    }
    assert_ge(fd, 3);
    for (ssize_t n; (n = sys_read(fd, buf, sizeof(buf))) > 0; ) {
        for (ssize_t i = 0; i < n; ++i) {
            char first = buf[i & ~ssize_t(piece - 1)];
            assert_eq(buf[i], first);
        }
    }
    assert_eq(sys_close(fd), 0);
}

[[noreturn]] void worker(int id, int ops) {
    uint32_t s = 0x9E3779B9u * uint32_t(id + 1);
    for (int op = 0; op < ops; ++op) {
        const char* a = names[next(s) % nnames];
        const char* b = names[next(s) % nnames];
        int r;
        switch (next(s) % 7) {
        case 0:
        case 1: {
            int fd = sys_open(a, OF_WRITE | OF_CREATE);
            assert_ge(fd, 3);
            memset(buf, 'A' + (id * 7 + op) % 26, piece);
            assert_eq(sys_lseek(fd, off_t(next(s) % 8) * piece, LSEEK_SET) % piece, 0);
            assert_eq(sys_write(fd, buf, piece), ssize_t(piece));
            assert_eq(sys_close(fd), 0);
            break;
        }
        case 2:
            r = sys_rename(a, b);
            assert(r == 0 || r == E_NOENT);
            break;
        case 3:
            r = sys_unlink(a);
            assert(r == 0 || r == E_NOENT);
            break;
        case 4: {
            int fd = sys_open(a, OF_READ | OF_WRITE);
            assert(fd >= 3 || fd == E_NOENT);
            if (fd >= 3) {
                r = sys_ftruncate(fd, off_t(next(s) % 8) * piece);
                assert_eq(r, 0);
                assert_eq(sys_close(fd), 0);
            }
            break;
        }
        case 5:
            check_whole(a);
            break;
        case 6: {
            // Exec of a racing file in a child: never a program.
            pid_t c = sys_fork();
            assert_ge(c, 0);
            if (c == 0) {
                const char* args[] = {a, nullptr};
                r = sys_execv(a, args);
                sys_exit(r == E_NOENT || r == E_NOEXEC ? 0 : 1);
            }
            int status = -1;
            assert_eq(sys_waitpid(c, &status), c);
            assert_eq(status, 0);
            break;
        }
        }
    }
    sys_exit(0);
}

inline void round(int ops) {
    pid_t kids[4];
    for (int i = 0; i < 4; ++i) {
        kids[i] = sys_fork();
        assert_ge(kids[i], 0);
        if (kids[i] == 0) {
            worker(i, ops);
        }
    }
    for (pid_t k : kids) {
        int status = -1;
        assert_eq(sys_waitpid(k, &status), k);
        assert_eq(status, 0);
    }
    for (const char* n : names) {
        check_whole(n);
        int r = sys_unlink(n);
        assert(r == 0 || r == E_NOENT);
    }
}

inline void run_all(bool disk, int ops) {
    size_t start = start_free_pages();
    round(ops);
    if (disk) {
        assert_eq(sys_sync(2), 0);
    }
    size_t after_first = wait_free_pages(start);
    assert_ge(after_first + 64, start);
    round(ops);
    if (disk) {
        assert_eq(sys_sync(2), 0);
    }
    assert_eq(wait_free_pages(after_first), after_first);
}

}  // namespace hostile_race
