// p-fs-hostile.cc — hostile arguments to every descriptor and file call:
// open, unlink, rename, readdir, pipe, close, dup2, lseek, ftruncate, read
// and write on files and pipes.
//
// Paths: nullptr, kernel, non-canonical and unmapped addresses, and a name
// whose bytes run up to the end of a mapped page with the next page
// unmapped, are E_FAULT; a name with no NUL within the path limit is
// E_NAMETOOLONG (also when it is followed by unmapped memory far away).
// Buffers: huge sizes, wrapping ranges, kernel addresses and read-only
// pages for reads are E_FAULT, after the descriptor check (E_BADF first).
// pipe's array must be writable (E_FAULT, and no descriptors leak).
// Numbers: out-of-range descriptors, bad origins, offsets that overflow,
// negative and huge truncation sizes. Nothing crashes, nothing is created
// by a failed call, and the free-page count returns exactly to its start.
#include "u-lib.hh"
#include "page-accounting.hh"

extern "C" char end[];

namespace {

const uintptr_t bad_pointers[] = {
    0, 1, 0xFFF, 0xB7FF8, 0xB9000, 0xFFFFF,
    0x800000000000, 0xFFFF800000000000, 0xFFFFFFFF80000000,
    0xFFFFFFFF80100000, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000,
};

template <typename T>
T* p(uintptr_t a) {
    return reinterpret_cast<T*>(a);
}

// Descriptors 3.. must all be closed (no leaks from failed calls).
void expect_no_open_files() {
    for (int fd = 3; fd < 32; ++fd) {
        assert_eq(sys_close(fd), E_BADF);
    }
}

}  // namespace

void process_main() {
    // A page for names that run off its end (allocated before counting).
    uintptr_t page = round_up(reinterpret_cast<uintptr_t>(end), 4096) + 64 * 4096;
    assert_eq(sys_page_alloc(p<void>(page)), 0);
    size_t start = start_free_pages();
    char name[64];

    // Bad path pointers, for every call that takes a path.
    for (uintptr_t a : bad_pointers) {
        const char* path = p<const char>(a);
        assert_eq(sys_open(path, OF_READ), E_FAULT);
        assert_eq(sys_open(path, OF_WRITE | OF_CREATE), E_FAULT);
        assert_eq(sys_unlink(path), E_FAULT);
        assert_eq(sys_rename(path, "x"), E_FAULT);
        assert_eq(sys_rename("notes.txt", path), E_FAULT);
        assert_eq(sys_readdir(path, 0, name, sizeof(name)), E_FAULT);
        assert_eq(sys_readdir("/", 0, p<char>(a), sizeof(name)), E_FAULT);
        assert_eq(sys_pipe(p<int>(a)), E_FAULT);
    }
    // readdir: a name buffer that is too big for what is mapped.
    assert_eq(sys_readdir("/", 0, name, size_t(1) << 40), E_FAULT);
    assert_eq(sys_readdir("/", 0, name, ~size_t(0)), E_FAULT);
    // Read-only memory for readdir's and pipe's results.
    auto* text = p<char>(0x100000);
    assert_eq(sys_readdir("/", 0, text, 16), E_FAULT);
    assert_eq(sys_pipe(p<int>(0x100000)), E_FAULT);

    // A name that runs to the end of a page, followed by an unmapped page.
    char* tail = p<char>(page + 4096 - 10);
    memset(tail, 'z', 10);
    assert_eq(sys_open(tail, OF_READ | OF_CREATE), E_FAULT);
    assert_eq(sys_unlink(tail), E_FAULT);
    assert_eq(sys_rename(tail, "y"), E_FAULT);
    assert_eq(sys_readdir(tail, 0, name, sizeof(name)), E_FAULT);
    // A pipe array straddling the end of the page.
    assert_eq(sys_pipe(p<int>(page + 4096 - 4)), E_FAULT);
    // A name without a NUL in the whole mapped page: too long.
    char* whole = p<char>(page);
    memset(whole, 'q', 4096);
    assert_eq(sys_open(whole, OF_READ | OF_CREATE), E_NAMETOOLONG);
    assert_eq(sys_unlink(whole), E_NAMETOOLONG);
    assert_eq(sys_readdir(whole, 0, name, sizeof(name)), E_NAMETOOLONG);
    expect_no_open_files();

    // Bad flags create nothing.
    assert_eq(sys_open("hostile.tmp", OF_CREATE | OF_WRITE | 0x100), E_INVAL);
    assert_eq(sys_open("hostile.tmp", -1), E_INVAL);
    assert_eq(sys_open("hostile.tmp", OF_READ), E_NOENT);
    // Names with a '/' inside, or that are the root.
    assert_eq(sys_open("/a/b", OF_CREATE | OF_WRITE), E_NOENT);
    assert_eq(sys_open("/", OF_READ), E_INVAL);
    assert_eq(sys_unlink("/"), E_INVAL);
    assert_eq(sys_rename("/", "x"), E_INVAL);
    // "." and ".." are the root too: never files of it.
    assert_eq(sys_open("..", OF_CREATE | OF_WRITE), E_INVAL);
    assert_eq(sys_open(".", OF_CREATE | OF_WRITE), E_INVAL);
    assert_eq(sys_unlink(".."), E_INVAL);
    assert_eq(sys_rename("..", "x"), E_INVAL);
    assert_eq(sys_rename("x", ".."), E_INVAL);

    // Descriptor numbers.
    const int bad_fds[] = {-1, 32, 33, 1000, 1 << 30, int(0x80000000), 0x7FFFFFFF};
    char buf[16];
    for (int fd : bad_fds) {
        assert_eq(sys_close(fd), E_BADF);
        assert_eq(sys_dup2(fd, 5), E_BADF);
        assert_eq(sys_dup2(1, fd), E_BADF);
        assert_eq(sys_lseek(fd, 0, LSEEK_SET), E_BADF);
        assert_eq(sys_ftruncate(fd, 0), E_BADF);
        assert_eq(sys_read(fd, p<char>(0xFFFF800000000000), 10), E_BADF);
        assert_eq(sys_write(fd, nullptr, 10), E_BADF);
    }
    expect_no_open_files();

    // A file and a pipe: buffers.
    int fd = sys_open("hostile.tmp", OF_READ | OF_WRITE | OF_CREATE);
    assert_eq(fd, 3);
    int pfd[2];
    assert_eq(sys_pipe(pfd), 0);
    assert_eq(pfd[0], 4);
    for (uintptr_t a : bad_pointers) {
        for (int f : {fd, pfd[0]}) {
            assert_eq(sys_read(f, p<char>(a), 10), E_FAULT);
        }
        for (int f : {fd, pfd[1]}) {
            assert_eq(sys_write(f, p<const char>(a), 10), E_FAULT);
        }
    }
    for (int f : {fd, pfd[0]}) {
        assert_eq(sys_read(f, buf, ~size_t(0)), E_FAULT);
        assert_eq(sys_read(f, buf, size_t(1) << 47), E_FAULT);
        assert_eq(sys_read(f, text, 8), E_FAULT);           // read-only page
    }
    for (int f : {fd, pfd[1]}) {
        assert_eq(sys_write(f, buf, ~size_t(0)), E_FAULT);
        assert_eq(sys_write(f, buf, size_t(1) << 47), E_FAULT);
        assert_eq(sys_write(f, tail, 4096), E_FAULT);       // runs off the page
    }
    // Nothing was written by the failed calls.
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);

    // Offsets and sizes.
    assert_eq(sys_lseek(fd, 0x7FFFFFFFFFFFFFFF, LSEEK_SET), 0x7FFFFFFFFFFFFFFF);
    assert_eq(sys_lseek(fd, 1, LSEEK_CUR), E_INVAL);        // would overflow
    assert_eq(sys_write(fd, "x", 1), E_FBIG);
    assert_eq(sys_lseek(fd, 0x7FFFFFFFFFFFFFFF, LSEEK_END), 0x7FFFFFFFFFFFFFFF);
    assert_eq(sys_lseek(fd, -0x7FFFFFFFFFFFFFFF - 1, LSEEK_SET), E_INVAL);
    assert_eq(sys_lseek(fd, 0, 1000), E_INVAL);
    assert_eq(sys_lseek(fd, 0, -2), E_INVAL);
    assert_eq(sys_ftruncate(fd, -1), E_INVAL);
    assert_eq(sys_ftruncate(fd, 0x7FFFFFFFFFFFFFFF), E_FBIG);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);
    assert_eq(sys_ftruncate(pfd[1], 0), E_INVAL);           // a pipe
    assert_eq(sys_ftruncate(0, 0), E_INVAL);                // the console
    assert_eq(sys_lseek(0, 0, LSEEK_SET), E_SPIPE);
    // A huge read of a small file returns what there is.
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    assert_eq(sys_write(fd, "abc", 3), 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    assert_eq(sys_read(fd, buf, sizeof(buf)), 3);

    assert_eq(sys_close(fd), 0);
    assert_eq(sys_close(pfd[0]), 0);
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_unlink("hostile.tmp"), 0);
    expect_no_open_files();
    assert_eq(wait_free_pages(start), start);
    printf("fs-hostile succeeded!\n");
}
