// p-disk-dirindex.cc — the disk root's name index (docs/diskfs.md,
// kernel/core/chkfs-dirindex.hh) against what the directory says, in a
// root of hundreds of entries (the disk's own ~130 files and 300 more).
//
// Checks: every created name opens the file holding that name; names that
// are absent are E_NOENT, among them the partner of a created name with
// the same 32-bit name hash and a 123-byte name differing from a created
// one in its last byte; after unlinking every third name those are gone
// and the rest still open; a name unlinked and created again is a new,
// empty file; rename in place (to a name whose hash collides with
// another's) and over an existing name; readdir lists each of our names
// exactly once; then four processes (on four CPUs in the 4-CPU run) race
// to create the same 20 names, each writing its own byte at its own
// offset: every name must appear once in the directory and hold all four
// bytes (one file, so exactly one creator made it). Everything is
// removed at the end; fsck checks the disk after the run.
//! disk: yes
//! fsck: yes
//! timeout: 90
#include "u-lib.hh"

namespace {

constexpr int nfiles = 300;
constexpr int nracers = 4, nraces = 20;
// Pairs of names with the same FNV-1a hash (chkfs::name_hash).
const char* const colliding[][2] = {
    {"c-lydeqr93", "c-yjz0rckz"}, {"c-7uziy4v9", "c-3apiu96z"},
};
char long1[124], long2[124];

void file_name(char* buf, int k) {
    snprintf(buf, 32, "ix-%03d", k);
}

void make_file(const char* name, const char* content) {
    int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 3);
    size_t n = strlen(content);
    assert_eq(sys_write(fd, content, n), ssize_t(n));
    assert_eq(sys_close(fd), 0);
}

// The file `name` exists and holds exactly `content`.
void expect_file(const char* name, const char* content) {
    int fd = sys_open(name, OF_READ);
    if (fd < 0) {
        panic("open %s: %d", name, fd);
    }
    char buf[160];
    ssize_t n = sys_read(fd, buf, sizeof(buf));
    size_t want = strlen(content);
    assert_eq(n, ssize_t(want));
    assert_memeq(buf, content, want);
    assert_eq(sys_close(fd), 0);
}

void expect_absent(const char* name) {
    int fd = sys_open(name, OF_READ);
    if (fd != E_NOENT) {
        panic("open %s: %d, expected E_NOENT", name, fd);
    }
}

// How many times readdir lists `name`.
int listed(const char* name) {
    char n[128];
    int count = 0;
    for (size_t i = 0; sys_readdir("/", i, n, sizeof(n)) > 0; ++i) {
        count += strcmp(n, name) == 0;
    }
    return count;
}

void race_name(char* buf, int j) {
    snprintf(buf, 32, "race-%02d", j);
}

void racer(int id) {
    char name[32];
    for (int j = 0; j != nraces; ++j) {
        race_name(name, j);
        int fd = sys_open(name, OF_WRITE | OF_CREATE);
        assert_ge(fd, 3);
        assert_eq(sys_lseek(fd, id, LSEEK_SET), id);
        char c = char('A' + id);
        assert_eq(sys_write(fd, &c, 1), 1);
        assert_eq(sys_close(fd), 0);
        sys_yield();
    }
}

}  // namespace

void process_main() {
    char name[32];
    memset(long1, 'L', 123);
    memcpy(long2, long1, 123);
    long2[122] = 'M';

    for (int k = 0; k != nfiles; ++k) {
        file_name(name, k);
        make_file(name, name);
    }
    make_file(colliding[0][0], colliding[0][0]);
    make_file(colliding[1][0], colliding[1][0]);
    make_file(long1, "long one");
    for (int k = 0; k != nfiles; ++k) {
        file_name(name, k);
        expect_file(name, name);
    }
    expect_absent(colliding[0][1]);
    expect_absent(colliding[1][1]);
    expect_absent(long2);
    expect_absent("ix-300");
    expect_file(long1, "long one");
    make_file(colliding[0][1], colliding[0][1]);
    expect_file(colliding[0][0], colliding[0][0]);
    expect_file(colliding[0][1], colliding[0][1]);

    // Unlink every third; one of a colliding pair.
    for (int k = 0; k < nfiles; k += 3) {
        file_name(name, k);
        assert_eq(sys_unlink(name), 0);
    }
    assert_eq(sys_unlink(colliding[0][0]), 0);
    assert_eq(sys_unlink(colliding[0][0]), E_NOENT);
    expect_absent(colliding[0][0]);
    expect_file(colliding[0][1], colliding[0][1]);
    for (int k = 0; k != nfiles; ++k) {
        file_name(name, k);
        if (k % 3 == 0) {
            expect_absent(name);
        } else {
            expect_file(name, name);
        }
    }
    // Created again: a new, empty file.
    int fd = sys_open("ix-000", OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);
    assert_eq(sys_close(fd), 0);
    make_file("ix-003", "again");
    expect_file("ix-003", "again");

    // Rename in place to a colliding name; over an existing name.
    assert_eq(sys_rename(colliding[1][0], colliding[1][1]), 0);
    expect_absent(colliding[1][0]);
    expect_file(colliding[1][1], colliding[1][0]);
    make_file(long2, "long two");
    assert_eq(sys_rename(long1, long2), 0);
    expect_absent(long1);
    expect_file(long2, "long one");
    assert_eq(sys_rename("ix-001", "ix-002"), 0);
    expect_absent("ix-001");
    expect_file("ix-002", "ix-001");

    assert_eq(listed("ix-002"), 1);
    assert_eq(listed("ix-001"), 0);
    assert_eq(listed(colliding[1][1]), 1);
    assert_eq(listed(long2), 1);

    // Racing creators of the same names.
    pid_t kids[nracers];
    for (int id = 0; id != nracers; ++id) {
        kids[id] = sys_fork();
        assert_ge(kids[id], 0);
        if (kids[id] == 0) {
            racer(id);
            sys_exit(0);
        }
    }
    for (int id = 0; id != nracers; ++id) {
        int status = -1;
        assert_eq(sys_waitpid(kids[id], &status), kids[id]);
        assert_eq(status, 0);
    }
    for (int j = 0; j != nraces; ++j) {
        race_name(name, j);
        assert_eq(listed(name), 1);
        expect_file(name, "ABCD");
    }

    // Remove everything this test made.
    for (int k = 0; k != nfiles; ++k) {
        file_name(name, k);
        int r = sys_unlink(name);
        assert(r == 0 || (r == E_NOENT && (k == 1 || (k % 3 == 0 && k > 3))));
    }
    for (int j = 0; j != nraces; ++j) {
        race_name(name, j);
        assert_eq(sys_unlink(name), 0);
    }
    assert_eq(sys_unlink(colliding[0][1]), 0);
    assert_eq(sys_unlink(colliding[1][1]), 0);
    assert_eq(sys_unlink(long2), 0);
    for (int k = 0; k < nfiles; k += 7) {
        file_name(name, k);
        expect_absent(name);
    }
    assert_eq(sys_sync(2), 0);
    printf("disk-dirindex succeeded!\n");
    sys_exit(0);
}
