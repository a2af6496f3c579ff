// hostile-threads.hh — the body of p-hostile-threads (memory root) and
// p-hostile-threads-disk (disk root): a program whose threads pull
// descriptors, images and the process itself out from under each other.
//
//  - A descriptor closed (or replaced by dup2) while another thread is
//    blocked reading it: the blocked read holds the open file, so it
//    returns the bytes written next; once it has, the pipe has no reader.
//  - The read end closed while another thread is blocked writing a full
//    pipe: the write returns what went into the ring.
//  - Six threads blocked reading one pipe: six bytes written one by one
//    are read once each, and closing the write end wakes all with 0.
//  - Descriptor 3 fought over by an opener, a dup2er and a forker.
//  - Two threads waiting for the same child: one reaps it, the other gets
//    E_CHILD; nobody gets it twice.
//  - A failed execv (bad ELF, bad arguments, too many arguments, memory
//    exhausted) in a process with other threads leaves those threads
//    alive; a successful one ends them.
//  - sys_exit while other threads are in the middle of big reads and writes
//    of a file on other CPUs: one exit status, nothing leaked (free pages
//    after a second identical round equal those after the first), the
//    file system consistent (sys_sync(2) on the disk, and fsck).
//  - Pipes until the descriptor table is full: the half-made pipe is freed.
//  - clone with a stack top in read-only text or over unmapped memory:
//    the process dies of the page fault (142), alone; tops outside the
//    user half are E_FAULT.
#pragma once
#include <atomic>
#include "u-lib.hh"
#include "page-accounting.hh"
#include "thread-util.hh"

namespace hostile_threads {

std::atomic<int> state{0};
int pfd[2];
char got[8];
ssize_t got_n;

int blocked_reader(void*) {
    state = 1;
    got_n = sys_read(pfd[0], got, sizeof(got));
    state = 2;
    return 0;
}

// Waits (yielding) until `state` is `v`, for at most ~2 s.
void wait_state(int v) {
    usage u, now;
    assert_eq(sys_getusage(&u), 0);
    while (state.load() != v) {
        sys_yield();
        assert_eq(sys_getusage(&now), 0);
        assert_lt(now.time - u.time, 200u);
    }
}

void close_under_reader(bool by_dup2, char* stack) {
    assert_eq(sys_pipe(pfd), 0);
    state = 0;
    int rfd = pfd[0];
    assert_gt(sys_clone(blocked_reader, nullptr, stack), 0);
    wait_state(1);
    sys_msleep(20);                     // well inside its read by now
    if (by_dup2) {
        assert_eq(sys_dup2(1, rfd), 0); // rfd is the console now
    } else {
        assert_eq(sys_close(rfd), 0);
        assert_eq(sys_close(rfd), E_BADF);
    }
    assert_eq(state.load(), 1);
    assert_eq(sys_write(pfd[1], "wake", 4), 4);
    wait_state(2);
    assert_eq(got_n, 4);
    assert_memeq(got, "wake", 4);
    // The reader's read was the last reference to the read end.
    assert_eq(sys_write(pfd[1], "x", 1), E_PIPE);
    assert_eq(sys_close(pfd[1]), 0);
    if (by_dup2) {
        assert_eq(sys_close(rfd), 0);
    }
}

// A writer blocked on a full pipe when the last read end closes: it
// wakes with the count it got into the ring.
char big_write[100 * 1024];
ssize_t wrote;

int blocked_writer(void*) {
    state = 1;
    wrote = sys_write(pfd[1], big_write, sizeof(big_write));
    state = 2;
    return 0;
}

void close_under_writer(char* stack) {
    assert_eq(sys_pipe(pfd), 0);
    state = 0;
    assert_gt(sys_clone(blocked_writer, nullptr, stack), 0);
    wait_state(1);
    sys_msleep(20);
    assert_eq(state.load(), 1);         // blocked: the ring holds 64 KiB
    assert_eq(sys_close(pfd[0]), 0);
    wait_state(2);
    assert_eq(wrote, 64 * 1024);
    assert_eq(sys_write(pfd[1], "x", 1), E_PIPE);
    assert_eq(sys_close(pfd[1]), 0);
}

// Six threads blocked reading one pipe; six single bytes written one at
// a time: each byte is read exactly once (a reader that loses a byte to
// another goes back to sleep, it does not see end of file); closing the
// write end then wakes every reader with 0.
std::atomic<int> bytes_read{0}, eofs{0}, sum{0};

int herd_reader(void*) {
    ++state;
    char ch;
    for (ssize_t r; (r = sys_read(pfd[0], &ch, 1)) != 0; ) {
        assert_eq(r, 1);
        sum += ch;
        ++bytes_read;
    }
    ++eofs;
    return 0;
}

void herd(char** stacks) {
    assert_eq(sys_pipe(pfd), 0);
    state = 0;
    bytes_read = eofs = sum = 0;
    for (int i = 0; i < 6; ++i) {
        assert_gt(sys_clone(herd_reader, nullptr, stacks[i]), 0);
    }
    wait_state(6);
    sys_msleep(10);
    for (char ch = 1; ch <= 6; ++ch) {
        assert_eq(sys_write(pfd[1], &ch, 1), 1);
        sys_yield();
    }
    while (bytes_read.load() < 6) {
        sys_yield();
    }
    assert_eq(eofs.load(), 0);
    assert_eq(sys_close(pfd[1]), 0);
    while (eofs.load() < 6) {
        sys_yield();
    }
    assert_eq(bytes_read.load(), 6);
    assert_eq(sum.load(), 21);
    assert_eq(sys_close(pfd[0]), 0);
}

// Descriptor 3 fought over: one thread opens and closes (taking the
// lowest free slot, 3), one dup2s the console onto 3 and closes it, one
// forks (copying the table, a reserved slot included). Every call gets
// a documented answer (dup2 onto the slot an open is still filling:
// E_BUSY, which the disk runs see often: there the open sleeps on the
// disk), and nothing is left open or leaked.
std::atomic<int> fighters_done{0};

int fd_opener(void*) {
    for (int i = 0; i < 200; ++i) {
        int fd = sys_open("ht-prog", OF_READ);
        assert(fd >= 3 || fd == E_MFILE);
        if (fd >= 3) {
            int r = sys_close(fd);
            assert(r == 0 || r == E_BADF);      // the dup2er may have closed it
        }
    }
    ++fighters_done;
    return 0;
}

int fd_dupper(void*) {
    for (int i = 0; i < 200; ++i) {
        int r = sys_dup2(0, 3);
        assert(r == 0 || r == E_BUSY);
        r = sys_close(3);
        assert(r == 0 || r == E_BADF);
    }
    ++fighters_done;
    return 0;
}

int fd_forker(void*) {
    for (int i = 0; i < 20; ++i) {
        pid_t c = sys_fork();
        assert_ge(c, 0);
        if (c == 0) {
            sys_exit(0);
        }
        assert_eq(sys_waitpid(c), c);
    }
    ++fighters_done;
    return 0;
}

void fight_over_fd(char** stacks) {
    fighters_done = 0;
    assert_gt(sys_clone(fd_opener, nullptr, stacks[0]), 0);
    assert_gt(sys_clone(fd_dupper, nullptr, stacks[1]), 0);
    assert_gt(sys_clone(fd_forker, nullptr, stacks[2]), 0);
    while (fighters_done.load() < 3) {
        sys_yield();
    }
    for (int fd = 3; fd < 32; ++fd) {
        int r = sys_close(fd);
        assert(r == E_BADF || (fd == 3 && r == 0));
    }
}

pid_t reaped[2];
pid_t target;

int reaper(void* arg) {
    int status = -1;
    reaped[reinterpret_cast<uintptr_t>(arg)] = sys_waitpid(target, &status);
    ++state;
    return 0;
}

int never_returns(void*) {
    for (;;) {
        sys_msleep(1000);           // ended by the process's exit
    }
}

void two_reapers(char* s1, char* s2, char* s3) {
    target = sys_fork();
    assert_ge(target, 0);
    if (target == 0) {
        sys_msleep(30);
        sys_exit(5);
    }
    state = 0;
    assert_gt(sys_clone(reaper, reinterpret_cast<void*>(0), s1), 0);
    assert_gt(sys_clone(reaper, reinterpret_cast<void*>(1), s2), 0);
    wait_state(2);
    assert((reaped[0] == target && reaped[1] == E_CHILD)
           || (reaped[1] == target && reaped[0] == E_CHILD));
    assert_eq(sys_waitpid(target), E_CHILD);
    // Threads are not children: not even one's own.
    assert_eq(sys_waitpid(sys_gettid()), E_CHILD);
    pid_t tid = sys_clone(never_returns, nullptr, s3);
    assert_gt(tid, 0);
    assert_eq(sys_waitpid(tid, nullptr, W_NOHANG), E_CHILD);
}

// --- exec with other threads -------------------------------------------------

int counting_reader(void*) {
    char ch;
    while (sys_read(pfd[0], &ch, 1) == 1) {
        ++state;
    }
    return 0;
}

char huge_arg[3000];

void failed_execs_keep_threads(char* stack) {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        assert_eq(sys_pipe(pfd), 0);
        state = 0;
        assert_gt(sys_clone(counting_reader, nullptr, stack), 0);
        // A program whose bss needs more memory than the machine has.
        int fd = sys_open("ht-prog", OF_READ);
        assert_ge(fd, 0);
        assert_eq(sys_close(fd), 0);
        const char* args[] = {"x", nullptr};
        const char* bad_arg[] = {"x", reinterpret_cast<const char*>(0x7FFFFFFFF000), nullptr};
        memset(huge_arg, 'h', sizeof(huge_arg) - 1);
        const char* big[] = {"x", huge_arg, nullptr};
        // Page 0x30000000 is mapped with its last word a pointer to "x" and
        // the page after it unmapped: argc 2 runs off the end.
        auto* edge = reinterpret_cast<const char**>(0x30000000 + PAGESIZE - 8);
        assert_eq(sys_page_alloc(reinterpret_cast<void*>(0x30000000)), 0);
        *edge = "x";
        // A name with no NUL before an unmapped page.
        char* tail = reinterpret_cast<char*>(0x30000000 + PAGESIZE - 8);
        struct {
            const char* prog;
            const char* const* argv;
            size_t argc;
            int expect;
        } cases[] = {
            {"ht-prog", args, 1, E_NOMEM},
            {"notes.txt", args, 1, E_NOEXEC},
            {"ht-none", args, 1, E_NOENT},
            {"true", bad_arg, 2, E_FAULT},
            {"true", args, 65, E_2BIG},
            {"true", args, ~size_t(0), E_2BIG},
            {"true", args, size_t(1) << 61, E_2BIG},
            {"true", big, 2, E_2BIG},
            {"true", edge, 2, E_FAULT},
            {"true", reinterpret_cast<const char* const*>(0xFFFF800000000000), 1, E_FAULT},
            {nullptr, args, 1, E_FAULT},
        };
        for (int i = 0; i < int(arraysize(cases)); ++i) {
            auto& k = cases[i];
            assert_eq(sys_execv(k.prog, k.argv, k.argc), k.expect);
            // The other thread is alive and reading.
            assert_eq(sys_write(pfd[1], "t", 1), 1);
            wait_state(i + 1);
        }
        memcpy(tail, "truetrue", 8);
        assert_eq(sys_execv(tail, args, 1), E_FAULT);
        // A successful exec ends the reader (blocked in read) first.
        const char* targs[] = {"true", nullptr};
        sys_execv("true", targs, 1);
        sys_exit(99);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);               // `true` ran
}

// --- exit while threads are mid-I/O ------------------------------------------

constexpr size_t io_size = 192 * 1024;
char io_bufs[3][io_size];

int io_writer(void* arg) {
    char* b = static_cast<char*>(arg);
    int fd = sys_open("ht-io", OF_WRITE);
    ++state;
    for (;;) {
        sys_lseek(fd, 0, LSEEK_SET);
        sys_write(fd, b, io_size);
    }
}

int io_reader(void* arg) {
    char* b = static_cast<char*>(arg);
    int fd = sys_open("ht-io", OF_READ);
    ++state;
    for (;;) {
        sys_lseek(fd, 0, LSEEK_SET);
        sys_read(fd, b, io_size);
        sys_readdiskfile("ht-io", b, io_size, 4096);
    }
}

void exit_mid_io_round(char** stacks) {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        state = 0;
        memset(io_bufs[0], 'A', io_size);
        memset(io_bufs[1], 'B', io_size);
        int fd = sys_open("ht-io", OF_WRITE | OF_CREATE | OF_TRUNC);
        assert_ge(fd, 3);
        assert_gt(sys_clone(io_writer, io_bufs[0], stacks[0]), 0);
        assert_gt(sys_clone(io_writer, io_bufs[1], stacks[1]), 0);
        assert_gt(sys_clone(io_reader, io_bufs[2], stacks[2]), 0);
        wait_state(3);
        sys_msleep(15);
        sys_exit(77);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 77);
    // The file is whole: no longer than one write, and each block all one
    // writer's.
    int fd = sys_open("ht-io", OF_READ);
    assert_ge(fd, 3);
    ssize_t size = sys_lseek(fd, 0, LSEEK_SIZE);
    assert_le(size, ssize_t(io_size));
    char* b = io_bufs[2];
    assert_eq(sys_read(fd, b, io_size), size);
    for (ssize_t i = 0; i < size; ++i) {
        assert(b[i] == b[i & ~ssize_t(4095)] && (b[i] == 'A' || b[i] == 'B'));
    }
    assert_eq(sys_close(fd), 0);
    assert_eq(sys_unlink("ht-io"), 0);
}

// --- pipes until the table is full ---------------------------------------------

void pipes_until_full() {
    int fds[32];
    int n = 0;
    int r;
    while ((r = sys_pipe(&fds[n])) == 0) {
        n += 2;
        assert_le(n, 30);
    }
    assert_eq(r, E_MFILE);
    assert_eq(n, 28);                   // 29 free slots: 14 pipes
    // The last slot is free and usable; a pipe still does not fit.
    int fd = sys_open("notes.txt", OF_READ);
    assert_eq(fd, 31);
    assert_eq(sys_open("notes.txt", OF_READ), E_MFILE);
    assert_eq(sys_dup2(0, 31), 0);      // replaces the file in slot 31
    assert_eq(sys_pipe(fds), E_MFILE);
    for (int i = 0; i < n; ++i) {
        assert_eq(sys_close(fds[i]), 0);
    }
    assert_eq(sys_close(31), 0);
}

// Fills `image` with a program whose zero-filled segment cannot fit in memory.
void write_huge_bss_program() {
    static char image[0x2000];
    auto put = [](size_t at, uint64_t v, size_t n) { memcpy(image + at, &v, n); };
    const unsigned char ident[] = {0x7F, 'E', 'L', 'F', 2, 1, 1};
    memcpy(image, ident, sizeof(ident));
    put(16, 2, 2);
    put(18, 62, 2);
    put(20, 1, 4);
    put(24, 0x100000, 8);
    put(32, 64, 8);
    put(52, 64, 2);
    put(54, 56, 2);
    put(56, 2, 2);
    uint64_t ph[2][7] = {
        {1 | (uint64_t(5) << 32), 0x1000, 0x100000, 0, 0x1000, 0x1000, 0},
        {1 | (uint64_t(6) << 32), 0, 0x40000000, 0, 0, uint64_t(1) << 40, 0},
    };
    memcpy(image + 64, ph, sizeof(ph));
    image[0x1000] = char(0xF4);          // hlt: never runs
    int fd = sys_open("ht-prog", OF_WRITE | OF_CREATE | OF_TRUNC);
    assert_ge(fd, 0);
    assert_eq(sys_write(fd, image, sizeof(image)), ssize_t(sizeof(image)));
    assert_eq(sys_close(fd), 0);
}

// A thread whose stack is not writable dies of it, and so does its
// whole process (the first thread sleeps meanwhile); the kernel and the
// parent carry on.
int never_runs(void*) {
    sys_exit(1);
}

void bad_stacks() {
    const uintptr_t tops[] = {
        0x100000 + 2 * PAGESIZE,        // inside the read-only text
        VA_LOWEND,                      // the highest top allowed: unmapped below
        0x3FE00000,                     // just under the activation segment: unmapped
    };
    for (uintptr_t top : tops) {
        pid_t c = sys_fork();
        assert_ge(c, 0);
        if (c == 0) {
            assert_gt(sys_clone(never_runs, nullptr, reinterpret_cast<char*>(top)), 0);
            sys_msleep(5000);
            sys_exit(2);
        }
        int status = -1;
        assert_eq(sys_waitpid(c, &status), c);
        assert_eq(status, 142);         // 128 + #PF
    }
    // Refused outright: at or below the start of user text, past VA_LOWEND.
    for (uintptr_t top : {uintptr_t(0x100000), uintptr_t(VA_LOWEND + 8),
                          uintptr_t(0xFFFF800000001000)}) {
        assert_eq(sys_clone(never_runs, nullptr, reinterpret_cast<char*>(top)), E_FAULT);
    }
}

// Runs fn in a child (so threads, and the activation pages they bring,
// come and go with it) and checks it exits 0.
void in_child(void (*fn)(char**), char** stacks) {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        fn(stacks);
        sys_exit(0);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);
}

void one_round(char** stacks, bool disk) {
    in_child([](char** s) {
        // A stack per thread: a thread that has said it is done may still
        // be on its way out on it.
        close_under_reader(false, s[0]);
        close_under_reader(true, s[1]);
        close_under_writer(s[2]);
        two_reapers(s[3], s[4], s[5]);
        herd(s + 6);
        fight_over_fd(s + 12);
        pipes_until_full();
    }, stacks);
    failed_execs_keep_threads(stacks[0]);
    bad_stacks();
    for (int i = 0; i < 3; ++i) {
        exit_mid_io_round(stacks);
    }
    if (disk) {
        assert_eq(sys_sync(2), 0);
    }
}

// The free-page count once it has stopped rising (memory is freed a
// little after waitpid returns).
size_t settled_free_pages() {
    size_t n = free_pages();
    for (int i = 0; i < 100; ++i) {
        sys_msleep(20);
        size_t m = free_pages();
        if (m == n) {
            break;
        }
        n = m;
    }
    return n;
}

inline void run_all(bool disk) {
    write_huge_bss_program();
    char* stacks[15];
    for (auto& s : stacks) {
        s = thread_stack();
        assert(s);
    }
    size_t start = start_free_pages();
    // Caches (the disk's buffer cache) may grow once, in the first round.
    one_round(stacks, disk);
    size_t after_first = settled_free_pages();
    assert_ge(after_first + 64, start);
    one_round(stacks, disk);
    assert_eq(wait_free_pages(after_first), after_first);
    assert_eq(sys_unlink("ht-prog"), 0);
    if (disk) {
        assert_eq(sys_sync(2), 0);
    }
}

}  // namespace hostile_threads
