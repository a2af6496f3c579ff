// p-disk-read.cc — the disk (obj/disk.img) is the root file system: this
// program itself was loaded from it (exec from disk), its files read the
// same through open/read and sys_readdiskfile, at offsets that cross
// blocks and run past the end, and readdir lists the disk's root.
//
// Checks: `kernel` (the first file, 1+ MiB, so many blocks) reads as an
// ELF file; reads of guide.txt (a diskfs/ file only the disk has) at every
// offset around the 4096-byte block boundary agree between read and
// sys_readdiskfile; readdiskfile's errors (E_NOENT for a missing file,
// E_FAULT for a bad buffer or path, 0 at or past the end, E_INVAL for a
// negative offset); readdir lists kernel first, then this program; a
// child process exec'd from the disk runs; the cache leaks no reference
// (sys_sync(2) is 0).
//! disk: yes
//! fsck: yes
//! lab: disk 10
#include "u-lib.hh"

namespace {

char a[9000], b[9000];

}  // namespace

void process_main() {
    // Only the disk has diskfs/ files: the root is the disk.
    int fd = sys_open("guide.txt", OF_READ);
    assert_ge(fd, 3);
    ssize_t size = sys_lseek(fd, 0, LSEEK_SIZE);
    assert_gt(size, 4096);
    assert_lt(size, ssize_t(sizeof(a)));
    assert_eq(sys_read(fd, a, sizeof(a)), size);
    assert_eq(sys_readdiskfile("guide.txt", b, sizeof(b), 0), size);
    assert_memeq(a, b, size_t(size));
    // Around the block boundary, and to the end.
    for (off_t off = 4090; off < 4100; ++off) {
        char x[16], y[16];
        assert_eq(sys_lseek(fd, off, LSEEK_SET), off);
        assert_eq(sys_read(fd, x, sizeof(x)), 16);
        assert_eq(sys_readdiskfile("/guide.txt", y, sizeof(y), off), 16);
        assert_memeq(x, y, 16);
        assert_memeq(x, a + off, 16);
    }
    assert_eq(sys_readdiskfile("guide.txt", b, sizeof(b), size - 3), 3);
    assert_memeq(b, a + size - 3, 3);
    assert_eq(sys_readdiskfile("guide.txt", b, sizeof(b), size), 0);
    assert_eq(sys_readdiskfile("guide.txt", b, sizeof(b), -1), E_INVAL);
    assert_eq(sys_readdiskfile("no-such-file", b, sizeof(b), 0), E_NOENT);
    assert_eq(sys_readdiskfile("guide.txt", reinterpret_cast<char*>(16), 10, 0), E_FAULT);
    assert_eq(sys_readdiskfile(reinterpret_cast<const char*>(16), b, 10, 0), E_FAULT);
    assert_eq(sys_readdiskfile("guide.txt", b, 0, 0), 0);
    assert_eq(sys_close(fd), 0);

    // The kernel file: large, an ELF.
    int k = sys_open("kernel", OF_READ);
    assert_ge(k, 3);
    assert_gt(sys_lseek(k, 0, LSEEK_SIZE), 1 << 20);
    assert_eq(sys_read(k, a, 4), 4);
    assert_memeq(a, "\x7f" "ELF", 4);
    // A read straddling many blocks, compared with readdiskfile's.
    assert_eq(sys_lseek(k, 100000, LSEEK_SET), 100000);
    assert_eq(sys_read(k, a, sizeof(a)), ssize_t(sizeof(a)));
    assert_eq(sys_readdiskfile("kernel", b, sizeof(b), 100000), ssize_t(sizeof(b)));
    assert_memeq(a, b, sizeof(a));
    assert_eq(sys_close(k), 0);

    // The root directory, in disk order: the kernel first.
    char name[128];
    assert_gt(sys_readdir("/", 0, name, sizeof(name)), 0);
    assert_eq(strcmp(name, "kernel"), 0);
    bool found = false;
    for (size_t i = 0; sys_readdir("/", i, name, sizeof(name)) > 0; ++i) {
        found |= strcmp(name, "disk-read") == 0;
    }
    assert(found);

    // Exec from the disk.
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        const char* args[] = {"echo", "exec", "from", "disk", nullptr};
        sys_execv("echo", args);
        sys_exit(99);
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);

    assert_eq(sys_sync(2), 0);
    console_printf("disk-read succeeded!\n");
}
