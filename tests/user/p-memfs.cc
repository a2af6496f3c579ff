// p-memfs.cc — the memory file system through open, read, write, lseek,
// ftruncate, unlink, rename and readdir.
//
// Checks: the initial files are there (notes.txt from initfs/, programs);
// OF_CREATE makes an empty file, a missing file without it is E_NOENT;
// writes grow the file and read back (across page boundaries, and a write
// past the end leaves a gap of zeros); lseek from every origin, LSEEK_SIZE
// moves nothing, a negative result or bad origin is E_INVAL; ftruncate
// shrinks and grows (zeros); OF_TRUNC empties; "/name" and "name" are the
// same file; unlink removes the name while an open descriptor keeps
// working until it is closed; rename (also over an existing name, whose
// old file stays readable through its descriptor); readdir lists every
// name once, returns 0 past the end, E_RANGE for a short buffer and
// E_NOENT for a non-directory; a too-long name is E_NAMETOOLONG. Free
// pages return exactly to the start.
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

char data[3 * 4096 + 123];
char back[sizeof(data)];

int readdir_count(const char* look_for, int* found) {
    char name[128];
    int n = 0;
    *found = 0;
    for (size_t i = 0;; ++i) {
        ssize_t r = sys_readdir("/", i, name, sizeof(name));
        assert_ge(r, 0);
        if (r == 0) {
            return n;
        }
        assert_eq(size_t(r), strlen(name));
        ++n;
        if (strcmp(name, look_for) == 0) {
            ++*found;
        }
    }
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();
    char buf[64];

    // The initial file system's text files and programs.
    int notes = sys_open("notes.txt", OF_READ);
    assert_ge(notes, 3);
    ssize_t nsize = sys_lseek(notes, 0, LSEEK_SIZE);
    assert_gt(nsize, 100);
    assert_eq(sys_read(notes, buf, 8), 8);
    assert_eq(sys_lseek(notes, 0, LSEEK_CUR), 8);
    assert_eq(sys_close(notes), 0);
    int self = sys_open("/memfs", OF_READ);
    assert_ge(self, 3);
    assert_eq(sys_read(self, buf, 4), 4);
    assert_memeq(buf, "\x7f" "ELF", 4);
    assert_eq(sys_close(self), 0);

    // Missing files.
    assert_eq(sys_open("no-such-file", OF_READ), E_NOENT);
    assert_eq(sys_open("", OF_READ), E_NOENT);
    assert_eq(sys_unlink("no-such-file"), E_NOENT);
    assert_eq(sys_rename("no-such-file", "x"), E_NOENT);
    assert_eq(sys_open("a/b", OF_READ | OF_CREATE), E_NOENT);

    // Create, write across pages, read back.
    for (size_t i = 0; i < sizeof(data); ++i) {
        data[i] = char('a' + i % 23);
    }
    int fd = sys_open("memfs.tmp", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);
    assert_eq(sys_write(fd, data, sizeof(data)), ssize_t(sizeof(data)));
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(sizeof(data)));
    assert_eq(sys_lseek(fd, 0, LSEEK_CUR), ssize_t(sizeof(data)));
    assert_eq(sys_read(fd, buf, sizeof(buf)), 0);           // at the end
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    assert_eq(sys_read(fd, back, sizeof(back)), ssize_t(sizeof(back)));
    assert_memeq(back, data, sizeof(data));

    // lseek from every origin.
    assert_eq(sys_lseek(fd, 100, LSEEK_SET), 100);
    assert_eq(sys_lseek(fd, -50, LSEEK_CUR), 50);
    assert_eq(sys_lseek(fd, -10, LSEEK_END), ssize_t(sizeof(data) - 10));
    assert_eq(sys_read(fd, buf, sizeof(buf)), 10);
    assert_memeq(buf, data + sizeof(data) - 10, 10);
    assert_eq(sys_lseek(fd, 5, LSEEK_SET), 5);
    assert_eq(sys_lseek(fd, 1234, LSEEK_SIZE), ssize_t(sizeof(data)));
    assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 5);              // SIZE moved nothing
    assert_eq(sys_lseek(fd, -6, LSEEK_CUR), E_INVAL);
    assert_eq(sys_lseek(fd, -1, LSEEK_SET), E_INVAL);
    assert_eq(sys_lseek(fd, 0, 4), E_INVAL);
    assert_eq(sys_lseek(fd, 0, -1), E_INVAL);
    assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 5);

    // A write past the end leaves zeros between.
    assert_eq(sys_lseek(fd, 20000, LSEEK_SET), 20000);
    assert_eq(sys_write(fd, "END", 3), 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 20003);
    assert_eq(sys_lseek(fd, 19990, LSEEK_SET), 19990);
    assert_eq(sys_read(fd, buf, 20), 13);
    for (int i = 0; i < 10; ++i) {
        assert_eq(buf[i], 0);
    }
    assert_memeq(buf + 10, "END", 3);

    // ftruncate shrinks, then grows with zeros.
    assert_eq(sys_ftruncate(fd, 10), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 10);
    assert_eq(sys_ftruncate(fd, 5000), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    assert_eq(sys_read(fd, back, sizeof(back)), 5000);
    assert_memeq(back, data, 10);
    for (int i = 10; i < 5000; ++i) {
        assert_eq(back[i], 0);
    }
    assert_eq(sys_ftruncate(fd, -1), E_INVAL);
    assert_eq(sys_close(fd), 0);

    // OF_TRUNC empties; "/name" is "name".
    fd = sys_open("/memfs.tmp", OF_WRITE | OF_TRUNC);
    assert_ge(fd, 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);
    assert_eq(sys_write(fd, "first", 5), 5);
    assert_eq(sys_close(fd), 0);

    // unlink while open: the descriptor keeps working.
    fd = sys_open("memfs.tmp", OF_READ | OF_WRITE);
    assert_ge(fd, 3);
    assert_eq(sys_unlink("memfs.tmp"), 0);
    assert_eq(sys_open("memfs.tmp", OF_READ), E_NOENT);
    assert_eq(sys_unlink("memfs.tmp"), E_NOENT);
    assert_eq(sys_lseek(fd, 0, LSEEK_END), 5);
    assert_eq(sys_write(fd, data, sizeof(data)), ssize_t(sizeof(data)));
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    assert_eq(sys_read(fd, buf, 5), 5);
    assert_memeq(buf, "first", 5);
    assert_eq(sys_close(fd), 0);

    // rename, also over an existing name.
    fd = sys_open("memfs.a", OF_WRITE | OF_CREATE);
    assert_eq(sys_write(fd, "AAA", 3), 3);
    assert_eq(sys_close(fd), 0);
    fd = sys_open("memfs.b", OF_WRITE | OF_CREATE);
    assert_eq(sys_write(fd, "BB", 2), 2);
    assert_eq(sys_close(fd), 0);
    int old_b = sys_open("memfs.b", OF_READ);
    assert_ge(old_b, 3);
    assert_eq(sys_rename("memfs.a", "memfs.b"), 0);
    assert_eq(sys_open("memfs.a", OF_READ), E_NOENT);
    fd = sys_open("/memfs.b", OF_READ);
    assert_eq(sys_read(fd, buf, sizeof(buf)), 3);
    assert_memeq(buf, "AAA", 3);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_read(old_b, buf, sizeof(buf)), 2);        // the replaced file
    assert_memeq(buf, "BB", 2);
    assert_eq(sys_close(old_b), 0);
    assert_eq(sys_rename("memfs.b", "memfs.c"), 0);
    assert_eq(sys_rename("memfs.c", "memfs.c"), 0);

    // readdir.
    int found = 0;
    int n = readdir_count("memfs.c", &found);
    assert_eq(found, 1);
    assert_gt(n, 5);
    int found_notes = 0;
    assert_eq(readdir_count("notes.txt", &found_notes), n);
    assert_eq(found_notes, 1);
    char name[128];
    assert_eq(sys_readdir("", size_t(n), name, sizeof(name)), 0);
    assert_eq(sys_readdir(".", size_t(n) + 1000, name, sizeof(name)), 0);
    assert_gt(sys_readdir("/", 0, name, sizeof(name)), 0);
    assert_eq(sys_readdir("/", 0, name, 1), E_RANGE);
    assert_eq(sys_readdir("notes.txt", 0, name, sizeof(name)), E_NOENT);
    assert_eq(sys_readdir("no-such-dir", 0, name, sizeof(name)), E_NOENT);
    assert_eq(sys_unlink("memfs.c"), 0);
    assert_eq(readdir_count("memfs.c", &found), n - 1);
    assert_eq(found, 0);

    // Names: 123 bytes are fine, 124 too long.
    char longname[200];
    memset(longname, 'n', sizeof(longname));
    longname[123] = '\0';
    fd = sys_open(longname, OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink(longname), 0);
    longname[123] = 'n';
    longname[124] = '\0';
    assert_eq(sys_open(longname, OF_WRITE | OF_CREATE), E_NAMETOOLONG);
    longname[199] = '\0';
    assert_eq(sys_open(longname, OF_READ), E_NAMETOOLONG);

    assert_eq(wait_free_pages(start), start);
    printf("memfs succeeded!\n");
}
