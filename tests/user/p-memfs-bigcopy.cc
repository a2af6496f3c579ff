// p-memfs-bigcopy.cc — a long read or write of a memfs file does not stop
// the clock.
//
// System calls run with interrupts off. A memfs copy moves a page at a time
// and lets pending interrupts in every few pages, so timer ticks keep
// coming during one 32 MiB write and one 32 MiB read (tens of milliseconds
// under QEMU). If the whole copy ran under one lock with interrupts off
// (as memfs once did, under its inode spinlock), no tick would be taken
// until the call returned: at most one would show. The bytes read back
// must be the bytes written. One CPU: ticks are counted on CPU 0, which
// must be the copier's.
//! ncpu: 1
//! cmdline: hz=1000
//! timeout: 60
//! mem: 256M
#include "test-util.hh"

namespace {
constexpr size_t size = 32 << 20;
char* const buf = reinterpret_cast<char*>(0x1000000);     // 16 MiB, page_alloc'd
}  // namespace

void process_main() {
    for (size_t off = 0; off < size; off += PAGESIZE) {
        assert_eq(sys_page_alloc(buf + off), 0);
    }
    for (size_t i = 0; i < size; ++i) {
        buf[i] = char(i * 7 + (i >> 12));
    }
    int fd = sys_open("bigcopy.tmp", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);

    unsigned long before = ticks();
    ssize_t n = sys_write(fd, buf, size);
    unsigned long wrote = ticks() - before;
    assert_eq(n, ssize_t(size));

    memset(buf, 0, size);
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    before = ticks();
    n = sys_read(fd, buf, size);
    unsigned long read = ticks() - before;
    assert_eq(n, ssize_t(size));
    for (size_t i = 0; i < size; ++i) {
        assert_eq(buf[i], char(i * 7 + (i >> 12)));
    }
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("bigcopy.tmp"), 0);
    printf("32 MiB memfs write: %lu ticks; read: %lu ticks\n", wrote, read);
    assert_ge(wrote, 3UL);
    assert_ge(read, 3UL);
    printf("memfs-bigcopy succeeded!\n");
}
