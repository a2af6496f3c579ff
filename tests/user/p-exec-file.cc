// p-exec-file.cc — execv loads programs from files of the file system,
// not only from the initial image.
//
// The test copies its own program file into a new file, patches a marker
// string inside the copy, and execs the copy in a child: the child sees the
// patched marker (so the bytes came from the new file) and its arguments,
// and exits with a status saying so. Then: a copy cut to 100 bytes, a text
// file (notes.txt) and the root directory are E_NOEXEC; a missing name is
// E_NOENT; a copy exec'd after being renamed runs under its new name, and
// once unlinked is E_NOENT. Free pages come back exactly.
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

// The marker; the copy has its first letter changed to 'P'.
volatile const char marker[] = "ORIGINAL-MARKER-7f3a";

char image[512 * 1024];

size_t read_file(const char* name) {
    int fd = sys_open(name, OF_READ);
    assert_ge(fd, 0);
    size_t n = 0;
    for (;;) {
        ssize_t r = sys_read(fd, image + n, sizeof(image) - n);
        assert_ge(r, 0);
        if (r == 0) {
            break;
        }
        n += size_t(r);
    }
    assert_eq(sys_close(fd), 0);
    return n;
}

void write_file(const char* name, size_t n) {
    int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 0);
    assert_eq(sys_write(fd, image, n), ssize_t(n));
    assert_eq(sys_close(fd), 0);
}

int run(const char* program, const char* arg) {
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        const char* args[] = {program, arg, nullptr};
        int r = sys_execv(program, args);
        sys_exit(200 + (-r));                   // 200 + error number
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    return status;
}

}  // namespace

void process_main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "child") == 0) {
        // 77: running the patched copy; 66: the original.
        sys_exit(marker[0] == 'P' ? 77 : 66);
    }
    size_t start = start_free_pages();

    size_t size = read_file("exec-file");
    assert_gt(size, 1000u);
    char* at = nullptr;
    for (size_t i = 0; i + 20 <= size; ++i) {
        if (memcmp(image + i, "ORIGINAL-MARKER-7f3a", 20) == 0) {
            at = image + i;
        }
    }
    assert(at, "marker not found in the program file");
    *at = 'P';
    write_file("exec-copy", size);

    assert_eq(run("exec-file", "child"), 66);
    assert_eq(run("exec-copy", "child"), 77);
    assert_eq(run("/exec-copy", "child"), 77);

    // Not programs.
    write_file("exec-short", 100);
    assert_eq(run("exec-short", "child"), 200 - E_NOEXEC);
    assert_eq(run("notes.txt", "child"), 200 - E_NOEXEC);
    assert_eq(run("/", "child"), 200 - E_NOEXEC);
    assert_eq(run("exec-missing", "child"), 200 - E_NOENT);

    // Renamed, then unlinked.
    assert_eq(sys_rename("exec-copy", "exec-renamed"), 0);
    assert_eq(run("exec-copy", "child"), 200 - E_NOENT);
    assert_eq(run("exec-renamed", "child"), 77);
    assert_eq(sys_unlink("exec-renamed"), 0);
    assert_eq(run("exec-renamed", "child"), 200 - E_NOENT);
    assert_eq(sys_unlink("exec-short"), 0);

    assert_eq(wait_free_pages(start), start);
    printf("exec-file succeeded!\n");
}
