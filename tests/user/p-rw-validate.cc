// p-rw-validate.cc — argument validation of sys_read and sys_write.
//
// Order of checks assumed (as in POSIX): the file descriptor first
// (E_BADF), then size 0 (returns 0 without touching the buffer, even a
// null or kernel one, and without blocking), then the whole range
// [buf, buf + size) must be user memory mapped with the needed access
// (E_FAULT otherwise: null, kernel half, non-canonical, unmapped, a range
// that wraps around or runs past the end of the low half, a buffer that
// straddles the end of a mapping, and for read a read-only page). A read
// with a bad buffer fails before blocking, so fd 0 (the keyboard) is used
// for read and the test never waits for input. fds 0, 1 and 2 are open in
// the first process (keyboard, console, console).
#include "u-lib.hh"

// The end of this program's data and bss (the linker symbol; see u-lib.hh).
extern uint8_t end[];

namespace {

char* ptr(uintptr_t a) {
    return reinterpret_cast<char*>(a);
}

void expect_write_fault(const char* buf, size_t size) {
    assert_eq(sys_write(1, buf, size), E_FAULT);
    assert_eq(sys_write(2, buf, size), E_FAULT);
}
void expect_read_fault(char* buf, size_t size) {
    assert_eq(sys_read(0, buf, size), E_FAULT);
}
void expect_fault(uintptr_t a, size_t size) {
    expect_write_fault(ptr(a), size);
    expect_read_fault(ptr(a), size);
}

const char rodata_text[] = "rodata!\n";

}  // namespace

void process_main() {
    char buf[64];
    memset(buf, '-', sizeof(buf));
    uintptr_t b = reinterpret_cast<uintptr_t>(buf);

    // Good writes return the count.
    const char hello[] = "rw-validate: writing to fd 1\n";
    assert_eq(sys_write(1, hello, strlen(hello)), ssize_t(strlen(hello)));
    const char hello2[] = "rw-validate: writing to fd 2\n";
    assert_eq(sys_write(2, hello2, strlen(hello2)), ssize_t(strlen(hello2)));
    // Writing from read-only memory is fine.
    assert_eq(sys_write(1, rodata_text, strlen(rodata_text)), ssize_t(strlen(rodata_text)));

    // Bad file descriptors.
    static const int bad_fds[] = {-1, -100, 3, 63, 64, 1000, 1 << 20, 0x7FFFFFFF,
                                  int(0x80000000)};
    for (int fd : bad_fds) {
        assert_eq(sys_write(fd, buf, 1), E_BADF);
        assert_eq(sys_read(fd, buf, 1), E_BADF);
        assert_eq(sys_write(fd, buf, 0), E_BADF);
        assert_eq(sys_write(fd, nullptr, 10), E_BADF);
        assert_eq(sys_read(fd, ptr(0xFFFF800000000000), 10), E_BADF);
    }

    // Size 0 returns 0, whatever the pointer.
    assert_eq(sys_write(1, buf, 0), 0);
    assert_eq(sys_write(1, nullptr, 0), 0);
    assert_eq(sys_write(1, ptr(0xFFFFFFFF80000000), 0), 0);
    assert_eq(sys_read(0, buf, 0), 0);
    assert_eq(sys_read(0, nullptr, 0), 0);
    assert_eq(sys_read(0, ptr(0xFFFF800000000000), 0), 0);

    // Null and low addresses (the first megabyte below the program is not
    // user memory, except the console page, not used here).
    expect_fault(0, 1);
    expect_fault(0, 10);
    expect_fault(8, 16);
    expect_fault(0x1000, 4096);
    expect_fault(0xFF000, 0x1000);

    // Kernel half.
    expect_fault(0xFFFF800000000000, 1);
    expect_fault(0xFFFF800000100000, 64);
    expect_fault(0xFFFFFFFF80000000, 1);
    expect_fault(0xFFFFFFFF80100000, 64);
    expect_fault(0xFFFFFFFFFFFFF000, 0x1000);
    expect_fault(0xFFFFFFFFFFFFFFFF, 1);

    // Non-canonical.
    expect_fault(0x0000800000000000, 1);
    expect_fault(0x8000000000000000, 16);
    expect_fault(0x0000FFFFFFFFF000, 8);

    // Unmapped user addresses (nothing is mapped there in this program).
    expect_fault(0x10000000, 1);
    expect_fault(0x200000000, 100);
    expect_fault(0x7F0000000000, 1);

    // Huge sizes starting at a good buffer.
    expect_fault(b, ~size_t(0));
    expect_fault(b, size_t(1) << 63);
    expect_fault(b, VA_LOWEND);
    // Ranges that wrap around the top of the address space.
    expect_fault(b, ~size_t(0) - b + 1);        // ends exactly at 2^64 (0)
    expect_fault(b, ~size_t(0) - b + 2 + 16);   // wraps to a small address
    // A range that runs from the stack page past the end of the low half.
    uintptr_t stack_page = round_down(b, PAGESIZE);
    expect_fault(stack_page, VA_LOWEND - stack_page + 1);
    expect_fault(VA_LOWEND - 16, 32);

    // A buffer that straddles the end of a mapping: map exactly one page
    // beyond the program (the next one stays unmapped).
    uintptr_t heap = round_up(reinterpret_cast<uintptr_t>(end), PAGESIZE) + 16 * PAGESIZE;
    assert_eq(sys_page_alloc(ptr(heap)), 0);
    memset(ptr(heap), 'x', PAGESIZE);
    ptr(heap)[PAGESIZE - 1] = '\n';
    assert_eq(sys_write(1, ptr(heap + PAGESIZE - 8), 8), 8);
    expect_fault(heap + PAGESIZE - 8, 9);
    expect_fault(heap + PAGESIZE - 8, 16);
    expect_fault(heap + PAGESIZE - 1, 2);
    expect_fault(heap - 8, 16);                 // starts in the unmapped page below
    expect_fault(heap + PAGESIZE, 1);

    // Reading into read-only memory (this program's text and rodata).
    expect_read_fault(const_cast<char*>(rodata_text), 4);
    expect_read_fault(reinterpret_cast<char*>(reinterpret_cast<uintptr_t>(&expect_fault)), 4);

    // Nothing above changed our own buffer.
    for (size_t i = 0; i < sizeof(buf); ++i) {
        assert_eq(buf[i], '-');
    }

    console_printf("rw-validate succeeded!\n");
    sys_exit(0);
}
