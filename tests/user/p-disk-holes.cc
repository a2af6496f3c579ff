// p-disk-holes.cc — holes (extents with first block 0, docs/chickadeefs.md)
// through the kernel, on obj/disk-holes.img: `holes.dat` is 16 blocks,
// blocks 0-1 "nuthatch" lines, 2-9 a hole, 10-11 "chickadee" lines, 12-15
// a hole (mkchkfs -H). A hole reads as zeros; a write into one gets blocks
// (the hole's extent is split around them) and reads back, also after
// sync(2) drops the cache; a write into a hole with the disk full is
// E_NOSPC and changes nothing, then works once space is given back.
// `fsck: yes` then checks the extents the writes left.
// Easy to get wrong: a write that starts in text and ends in a hole (and
// one that runs past the end of the file) fills only part of a hole.
//! disk: obj/disk-holes.img
//! fsck: yes
#include "u-lib.hh"

namespace {

constexpr size_t B = 4096;
constexpr size_t nblocks = 16;
char model[(nblocks + 2) * B];      // what holes.dat should hold
size_t model_size;
char buf[(nblocks + 2) * B];

void expect_file(int fd, const char* when) {
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(model_size));
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    memset(buf, 'X', sizeof(buf));
    ssize_t n = sys_read(fd, buf, sizeof(buf));
    assert_eq(n, ssize_t(model_size));
    for (size_t i = 0; i != model_size; ++i) {
        if (buf[i] != model[i]) {
            panic("%s: byte %zu is %d, expected %d", when, i, buf[i], model[i]);
        }
    }
    // sys_readdiskfile goes through the same blocks.
    assert_eq(sys_readdiskfile("holes.dat", buf, sizeof(buf), 0), ssize_t(model_size));
    assert_memeq(buf, model, model_size);
}

void write_at(int fd, size_t off, const char* data, size_t n) {
    assert_eq(sys_lseek(fd, off, LSEEK_SET), ssize_t(off));
    assert_eq(sys_write(fd, data, n), ssize_t(n));
    memcpy(model + off, data, n);
    model_size = max(model_size, off + n);
}

}  // namespace

void process_main() {
    // The model: what mkchkfs was given (the Makefile's rule).
    for (size_t i = 0; i != 2 * B; ++i) {
        model[i] = "nuthatch\n"[i % 9];
        model[10 * B + i] = "chickadee\n"[i % 10];
    }
    model_size = nblocks * B;

    int fd = sys_open("holes.dat", OF_READ | OF_WRITE);
    assert_gt(fd, 2);
    expect_file(fd, "as made");

    // A few bytes in the middle of the first hole.
    write_at(fd, 5 * B + 100, "into the hole", 13);
    expect_file(fd, "middle");
    // From the text of block 1 into the hole's first block.
    static char text[3 * B];
    for (size_t i = 0; i != sizeof(text); ++i) {
        text[i] = char('a' + i % 23);
    }
    write_at(fd, 2 * B - 50, text, 100);
    expect_file(fd, "text into hole");
    // From block 11's text over the whole tail hole and past the end.
    write_at(fd, 11 * B + 7, text, 5 * B - 7 + 300);
    expect_file(fd, "tail and growth");
    assert_eq(sys_sync(2), 0);
    expect_file(fd, "after sync(2)");

    // The disk full: a write into the rest of the first hole is E_NOSPC
    // and the hole still reads as zeros; with space back it works.
    int ff = sys_open("filler", OF_WRITE | OF_CREATE);
    assert_gt(ff, 2);
    ssize_t filled = 0, n;
    while ((n = sys_write(ff, text, B)) > 0) {
        filled += n;
    }
    assert_eq(n, E_NOSPC);
    assert_gt(filled, ssize_t(100 * B));
    assert_eq(sys_lseek(fd, 7 * B, LSEEK_SET), ssize_t(7 * B));
    assert_eq(sys_write(fd, "full", 4), E_NOSPC);
    expect_file(fd, "refused");
    assert_eq(sys_ftruncate(ff, filled - ssize_t(8 * B)), 0);
    assert_eq(sys_close(ff), 0);
    write_at(fd, 7 * B, "full no more", 12);
    expect_file(fd, "after room");

    // Fill what is left of the holes (blocks 2-9 in one write) and check
    // everything from the disk.
    memcpy(buf, model + 2 * B, 8 * B);
    write_at(fd, 2 * B, buf, 8 * B);
    assert_eq(sys_unlink("filler"), 0);
    assert_eq(sys_sync(2), 0);
    expect_file(fd, "all filled");
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_sync(2), 0);
    printf("disk-holes succeeded!\n");
}
