// p-disk-write.cc — writing files on the disk root (obj/disk.img,
// chickadeefs): create, write, read back, grow, truncate, unlink, rename,
// sync.
//
// Checks: writes in odd sizes read back (across blocks); two files grown a
// block at a time in turn get one-block extents each, so each grows past
// the four direct extents into the indirect extent (520 extents: two
// indirect blocks) and still reads back, also after sys_sync(1) dropped
// the cache (the bytes come from the disk); a write past the end leaves
// zeros; ftruncate to 0 and regrowing reads zeros; a read descriptor sees
// what a separate write descriptor wrote; an unlinked file stays readable
// through its descriptor and its name is gone; rename over an existing
// name; a write at 4 GiB − 1 is E_FBIG; sys_sync(2) finds no leaked block
// reference.
//! disk: yes
//! fsck: yes
//! lab: disk 20
#include "u-lib.hh"

namespace {

constexpr size_t B = 4096;
char buf[3 * B + 100], back[3 * B + 100];

void fill(char* p, size_t n, unsigned seed) {
    for (size_t i = 0; i != n; ++i) {
        p[i] = char(i * 7 + seed * 131 + (i >> 12));
    }
}

void check_file(const char* name, size_t blocks, unsigned seed) {
    int fd = sys_open(name, OF_READ);
    assert_ge(fd, 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(blocks * B));
    for (size_t k = 0; k != blocks; ++k) {
        fill(buf, B, seed + unsigned(k));
        assert_eq(sys_read(fd, back, B), ssize_t(B));
        assert_memeq(back, buf, B);
    }
    assert_eq(sys_read(fd, back, 1), 0);
    assert_eq(sys_close(fd), 0);
}

}  // namespace

void process_main() {
    // The root is the disk (only it has diskfs/ files).
    assert_gt(sys_readdiskfile("guide.txt", buf, 10, 0), 0);
    assert_ge(sys_open("guide.txt", OF_READ), 3);

    // Odd-sized writes, read back whole and across a block boundary.
    int fd = sys_open("w-small", OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    fill(buf, sizeof(buf), 1);
    size_t done = 0;
    for (size_t piece = 1; done < sizeof(buf); piece = piece * 3 + 1) {
        size_t n = piece < sizeof(buf) - done ? piece : sizeof(buf) - done;
        assert_eq(sys_write(fd, buf + done, n), ssize_t(n));
        done += n;
    }
    assert_eq(sys_close(fd), 0);
    fd = sys_open("w-small", OF_READ);
    assert_eq(sys_read(fd, back, sizeof(back)), ssize_t(sizeof(buf)));
    assert_memeq(back, buf, sizeof(buf));
    assert_eq(sys_lseek(fd, B - 5, LSEEK_SET), ssize_t(B - 5));
    assert_eq(sys_read(fd, back, 10), 10);
    assert_memeq(back, buf + B - 5, 10);
    assert_eq(sys_close(fd), 0);

    // Two files growing a block at a time, in turn: 520 one-block extents
    // each, past the direct extents into the indirect extent.
    int a = sys_open("w-frag-a", OF_WRITE | OF_CREATE);
    int b = sys_open("w-frag-b", OF_WRITE | OF_CREATE);
    assert_ge(a, 3);
    assert_ge(b, 3);
    for (unsigned k = 0; k != 520; ++k) {
        fill(buf, B, 1000 + k);
        assert_eq(sys_write(a, buf, B), ssize_t(B));
        fill(buf, B, 5000 + k);
        assert_eq(sys_write(b, buf, B), ssize_t(B));
    }
    assert_eq(sys_close(a), 0);
    assert_eq(sys_close(b), 0);
    check_file("w-frag-a", 520, 1000);
    check_file("w-frag-b", 520, 5000);
    // Again from the disk itself: write everything home, drop the cache.
    assert_eq(sys_sync(1), 0);
    check_file("w-frag-a", 520, 1000);
    check_file("w-frag-b", 520, 5000);
    assert_eq(sys_unlink("w-frag-b"), 0);

    // Truncate to 0 and regrow; a write past the end leaves zeros.
    fd = sys_open("w-frag-a", OF_READ | OF_WRITE);
    assert_eq(sys_ftruncate(fd, 0), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);
    assert_eq(sys_ftruncate(fd, 2 * B + 10), 0);
    assert_eq(sys_read(fd, back, sizeof(back)), ssize_t(2 * B + 10));
    for (size_t i = 0; i != 2 * B + 10; ++i) {
        assert_eq(back[i], 0);
    }
    assert_eq(sys_lseek(fd, 3 * B + 1, LSEEK_SET), ssize_t(3 * B + 1));
    assert_eq(sys_write(fd, "end", 3), 3);
    assert_eq(sys_lseek(fd, 2 * B, LSEEK_SET), ssize_t(2 * B));
    assert_eq(sys_read(fd, back, sizeof(back)), ssize_t(B + 4));
    for (size_t i = 0; i != B + 1; ++i) {
        assert_eq(back[i], 0);
    }
    assert_memeq(back + B + 1, "end", 3);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("w-frag-a"), 0);

    // Separate read and write descriptors on one file.
    int w = sys_open("w-shared", OF_WRITE | OF_CREATE | OF_TRUNC);
    int r = sys_open("w-shared", OF_READ);
    assert_ge(w, 3);
    assert_ge(r, 3);
    for (unsigned k = 0; k != 5; ++k) {
        fill(buf, 3000, k);
        assert_eq(sys_write(w, buf, 3000), 3000);
        assert_eq(sys_read(r, back, sizeof(back)), 3000);
        assert_memeq(back, buf, 3000);
    }
    assert_eq(sys_read(r, back, 1), 0);

    // Unlink while open: the descriptors keep the file, the name is gone.
    assert_eq(sys_unlink("w-shared"), 0);
    assert_eq(sys_open("w-shared", OF_READ), E_NOENT);
    assert_eq(sys_readdiskfile("w-shared", back, 10, 0), E_NOENT);
    assert_eq(sys_write(w, "more", 4), 4);
    assert_eq(sys_read(r, back, sizeof(back)), 4);
    assert_memeq(back, "more", 4);
    assert_eq(sys_lseek(r, 0, LSEEK_SET), 0);
    fill(buf, 3000, 0);
    assert_eq(sys_read(r, back, 3000), 3000);
    assert_memeq(back, buf, 3000);
    assert_eq(sys_close(w), 0);
    assert_eq(sys_close(r), 0);

    // Rename, and rename over an existing name.
    fd = sys_open("w-one", OF_WRITE | OF_CREATE);
    assert_eq(sys_write(fd, "one", 3), 3);
    assert_eq(sys_close(fd), 0);
    fd = sys_open("w-two", OF_WRITE | OF_CREATE);
    assert_eq(sys_write(fd, "two!", 4), 4);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_rename("w-one", "w-three"), 0);
    assert_eq(sys_open("w-one", OF_READ), E_NOENT);
    assert_eq(sys_rename("w-three", "w-two"), 0);
    assert_eq(sys_readdiskfile("w-two", back, 10, 0), 3);
    assert_memeq(back, "one", 3);
    assert_eq(sys_rename("missing", "w-two"), E_NOENT);
    assert_eq(sys_unlink("w-two"), 0);

    // Limits of the format: 4 GiB − 1 bytes.
    fd = sys_open("w-small", OF_READ | OF_WRITE);
    assert_eq(sys_lseek(fd, 0xFFFFFFFFL, LSEEK_SET), 0xFFFFFFFFL);
    assert_eq(sys_write(fd, "x", 1), E_FBIG);
    assert_eq(sys_ftruncate(fd, 0x100000000L), E_FBIG);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(sizeof(buf)));
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("w-small"), 0);

    assert_eq(sys_sync(2), 0);
    console_printf("disk-write succeeded!\n");
}
