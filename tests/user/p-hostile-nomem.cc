// p-hostile-nomem.cc — a program that takes every free page and then
// keeps calling: pipes, opens, writes, fork, clone and exec must fail
// cleanly (E_NOMEM, or E_AGAIN for fork and clone) or succeed, never crash
// or leak; a pipe write that finds no page for its ring waits for the
// reader (another thread) to empty it and then completes; once pipes are
// closed again, new ones can be made. The child that did all this exits;
// the free-page count after a second identical round equals the count
// after the first.
//! mem: 24M
//! ncpu: 1 4
//! timeout: 60
#include <atomic>
#include "u-lib.hh"
#include "page-accounting.hh"
#include "thread-util.hh"

namespace {

constexpr uintptr_t hog_base = 0x40000000;      // just above the activation segment
int ring[2];
std::atomic<size_t> drained{0};
char chunk[64 * 1024];
char sink[4096];

int drainer(void*) {
    for (ssize_t r; (r = sys_read(ring[0], sink, sizeof(sink))) > 0; ) {
        drained += size_t(r);
    }
    return 0;
}

int idle(void*) {
    return 3;
}

bool nomem(long r) {
    return r == E_NOMEM || r == E_AGAIN;
}

[[noreturn]] void hog(char* reader_stack, char* spare_stack) {
    int fd = sys_open("nomem-file", OF_READ | OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 3);
    assert_eq(sys_pipe(ring), 0);
    int early[4];
    assert_eq(sys_pipe(&early[0]), 0);
    assert_eq(sys_pipe(&early[2]), 0);
    assert_gt(sys_clone(drainer, nullptr, reader_stack), 0);
    // Take every page.
    uintptr_t a = hog_base;
    int r;
    while ((r = sys_page_alloc(reinterpret_cast<void*>(a))) == 0) {
        a += PAGESIZE;
    }
    assert_eq(r, E_NOMEM);

    // Pipes until one fails; with no page, E_NOMEM.
    int pipes[32];
    int npipes = 0;
    while (npipes < 24 && (r = sys_pipe(&pipes[npipes])) == 0) {
        npipes += 2;
    }
    assert(r == E_NOMEM || r == E_MFILE);
    // Files: a create and a write of pages that are not there.
    int nf = sys_open("nomem-new", OF_WRITE | OF_CREATE);
    assert(nf >= 3 || nf == E_NOMEM);
    ssize_t w = sys_write(fd, chunk, 16384);
    assert(w == E_NOMEM || (w >= 0 && w <= 16384));
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), w > 0 ? w : 0);
    // A process, a thread, a program.
    pid_t c = sys_fork();
    if (c == 0) {
        sys_exit(0);
    }
    assert(c > 0 || nomem(c));
    pid_t t = sys_clone(idle, nullptr, spare_stack);
    assert(t > 0 || nomem(t));
    const char* args[] = {"true", nullptr};
    assert_eq(sys_execv("true", args), E_NOMEM);
    // A 64 KiB pipe write with no page for the ring beyond its first:
    // it goes through page 0 as the reader empties it.
    assert_eq(sys_write(ring[1], chunk, sizeof(chunk)), ssize_t(sizeof(chunk)));
    while (drained.load() < sizeof(chunk)) {
        sys_yield();
    }
    // Closing pipes gives their pages back: a pipe can be made again.
    for (int i = 0; i < npipes; ++i) {
        assert_eq(sys_close(pipes[i]), 0);
    }
    for (int e : early) {
        assert_eq(sys_close(e), 0);
    }
    int made = 0;
    for (int i = 0; i < 2; ++i) {
        if (sys_pipe(&pipes[2 * made]) == 0) {
            ++made;
        }
    }
    assert_gt(made, 0);
    if (c > 0) {
        assert_eq(sys_waitpid(c), c);
    }
    sys_exit(42);
}

void one_round(char* s1, char* s2) {
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        hog(s1, s2);
    }
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 42);
    assert_eq(sys_unlink("nomem-file"), 0);
    int r = sys_unlink("nomem-new");
    assert(r == 0 || r == E_NOENT);
}

}  // namespace

void process_main() {
    char* s1 = thread_stack();
    char* s2 = thread_stack();
    memset(chunk, 'c', sizeof(chunk));
    size_t start = start_free_pages();
    one_round(s1, s2);
    size_t after_first = wait_free_pages(start);
    assert_ge(after_first + 64, start);
    one_round(s1, s2);
    assert_eq(wait_free_pages(after_first), after_first);
    printf("hostile-nomem succeeded!\n");
}
