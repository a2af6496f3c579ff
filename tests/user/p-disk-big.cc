// p-disk-big.cc — a file far larger than the buffer cache (booted with
// `bufcache=10`: ten 4 KiB slots), so writing it evicts dirty blocks and
// reading it back loads them again.
//
// Checks: a 1.5 MiB file written in 8 KiB pieces reads back with the same
// CRC-32C, before and after sys_sync(0) and after sys_sync(1) (which drops
// the cache: every byte comes from the disk); a second file written while
// the first is read (two descriptors, interleaved) is intact too; nothing
// leaks (sys_sync(2)); the disk is clean afterwards (fsck: yes).
//! disk: yes
//! fsck: yes
//! cmdline: bufcache=10
//! lab: disk 10
#include "u-lib.hh"

namespace {

constexpr size_t piece = 8192;
constexpr size_t pieces = 192;
char buf[piece];

void fill(unsigned seed) {
    for (size_t i = 0; i != piece; ++i) {
        buf[i] = char(i * 5 + seed * 3 + (i >> 10));
    }
}

uint32_t write_file(const char* name, unsigned seed) {
    int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 3);
    uint32_t crc = 0;
    for (size_t k = 0; k != pieces; ++k) {
        fill(unsigned(seed + k));
        crc = crc32c(crc, buf, piece);
        assert_eq(sys_write(fd, buf, piece), ssize_t(piece));
    }
    assert_eq(sys_close(fd), 0);
    return crc;
}

uint32_t read_file(const char* name) {
    int fd = sys_open(name, OF_READ);
    assert_ge(fd, 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(piece * pieces));
    uint32_t crc = 0;
    ssize_t n;
    while ((n = sys_read(fd, buf, piece)) > 0) {
        crc = crc32c(crc, buf, size_t(n));
    }
    assert_eq(n, 0);
    assert_eq(sys_close(fd), 0);
    return crc;
}

}  // namespace

void process_main() {
    // The root is the disk (only it has the diskfs/ files).
    int g = sys_open("guide.txt", OF_READ);
    assert_ge(g, 3);
    assert_eq(sys_close(g), 0);
    uint32_t crc = write_file("big-one", 1);
    assert_eq(read_file("big-one"), crc);
    assert_eq(sys_sync(0), 0);
    assert_eq(read_file("big-one"), crc);
    assert_eq(sys_sync(1), 0);
    assert_eq(read_file("big-one"), crc);

    // Interleaved: read big-one while writing big-two.
    int r = sys_open("big-one", OF_READ);
    int w = sys_open("big-two", OF_WRITE | OF_CREATE | OF_TRUNC);
    uint32_t rcrc = 0, wcrc = 0;
    static char other[piece];
    for (size_t k = 0; k != pieces; ++k) {
        assert_eq(sys_read(r, other, piece), ssize_t(piece));
        rcrc = crc32c(rcrc, other, piece);
        fill(unsigned(500 + k));
        wcrc = crc32c(wcrc, buf, piece);
        assert_eq(sys_write(w, buf, piece), ssize_t(piece));
    }
    assert_eq(rcrc, crc);
    assert_eq(sys_close(r), 0);
    assert_eq(sys_close(w), 0);
    assert_eq(sys_sync(1), 0);
    assert_eq(read_file("big-two"), wcrc);

    assert_eq(sys_unlink("big-one"), 0);
    assert_eq(sys_unlink("big-two"), 0);
    assert_eq(sys_sync(2), 0);
    console_printf("disk-big succeeded!\n");
}
