// hostile-fs.hh — the body of p-hostile-fs (memory root) and
// p-hostile-fs-disk (disk root): what a hostile program can do with names,
// renames, unlinks, sizes, offsets, exec of bad files and buffers that end
// on a read-only page, against whichever file system is the root. Each
// case checks the documented result and that the failed call changed
// nothing; the caller survives every failed exec.
//
// Easy to get wrong: the two roots differ only in their limits (a memfs
// file grows to 64 MiB, a chickadeefs file to 4 GiB - 1) and in what "no
// leak" can be measured by: free pages on the memory root (the buffer
// cache fills as it likes on the disk), sys_sync(2) and fsck on the disk.
#pragma once
#include "u-lib.hh"
#include "page-accounting.hh"

namespace hostile_fs {

struct root_kind {
    bool disk;
    off_t max_size;             // the largest file: E_FBIG at and past it
};

char image[512 * 1024];         // a program file, copied around
constexpr uintptr_t edge_page = 0x30000000;
char buf[8192];

template <typename T>
T* at(uintptr_t a) {
    return reinterpret_cast<T*>(a);
}

// Is [a, a + n) writable user memory? readdir checks its name buffer
// before it looks for the entry, and an index past the end writes nothing.
bool writable(uintptr_t a, size_t n = 1) {
    return sys_readdir("/", 100000, at<char>(a), n) == 0;
}

size_t read_whole(const char* name, char* into, size_t cap) {
    int fd = sys_open(name, OF_READ);
    assert_ge(fd, 0);
    size_t n = 0;
    for (ssize_t r; (r = sys_read(fd, into + n, cap - n)) > 0; ) {
        n += size_t(r);
    }
    assert_lt(n, cap);
    assert_eq(sys_close(fd), 0);
    return n;
}

void write_whole(const char* name, const char* from, size_t n) {
    int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 0);
    assert_eq(sys_write(fd, from, n), ssize_t(n));
    assert_eq(sys_close(fd), 0);
}

// Does the root list `name`?
bool listed(const char* name) {
    char n[128];
    for (size_t i = 0; ; ++i) {
        ssize_t r = sys_readdir("/", i, n, sizeof(n));
        assert_ge(r, 0);
        if (r == 0) {
            return false;
        }
        if (strcmp(n, name) == 0) {
            return true;
        }
    }
}

size_t count_entries() {
    char n[128];
    size_t i = 0;
    while (sys_readdir("/", i, n, sizeof(n)) > 0) {
        ++i;
    }
    return i;
}

// Runs `program` with execv in a child; returns its exit status, or
// 200 + the error number if the exec failed (the child survived it).
int run(const char* program, const char* arg = nullptr) {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        const char* args[] = {program, arg, nullptr};
        int r = sys_execv(program, args);
        sys_exit(200 - r);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    return status;
}

void check_sync(const root_kind& k) {
    if (k.disk) {
        assert_eq(sys_sync(2), 0);      // no block reference leaked
    }
}

// --- names -------------------------------------------------------------------

void names(const root_kind& k) {
    size_t entries = count_entries();
    // A path of exactly VFS_PATH_MAX - 1 = 255 bytes (132 slashes and a
    // 123-byte name) is a path; 256 bytes without a NUL is not.
    char path[300];
    memset(path, '/', 132);
    memset(path + 132, 'n', 123);
    path[255] = '\0';
    char name[124];
    memcpy(name, path + 132, sizeof(name));
    int fd = sys_open(path, OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_write(fd, "long", 4), 4);
    assert_eq(sys_close(fd), 0);
    assert(listed(name));
    // Its entry needs 124 bytes of buffer: 123 is E_RANGE and writes
    // nothing.
    for (size_t i = 0; ; ++i) {
        char n[128];
        ssize_t r = sys_readdir("/", i, n, sizeof(n));
        assert_gt(r, 0);
        if (r == 123) {
            memset(buf, '-', 128);
            assert_eq(sys_readdir("/", i, buf, 123), E_RANGE);
            assert_eq(buf[0], '-');
            assert_eq(sys_readdir("/", i, buf, 124), 123);
            assert_memeq(buf, name, 124);
            break;
        }
    }
    path[255] = 'n';
    path[256] = '\0';
    assert_eq(sys_open(path, OF_READ), E_NAMETOOLONG);
    assert_eq(sys_unlink(path), E_NAMETOOLONG);
    assert_eq(sys_rename(path, "x"), E_NAMETOOLONG);
    assert_eq(sys_rename(name, path), E_NAMETOOLONG);
    assert_eq(sys_readdir(path, 0, buf, 128), E_NAMETOOLONG);
    // A name of 124 bytes is too long, in every call; nothing is made.
    path[132 + 124] = '\0';
    assert_eq(sys_open(path + 132, OF_WRITE | OF_CREATE), E_NAMETOOLONG);
    assert_eq(sys_rename(name, path + 132), E_NAMETOOLONG);
    assert_eq(sys_unlink(path + 132), E_NAMETOOLONG);
    assert(listed(name));
    assert_eq(count_entries(), entries + 1);
    assert_eq(sys_unlink(name), 0);
    assert(!listed(name));

    // Odd bytes are bytes: a name with control characters, DEL, bytes
    // above 127 and spaces is created, listed as it is, and removed.
    const char odd[] = "\x01\x7f\xff \t~...\x80";
    fd = sys_open(odd, OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_close(fd), 0);
    assert(listed(odd));
    assert_eq(sys_open("...", OF_READ), E_NOENT);      // only its prefix
    assert_eq(sys_unlink(odd), 0);
    assert(!listed(odd));

    // A trailing slash, "./x", "x/." name no file; they create nothing.
    write_whole("hf-a", "alpha", 5);
    for (const char* bad : {"hf-a/", "/hf-a/", "./hf-a", "hf-a/.", "hf-a//"}) {
        assert_eq(sys_open(bad, OF_READ), E_NOENT);
        assert_eq(sys_open(bad, OF_WRITE | OF_CREATE), E_NOENT);
        assert_eq(sys_unlink(bad), E_NOENT);
        assert_eq(sys_rename("hf-a", bad), E_NOENT);
        assert_eq(sys_readdir(bad, 0, buf, 128), E_NOENT);
    }
    assert_eq(count_entries(), entries + 1);
    // The root and its spellings are not files.
    for (const char* root : {"/", ".", "..", "//", "/./"}) {
        if (strcmp(root, "/./") != 0) {
            assert_eq(sys_open(root, OF_READ | OF_WRITE | OF_CREATE), E_INVAL);
            assert_eq(sys_unlink(root), E_INVAL);
            assert_eq(sys_rename(root, "hf-b"), E_INVAL);
            assert_eq(sys_rename("hf-a", root), E_INVAL);
        }
    }
    assert_eq(sys_open("", OF_READ | OF_CREATE), E_NOENT);
    assert(listed("hf-a"));
    assert_eq(count_entries(), entries + 1);
    check_sync(k);
}

// --- renames and unlinks of files in use -----------------------------------------

void renames(const root_kind& k) {
    size_t entries = count_entries();
    // Onto itself, by two spellings: nothing changes.
    assert_eq(sys_rename("hf-a", "hf-a"), 0);
    assert_eq(sys_rename("/hf-a", "hf-a"), 0);
    assert_eq(read_whole("hf-a", buf, sizeof(buf)), 5u);
    assert_memeq(buf, "alpha", 5);
    assert_eq(count_entries(), entries);
    // A missing source changes nothing, not even an existing target.
    assert_eq(sys_rename("hf-none", "hf-a"), E_NOENT);
    assert_eq(read_whole("hf-a", buf, sizeof(buf)), 5u);

    // An open file renamed: its descriptor goes on, the new name sees the
    // writes made through it, the old name is gone.
    int fd = sys_open("hf-a", OF_READ | OF_WRITE);
    assert_ge(fd, 3);
    assert_eq(sys_rename("hf-a", "hf-b"), 0);
    assert_eq(sys_open("hf-a", OF_READ), E_NOENT);
    assert_eq(sys_lseek(fd, 0, LSEEK_END), 5);
    assert_eq(sys_write(fd, "-beta", 5), 5);
    assert_eq(read_whole("hf-b", buf, sizeof(buf)), 10u);
    assert_memeq(buf, "alpha-beta", 10);

    // Renamed onto a file that is open: the replaced file lives on through
    // its descriptor with its own bytes, and is freed at its close.
    write_whole("hf-c", "gamma", 5);
    int old = sys_open("hf-c", OF_READ);
    assert_ge(old, 3);
    assert_eq(sys_rename("hf-b", "hf-c"), 0);
    assert_eq(sys_open("hf-b", OF_READ), E_NOENT);
    assert_eq(sys_read(old, buf, sizeof(buf)), 5);
    assert_memeq(buf, "gamma", 5);
    assert_eq(read_whole("hf-c", buf, sizeof(buf)), 10u);
    assert_memeq(buf, "alpha-beta", 10);
    assert_eq(count_entries(), entries);
    // Both descriptors are the one file now under "hf-c" and the orphan.
    assert_eq(sys_write(fd, "!", 1), 1);
    assert_eq(read_whole("hf-c", buf, sizeof(buf)), 11u);
    assert_eq(sys_close(old), 0);

    // Unlinked while open: still readable and writable, then gone.
    assert_eq(sys_unlink("hf-c"), 0);
    assert_eq(sys_unlink("hf-c"), E_NOENT);
    assert_eq(sys_write(fd, "?", 1), 1);
    assert_eq(sys_lseek(fd, 0, LSEEK_SET), 0);
    assert_eq(sys_read(fd, buf, sizeof(buf)), 12);
    assert_memeq(buf, "alpha-beta!?", 12);
    // A new file with the old name is a new file.
    write_whole("hf-c", "new", 3);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 12);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("hf-c"), 0);
    assert_eq(count_entries(), entries - 1);
    write_whole("hf-a", "alpha", 5);
    check_sync(k);
}

// --- sizes and offsets -----------------------------------------------------------

void sizes(const root_kind& k) {
    int fd = sys_open("hf-size", OF_READ | OF_WRITE | OF_CREATE);
    assert_ge(fd, 3);
    assert_eq(sys_write(fd, "0123456789", 10), 10);
    // Past the limit: E_FBIG and the size is unchanged.
    for (off_t bad : {k.max_size + 1, k.max_size + 4096, off_t(1) << 40,
                      off_t(0x7FFFFFFFFFFFFFFF)}) {
        assert_eq(sys_ftruncate(fd, bad), E_FBIG);
        assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 10);
    }
    for (off_t bad : {off_t(-1), off_t(-4096), off_t(INT64_MIN)}) {
        assert_eq(sys_ftruncate(fd, bad), E_INVAL);
        assert_eq(sys_lseek(fd, bad, LSEEK_SET), E_INVAL);
        assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 10);
        assert_eq(sys_lseek(fd, bad - 10, LSEEK_END), E_INVAL);
        assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 10);
    }
    assert_eq(sys_lseek(fd, -11, LSEEK_CUR), E_INVAL);
    assert_eq(sys_lseek(fd, -10, LSEEK_CUR), 0);
    assert_eq(sys_lseek(fd, INT64_MIN, LSEEK_CUR), E_INVAL);
    assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 0);
    // Exactly the limit: a file of max_size bytes is fine (a hole on the
    // memory root; on the disk, growing allocates zeroed blocks, so a
    // disk smaller than 4 GiB says E_NOSPC and the file stays as it was);
    // a byte at max_size - 1 can be written, one at max_size cannot.
    // Refusing takes no time: the disk is not filled with zeros first (at
    // 100 ticks a second, 1 s is ample; filling took 3 s on the 32 MiB disk).
    usage u0, u1;
    assert_eq(sys_getusage(&u0), 0);
    int r = sys_ftruncate(fd, k.max_size);
    assert_eq(sys_getusage(&u1), 0);
    if (r == E_NOSPC && k.disk) {
        assert_lt(u1.time - u0.time, 100u);
        assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 10);
        assert_eq(sys_lseek(fd, k.max_size - 1, LSEEK_SET), k.max_size - 1);
        assert_eq(sys_write(fd, "xy", 2), E_NOSPC);
        assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 10);
        assert_eq(sys_read(fd, buf, 16), 0);
    } else {
        assert_eq(r, 0);
        assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), k.max_size);
        assert_eq(sys_lseek(fd, k.max_size - 1, LSEEK_SET), k.max_size - 1);
        assert_eq(sys_write(fd, "xy", 2), 1);
        assert_eq(sys_write(fd, "y", 1), E_FBIG);
        assert_eq(sys_lseek(fd, 0, LSEEK_CUR), k.max_size);
        assert_eq(sys_read(fd, buf, 16), 0);
        assert_eq(sys_lseek(fd, k.max_size - 2, LSEEK_SET), k.max_size - 2);
        assert_eq(sys_read(fd, buf, 16), 2);
        assert_eq(buf[0], 0);
        assert_eq(buf[1], 'x');
    }
    off_t size = sys_lseek(fd, 0, LSEEK_SIZE);
    // Far past the end: reads return 0, writes E_FBIG, nothing changes.
    for (off_t far : {k.max_size, off_t(1) << 40, off_t(0x7FFFFFFFFFFFFFFF)}) {
        assert_eq(sys_lseek(fd, far, LSEEK_SET), far);
        assert_eq(sys_read(fd, buf, 16), 0);
        assert_eq(sys_write(fd, "z", 1), E_FBIG);
    }
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), size);
    // And back to nothing: every block goes.
    assert_eq(sys_ftruncate(fd, 0), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), 0);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("hf-size"), 0);

    // A full table: an open that cannot get a descriptor changes nothing
    // (it does not create the file, nor truncate it); neither does a pipe.
    int filled = 0;
    for (int f = 3; f < 32; ++f) {
        if (sys_dup2(0, f) == 0) {
            ++filled;
        }
    }
    assert_eq(filled, 29);
    assert_eq(sys_open("hf-new", OF_WRITE | OF_CREATE), E_MFILE);
    assert_eq(sys_open("hf-a", OF_WRITE | OF_TRUNC), E_MFILE);
    assert_eq(sys_open("hf-a", OF_READ | OF_WRITE | OF_CREATE | OF_TRUNC), E_MFILE);
    int pfd[2] = {-1, -1};
    assert_eq(sys_pipe(pfd), E_MFILE);
    for (int f = 3; f < 32; ++f) {
        assert_eq(sys_close(f), 0);
    }
    assert(!listed("hf-new"));
    assert_eq(sys_open("hf-new", OF_READ), E_NOENT);
    assert_eq(read_whole("hf-a", buf, sizeof(buf)), 5u);
    assert_memeq(buf, "alpha", 5);

    // Wrong directions and descriptors that are no files.
    fd = sys_open("hf-a", OF_READ);
    int wfd = sys_open("hf-a", OF_WRITE);
    assert_ge(fd, 3);
    assert_ge(wfd, 3);
    assert_eq(sys_write(fd, "x", 1), E_BADF);
    assert_eq(sys_ftruncate(fd, 0), E_BADF);
    assert_eq(sys_read(wfd, buf, 1), E_BADF);
    assert_eq(sys_dup2(wfd, wfd), 0);
    assert_eq(sys_dup2(fd, wfd), 0);                   // closes the write one
    assert_eq(sys_write(wfd, "x", 1), E_BADF);
    assert_eq(sys_read(wfd, buf, 2), 2);               // shares fd's offset
    assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 2);
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_close(wfd), 0);
    assert_eq(sys_close(wfd), E_BADF);
    assert_eq(sys_dup2(wfd, 5), E_BADF);
    assert_eq(sys_dup2(1, 32), E_BADF);
    assert_eq(sys_dup2(1, -1), E_BADF);
    check_sync(k);
}

// --- buffers that end on a read-only page --------------------------------------------

// The first writable page after the read-only start of the image (text,
// then read-only data, then data).
uintptr_t first_writable_page() {
    uintptr_t a = 0x100000;
    assert(!writable(a));
    while (!writable(a)) {
        a += PAGESIZE;
        assert_lt(a, uintptr_t(0x300000));
    }
    return a;
}

void buffers(const root_kind& k) {
    uintptr_t rw = first_writable_page();
    // [rw - 8, rw + 8): read-only, then writable. Every call that writes
    // into user memory refuses the range whole and writes nothing.
    volatile char* after = at<volatile char>(rw);
    char saved[16];
    for (int i = 0; i < 16; ++i) {
        saved[i] = after[i];
    }
    char* straddle = at<char>(rw - 8);
    int fd = sys_open("hf-a", OF_READ);
    assert_ge(fd, 3);
    assert_eq(sys_read(fd, straddle, 16), E_FAULT);
    assert_eq(sys_lseek(fd, 0, LSEEK_CUR), 0);         // nothing consumed
    assert_eq(sys_readdir("/", 0, straddle, 16), E_FAULT);
    assert_eq(sys_pipe(at<int>(rw - 4)), E_FAULT);
    assert_eq(sys_getusage(at<usage>(rw - 8)), E_FAULT);
    // (The buffer is checked before the disk is looked for.)
    assert_eq(sys_readdiskfile("hf-a", straddle, 16, 0), E_FAULT);
    // waitpid: a status that cannot be written does not reap the child.
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        sys_exit(17);
    }
    assert_eq(sys_waitpid(c, at<int>(rw - 2)), E_FAULT);
    assert_eq(sys_waitpid(c, at<int>(0x100000)), E_FAULT);
    assert_eq(sys_waitpid(c, at<int>(0xFFFF800000000000)), E_FAULT);
    int status = 0;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 17);
    for (int i = 0; i < 16; ++i) {
        assert_eq(after[i], saved[i]);
    }
    // The same calls with a buffer that runs off a mapped page into an
    // unmapped one: refused, and the mapped part keeps its bytes.
    uintptr_t page = edge_page;     // mapped by run_all, the next page not
    char* edge = at<char>(page + PAGESIZE - 8);
    memset(edge, '#', 8);
    int fd2 = sys_open("hf-a", OF_READ);
    assert_ge(fd2, 3);
    assert_eq(sys_read(fd2, edge, 16), E_FAULT);
    assert_eq(sys_read(fd2, edge, 8), 5);               // what fits is fine
    assert_eq(sys_close(fd2), 0);
    memset(edge, '#', 8);
    assert_eq(sys_readdir("/", 0, edge, 16), E_FAULT);
    assert_eq(sys_getusage(at<usage>(page + PAGESIZE - 8)), E_FAULT);
    assert_eq(sys_readdiskfile("hf-a", edge, 16, 0), E_FAULT);
    assert_eq(sys_pipe(at<int>(page + PAGESIZE - 4)), E_FAULT);
    c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        sys_exit(18);
    }
    assert_eq(sys_waitpid(c, at<int>(page + PAGESIZE - 2)), E_FAULT);
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 18);
    for (int i = 0; i < 8; ++i) {
        assert_eq(edge[i], '#');
    }
    // A path that runs off the page, for every call taking one.
    assert_eq(sys_open(edge, OF_READ | OF_CREATE), E_FAULT);
    assert_eq(sys_unlink(edge), E_FAULT);
    assert_eq(sys_rename("hf-a", edge), E_FAULT);
    assert_eq(sys_readdir(edge, 0, buf, 16), E_FAULT);
    assert_eq(sys_readdiskfile(edge, buf, 16, 0), E_FAULT);
    const char* args[] = {"x", nullptr};
    assert_eq(sys_execv(edge, args), E_FAULT);
    // A pipe's int[2] that fits is written; the failed calls above opened
    // nothing.
    for (int f = fd + 1; f < 32; ++f) {
        assert_eq(sys_close(f), E_BADF);
    }
    // The pipe end of a reading buffer refuses too, and keeps its bytes.
    int pfd[2];
    assert_eq(sys_pipe(pfd), 0);
    assert_eq(sys_write(pfd[1], "pipe", 4), 4);
    assert_eq(sys_read(pfd[0], straddle, 16), E_FAULT);
    assert_eq(sys_read(pfd[0], buf, 16), 4);
    assert_memeq(buf, "pipe", 4);
    assert_eq(sys_lseek(pfd[0], 0, LSEEK_SET), E_SPIPE);
    assert_eq(sys_ftruncate(pfd[1], 0), E_INVAL);
    assert_eq(sys_ftruncate(pfd[0], 0), E_BADF);       // not open for writing
    assert_eq(sys_close(pfd[0]), 0);
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_close(fd), 0);

    // readdiskfile's numbers.
    ssize_t none = k.disk ? 0 : E_NOENT;
    assert_eq(sys_readdiskfile("hf-a", buf, 16, -1), E_INVAL);
    assert_eq(sys_readdiskfile("hf-a", buf, 16, INT64_MIN), E_INVAL);
    assert_eq(sys_readdiskfile("hf-a", buf, 16, 5), none);
    assert_eq(sys_readdiskfile("hf-a", buf, 16, off_t(1) << 32), none);
    assert_eq(sys_readdiskfile("hf-a", buf, 16, 0x7FFFFFFFFFFFFFFF), none);
    assert_eq(sys_readdiskfile("hf-a", buf, ~size_t(0), 0), E_FAULT);
    assert_eq(sys_readdiskfile("hf-a", buf, size_t(1) << 63, 0), E_FAULT);
    assert_eq(sys_readdiskfile("hf-a", buf, 0, -1), 0);
    assert_eq(sys_readdiskfile("/", buf, 16, 0), k.disk ? E_INVAL : E_NOENT);
    assert_eq(sys_readdiskfile("hf-a/", buf, 16, 0), E_NOENT);
    assert_eq(sys_readdiskfile("hf-none", buf, 16, 0), E_NOENT);
    if (k.disk) {
        assert_eq(sys_readdiskfile("//hf-a", buf, 16, 1), 4);
        assert_memeq(buf, "lpha", 4);
    }
    check_sync(k);
}

// --- exec of files that are not programs ------------------------------------------------

// Little-endian stores into `image`.
void put16(size_t at_, uint16_t v) { memcpy(image + at_, &v, 2); }
void put32(size_t at_, uint32_t v) { memcpy(image + at_, &v, 4); }
void put64(size_t at_, uint64_t v) { memcpy(image + at_, &v, 8); }

// A minimal valid program in `image`: one PT_LOAD segment (file offset
// 0x1000 at 0x100000, R+X) whose code is `mov $status, %edi; mov
// $SYSCALL_EXIT, %eax; syscall`, plus a second segment from `extra`.
size_t tiny_elf(int status, uint64_t extra_va, uint64_t extra_filesz, uint64_t extra_memsz,
                uint64_t extra_off) {
    memset(image, 0, 0x2000);
    const unsigned char ident[] = {0x7F, 'E', 'L', 'F', 2, 1, 1};
    memcpy(image, ident, sizeof(ident));
    put16(16, 2);               // ET_EXEC
    put16(18, 62);              // x86-64
    put32(20, 1);
    put64(24, 0x100000);        // entry
    put64(32, 64);              // phoff
    put16(52, 64);
    put16(54, 56);
    put16(56, extra_memsz ? 2 : 1);
    size_t ph = 64;
    put32(ph, 1);               // PT_LOAD
    put32(ph + 4, 5);           // R+X
    put64(ph + 8, 0x1000);
    put64(ph + 16, 0x100000);
    put64(ph + 32, 0x1000);
    put64(ph + 40, 0x1000);
    if (extra_memsz) {
        ph += 56;
        put32(ph, 1);
        put32(ph + 4, 6);       // R+W
        put64(ph + 8, extra_off);
        put64(ph + 16, extra_va);
        put64(ph + 32, extra_filesz);
        put64(ph + 40, extra_memsz);
    }
    unsigned char code[] = {0xBF, 0, 0, 0, 0, 0xB8, 0, 0, 0, 0, 0x0F, 0x05};
    int32_t number = SYSCALL_EXIT;
    memcpy(code + 1, &status, 4);
    memcpy(code + 6, &number, 4);
    memcpy(image + 0x1000, code, sizeof(code));
    return 0x2000;
}

void execs(const root_kind& k, const char* self) {
    size_t start = k.disk ? 0 : free_pages();
    // The tiny program runs.
    write_whole("hf-prog", image, tiny_elf(23, 0, 0, 0, 0));
    assert_eq(run("hf-prog"), 23);
    // Its cut copies and hostile headers are E_NOEXEC, and the child that
    // called execv carries on to report it.
    for (size_t cut : {size_t(0), size_t(1), size_t(63), size_t(64), size_t(119),
                       size_t(120), size_t(0x1000), size_t(0x1FFF)}) {
        write_whole("hf-prog", image, cut);
        assert_eq(run("hf-prog"), 200 - E_NOEXEC);
    }
    struct {
        uint64_t va, filesz, memsz, off;
    } bad[] = {
        {0x200000, 0x1000, 0x1000, 0x2000},             // data past the end of the file
        {0x200000, 0x2000, 0x1000, 0x1000},             // filesz > memsz
        {0x200000, 0x10, 0x10, 0xFFFFFFFFFFFFFFF0},     // offset wraps
        {0xFFFF800000000000, 0, 0x1000, 0},             // kernel half
        {0x7FFFFFFFF000, 0, 0x2000, 0},                 // runs past VA_LOWEND
        {0x200000, 0, 0xFFFFFFFFFFFFF000, 0},           // wraps
        {0x2FF000, 0, 0x1000, 0},                       // the stack page
        {0xB8000, 0, 0x1000, 0},                        // the console page
        {0x3FE00000, 0, 0x1000, 0},                     // the activation segment
        {0x100800, 0, 0x1000, 0x800},                   // shares the text page
        {0x200004, 0, 0x1000, 0x1000},                  // misaligned with its offset
    };
    for (auto& b : bad) {
        write_whole("hf-prog", image, tiny_elf(23, b.va, b.filesz, b.memsz, b.off));
        assert_eq(run("hf-prog"), 200 - E_NOEXEC);
    }
    tiny_elf(23, 0, 0, 0, 0);
    put64(24, 0x101000);                                // entry past the code bytes
    write_whole("hf-prog", image, 0x2000);
    assert_eq(run("hf-prog"), 200 - E_NOEXEC);
    tiny_elf(23, 0, 0, 0, 0);
    put16(56, 0xFFFF);                                  // more headers than the page
    write_whole("hf-prog", image, 0x2000);
    assert_eq(run("hf-prog"), 200 - E_NOEXEC);
    // A valid program whose zero-filled segment needs more memory than
    // there is: E_NOMEM, everything it mapped freed, the caller alive.
    write_whole("hf-prog", image, tiny_elf(23, 0x40000000, 0, uint64_t(1) << 40, 0));
    assert_eq(run("hf-prog"), 200 - E_NOMEM);
    // Text files and the root are not programs.
    write_whole("hf-prog", "#!/bin/sh\necho no\n", 18);
    assert_eq(run("hf-prog"), 200 - E_NOEXEC);
    assert_eq(run("/"), 200 - E_NOEXEC);
    assert_eq(sys_unlink("hf-prog"), 0);
    assert_eq(run("hf-prog"), 200 - E_NOENT);

    // Any file of the root is a program file, whatever the length of its
    // name (up to the 123 bytes a name may have).
    size_t n = read_whole("false", image, sizeof(image));
    char longname[124];
    for (size_t len : {size_t(63), size_t(64), size_t(100), size_t(123)}) {
        memset(longname, 'e', len);
        longname[len] = '\0';
        write_whole(longname, image, n);
        assert_eq(run(longname), 1);                    // `false` exits 1
        assert_eq(sys_unlink(longname), 0);
    }

    // A running program's file unlinked: the program runs on; its blocks
    // are freed when it is done (fsck and sys_sync check on the disk).
    n = read_whole(self, image, sizeof(image));
    write_whole("hf-self", image, n);
    int pfd[2];
    assert_eq(sys_pipe(pfd), 0);
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        assert_eq(sys_dup2(pfd[0], 0), 0);
        assert_eq(sys_close(pfd[0]), 0);
        assert_eq(sys_close(pfd[1]), 0);
        const char* args[] = {"hf-self", "wait-stdin", nullptr};
        int r = sys_execv("hf-self", args);
        sys_exit(200 - r);
    }
    assert_eq(sys_close(pfd[0]), 0);
    sys_msleep(50);
    assert_eq(sys_unlink("hf-self"), 0);
    assert_eq(sys_open("hf-self", OF_READ), E_NOENT);
    assert_eq(sys_write(pfd[1], "go", 2), 2);
    assert_eq(sys_close(pfd[1]), 0);
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 55);
    check_sync(k);
    if (!k.disk) {
        assert_eq(wait_free_pages(start), start);
    }
}

// Child mode of the unlinked-program case: read stdin to its end, check
// it, exit 55.
[[noreturn]] void wait_stdin() {
    char got[8];
    size_t n = 0;
    for (ssize_t r; (r = sys_read(0, got + n, sizeof(got) - n)) > 0; ) {
        n += size_t(r);
    }
    sys_exit(n == 2 && memcmp(got, "go", 2) == 0 ? 55 : 56);
}

inline void run_all(const root_kind& k, int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "wait-stdin") == 0) {
        wait_stdin();
    }
    assert_eq(sys_page_alloc(at<void>(edge_page)), 0);
    size_t start = start_free_pages();
    names(k);
    renames(k);
    sizes(k);
    buffers(k);
    execs(k, argv[0]);
    assert_eq(sys_unlink("hf-a"), 0);
    for (int fd = 3; fd < 32; ++fd) {
        assert_eq(sys_close(fd), E_BADF);
    }
    if (k.disk) {
        assert_eq(sys_sync(2), 0);
    } else {
        assert_eq(wait_free_pages(start), start);
    }
}

}  // namespace hostile_fs
