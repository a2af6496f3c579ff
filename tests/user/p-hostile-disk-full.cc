// p-hostile-disk-full.cc — a program that runs a small disk out of blocks
// and inodes in the ways p-disk-nospc does not: by ftruncate rather than
// by writes, by one write far bigger than the disk, and by creating files
// until no inode is left. Runs on obj/disk-hostile.img (400 blocks, 32
// inodes, holding only this program; built by the Makefile).
//
// Checks: blocks freed by a truncate to 0 can be had again at once by a
// truncate that grows (as they can by a write); a growth one block too big
// is E_NOSPC and changes nothing; files created with no block left fail
// with E_NOSPC and leak no inode; a write bigger than the free space
// returns the whole chunks that fit and the size says the same; files are created until
// E_NOSPC, all removed, and exactly as many fit again; after each fill the
// same number of bytes fits again, to the block; sys_sync(2) finds no
// leaked reference and the disk is clean (fsck: yes).
//! disk: obj/disk-hostile.img
//! fsck: yes
#include "u-lib.hh"

namespace {

constexpr size_t B = 4096;
// 2 MiB of heap (too big for the program's own bss).
char* const big = reinterpret_cast<char*>(0x10000000);
constexpr size_t big_size = 2 << 20;

// Grows `fd` by one block at a time until E_NOSPC: the bytes it took.
size_t fill_by_writes(int fd) {
    size_t total = 0;
    for (ssize_t r; (r = sys_write(fd, big, B)) != E_NOSPC; total += B) {
        assert_eq(r, ssize_t(B));
    }
    return total;
}

}  // namespace

void process_main() {
    for (size_t a = 0; a < big_size; a += B) {
        assert_eq(sys_page_alloc(big + a), 0);
    }
    memset(big, 'w', big_size);
    int fd = sys_open("full", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    size_t total = fill_by_writes(fd);
    assert_gt(total, 100 * B);

    // With no block left, create files until the directory (or the inode
    // table) can take no more; each failure must give its inode back (the
    // inode rounds below would find one fewer).
    int blocked = 0;
    for (;; ++blocked) {
        char name[16];
        snprintf(name, sizeof(name), "g%d", blocked);
        int f = sys_open(name, OF_WRITE | OF_CREATE);
        if (f == E_NOSPC) {
            break;
        }
        assert_ge(f, 3);
        assert_eq(sys_close(f), 0);
        assert_lt(blocked, 1000);
    }
    for (int i = 0; i < blocked; ++i) {
        char name[16];
        snprintf(name, sizeof(name), "g%d", i);
        assert_eq(sys_unlink(name), 0);
    }

    // Free everything by truncation, then take it all back by truncation.
    assert_eq(sys_ftruncate(fd, 0), 0);
    assert_eq(sys_ftruncate(fd, off_t(total)), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(total));
    assert_eq(sys_ftruncate(fd, off_t(total + B)), E_NOSPC);
    assert_eq(sys_ftruncate(fd, off_t(total + 1)), E_NOSPC);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(total));
    // Grown by truncation, the file reads as zeros.
    assert_eq(sys_lseek(fd, off_t(total - B), LSEEK_SET), ssize_t(total - B));
    static char back[B];
    assert_eq(sys_read(fd, back, B), ssize_t(B));
    for (size_t i = 0; i < B; ++i) {
        assert_eq(back[i], 0);
    }

    // One write of 2 MiB into an emptied disk: what fits, and the size.
    assert_eq(sys_ftruncate(fd, 0), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    // (A write goes in chunks of 32 blocks and stops at the first that
    // does not fit: docs/diskfs.md.)
    ssize_t n = sys_write(fd, big, big_size);
    assert_gt(n, ssize_t(total - 32 * B));
    assert_le(n, ssize_t(total));
    assert_eq(n % (32 * B), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), n);
    assert_eq(size_t(n) + fill_by_writes(fd), total);
    assert_eq(sys_write(fd, big, big_size), E_NOSPC);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), ssize_t(total));
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("full"), 0);

    // Inodes: create until E_NOSPC, remove them all, create as many again.
    int made[2] = {0, 0};
    for (int round = 0; round < 2; ++round) {
        char name[16];
        for (;;) {
            snprintf(name, sizeof(name), "f%d", made[round]);
            int f = sys_open(name, OF_WRITE | OF_CREATE);
            if (f == E_NOSPC) {
                break;
            }
            assert_ge(f, 3);
            assert_eq(sys_close(f), 0);
            ++made[round];
            assert_lt(made[round], 1000);
        }
        assert_eq(sys_open(name, OF_READ), E_NOENT);   // the failed one is not there
        for (int i = 0; i < made[round]; ++i) {
            snprintf(name, sizeof(name), "f%d", i);
            assert_eq(sys_unlink(name), 0);
        }
    }
    assert_gt(made[0], 20);
    assert_eq(made[1], made[0]);

    // And the blocks are all there again.
    fd = sys_open("full", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(fill_by_writes(fd), total);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("full"), 0);
    assert_eq(sys_sync(2), 0);
    printf("hostile-disk-full succeeded!\n");
}
