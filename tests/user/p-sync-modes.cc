// p-sync-modes.cc — sys_sync's modes: 0 (write back), 1 (also drop cached
// blocks) and 2 (also check for leaked block references) succeed on the
// memory file system, before and after a file is written; any other mode
// is E_INVAL and changes nothing.
//
// Kernel behaviour assumed: sys_sync(mode) returns 0 for modes 0-2 when
// nothing is leaked (memfs has nothing to write back), E_INVAL otherwise.
#include "u-lib.hh"

void process_main() {
    assert_eq(sys_sync(0), 0);
    assert_eq(sys_sync(1), 0);
    assert_eq(sys_sync(2), 0);
    assert_eq(sys_sync(), 0);
    int fd = sys_open("sync-modes.txt", OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_write(fd, "hello\n", 6), 6);
    // An open file is not a leak.
    assert_eq(sys_sync(2), 0);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_sync(3), E_INVAL);
    assert_eq(sys_sync(-1), E_INVAL);
    assert_eq(sys_sync(0x10000), E_INVAL);
    assert_eq(sys_sync(2), 0);
    fd = sys_open("sync-modes.txt", OF_READ);
    char buf[8] = {};
    assert_eq(sys_read(fd, buf, sizeof(buf)), 6);
    assert_memeq(buf, "hello\n", 6);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("sync-modes.txt"), 0);
    printf("sync-modes succeeded!\n");
}
