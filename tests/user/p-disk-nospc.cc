// p-disk-nospc.cc — a full disk: E_NOSPC, and exact free-space accounting
// afterwards. Runs on obj/disk-small.img (a 400-block chickadeefs holding
// only this program, built by the Makefile).
//
// Checks: a file grown a block at a time until E_NOSPC; the failing write
// changed nothing (size unchanged, and a new file cannot get a single
// block); after ftruncate to 0 the same number of bytes fits again, to the
// byte; an unlinked file that is still open keeps its blocks (its data
// readable, no room for others), and once its last descriptor is closed
// another file gets exactly that space; sys_sync(2) finds no leak; the
// disk left behind is clean (fsck: yes).
//! disk: obj/disk-small.img
//! fsck: yes
#include "u-lib.hh"

namespace {

constexpr size_t B = 4096;
char block[B], back[B];

// Appends blocks to `fd` until the disk is full: the bytes written.
size_t fill_up(int fd, unsigned seed) {
    size_t total = 0;
    for (;;) {
        memset(block, int(seed + total / B), B);
        ssize_t r = sys_write(fd, block, B);
        if (r == E_NOSPC) {
            return total;
        }
        assert_eq(r, ssize_t(B));
        total += B;
    }
}

}  // namespace

void process_main() {
    int fill = sys_open("fill", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fill, 3);
    size_t total = fill_up(fill, 1);
    assert_gt(total, 100 * B);
    assert_eq(sys_lseek(fill, 0, LSEEK_SIZE), ssize_t(total));
    // Nothing left: not even one block for another file.
    int other = sys_open("other", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(other, 3);
    assert_eq(sys_write(other, "x", 1), E_NOSPC);
    assert_eq(sys_lseek(other, 0, LSEEK_SIZE), 0);
    assert_eq(sys_ftruncate(other, 1), E_NOSPC);
    // A write inside the file still works (no allocation).
    assert_eq(sys_lseek(fill, 10, LSEEK_SET), 10);
    assert_eq(sys_write(fill, "in place", 8), 8);

    // Truncate to 0: exactly the same space comes back.
    assert_eq(sys_ftruncate(fill, 0), 0);
    assert_eq(sys_lseek(fill, 0, LSEEK_SET), 0);
    assert_eq(fill_up(fill, 2), total);

    // Unlinked while open: the blocks stay taken until the last close.
    assert_eq(sys_unlink("fill"), 0);
    assert_eq(sys_write(other, "x", 1), E_NOSPC);
    assert_eq(sys_lseek(fill, total - B, LSEEK_SET), ssize_t(total - B));
    assert_eq(sys_read(fill, back, B), ssize_t(B));
    memset(block, int(2 + (total - B) / B), B);
    assert_memeq(back, block, B);
    assert_eq(sys_close(fill), 0);
    assert_eq(fill_up(other, 3), total);
    assert_eq(sys_close(other), 0);
    assert_eq(sys_unlink("other"), 0);

    assert_eq(sys_sync(2), 0);
    console_printf("disk-nospc succeeded!\n");
}
