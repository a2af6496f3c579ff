// p-hostile-open-race-disk.cc — opening a disk file races with its unlink.
//
// chkfs_dir::open_entry (kernel/core/chkfs.cc) used to find the name's
// inode number under the directory lock, drop the lock, and only then
// make the vnode. An unlink in between freed the inode (no vnode held it
// yet), so the open failed with E_IO (it read a free inode); and if a
// create reused the inode number meanwhile, the open returned *another
// file*. Now the vnode is made before the lock is dropped, so the unlink
// finds it in the table and leaves the inode alone. Here one process
// creates and writes "x" (all 'X'), one unlinks it, one creates, writes
// and unlinks "y" (all 'Y'), and one opens "x": every open must give a
// descriptor on a file of 'X' bytes (or an empty one, just created) or
// E_NOENT — never E_IO, never 'Y'. Failed within a second at 4 CPUs on
// the old code.
//! disk: yes
//! fsck: yes
//! ncpu: 4
#include "u-lib.hh"

namespace {

constexpr int rounds = 1000;

[[noreturn]] void writer(const char* name, char fill, bool unlink_too) {
    char buf[64];
    memset(buf, fill, sizeof(buf));
    for (int i = 0; i < rounds; ++i) {
        int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
        assert_ge(fd, 3);
        assert_eq(sys_write(fd, buf, sizeof(buf)), ssize_t(sizeof(buf)));
        assert_eq(sys_close(fd), 0);
        if (unlink_too) {
            int r = sys_unlink(name);
            assert(r == 0 || r == E_NOENT);
        }
    }
    sys_exit(0);
}

[[noreturn]] void unlinker() {
    for (int i = 0; i < rounds * 2; ++i) {
        int r = sys_unlink("x");
        assert(r == 0 || r == E_NOENT);
    }
    sys_exit(0);
}

[[noreturn]] void opener() {
    for (int i = 0; i < rounds * 2; ++i) {
        int fd = sys_open("x", OF_READ);
        if (fd == E_NOENT) {
            continue;
        }
        assert_ge(fd, 3);
        char ch = 0;
        ssize_t n = sys_read(fd, &ch, 1);
        assert(n == 0 || (n == 1 && ch == 'X'), "opened another file");
        assert_eq(sys_close(fd), 0);
    }
    sys_exit(0);
}

}  // namespace

void process_main() {
    pid_t kids[4];
    for (int i = 0; i < 4; ++i) {
        kids[i] = sys_fork();
        assert_ge(kids[i], 0);
        if (kids[i] == 0) {
            switch (i) {
            case 0: writer("x", 'X', false);
            case 1: unlinker();
            case 2: writer("y", 'Y', true);
            default: opener();
            }
        }
    }
    for (pid_t k : kids) {
        int status = -1;
        assert_eq(sys_waitpid(k, &status), k);
        assert_eq(status, 0);
    }
    sys_unlink("x");
    sys_unlink("y");
    assert_eq(sys_sync(2), 0);
    printf("hostile-open-race-disk succeeded!\n");
}
