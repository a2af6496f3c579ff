// p-disk-badsb.cc — a disk that holds no chickadeefs (obj/disk-bad.img:
// zeros) is refused at mount with a log line, and the root stays the
// memory file system.
//
// Checks: the kernel says why it did not mount the disk; initfs's files
// and this program are there (memfs), the disk-only diskfs/ files are not;
// sys_readdiskfile finds nothing (E_NOENT: no disk file system).
//! disk: obj/disk-bad.img
//! expect: chkfs: ahci: not mounted: bad magic number
//! expect: chkfs: the root stays the memory file system
#include "u-lib.hh"

void process_main() {
    int fd = sys_open("notes.txt", OF_READ);
    assert_ge(fd, 3);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_open("guide.txt", OF_READ), E_NOENT);
    char buf[16];
    assert_eq(sys_readdiskfile("notes.txt", buf, sizeof(buf), 0), E_NOENT);
    assert_eq(sys_readdiskfile("kernel", buf, sizeof(buf), 0), E_NOENT);
    console_printf("disk-badsb succeeded!\n");
}
