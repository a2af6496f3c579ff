// p-thread-exit-blocked.cc — sys_exit in one thread ends every thread of
// the process, including threads blocked in the kernel forever: reading
// an empty pipe, in msleep, in waitpid, reading the keyboard, and one
// spinning in user mode. The parent's waitpid sees the exit status once,
// promptly; the process's descriptors are closed (a write to the pipe
// fails with E_PIPE once the parent closes its own read end); the
// grandchild, whose pipe's only writer was the exiting process, sees EOF.
//! ncpu: 1 2 4
//! lab: threads 15
#include <atomic>
#include "test-util.hh"
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

std::atomic<int> started{0};
int pfd[2];             // parent → child's reader thread: never written
int gfd[2];             // child → grandchild: never written

int reader(void*) {
    ++started;
    char ch;
    ssize_t n = sys_read(pfd[0], &ch, 1);
    panic("reader thread returned from read: %zd", n);
}

int sleeper(void*) {
    ++started;
    sys_msleep(1000000);
    panic("sleeper thread woke up");
}

int waiter(void* arg) {
    ++started;
    int status;
    sys_waitpid(pid_t(uintptr_t(arg)), &status);
    panic("waiter thread's waitpid returned");
}

int console_reader(void*) {
    ++started;
    char buf[8];
    sys_read(0, buf, sizeof(buf));
    panic("console reader returned");
}

int spinner(void*) {
    ++started;
    for (;;) {
        asm volatile("pause");
    }
}

[[noreturn]] void child() {
    assert_eq(sys_close(pfd[1]), 0);            // only the parent can write
    assert_eq(sys_pipe(gfd), 0);
    int ready[2];
    assert_eq(sys_pipe(ready), 0);
    pid_t grandchild = sys_fork();
    assert_ge(grandchild, 0);
    if (grandchild == 0) {
        // Only the child's threads may hold the read end of pfd.
        assert_eq(sys_close(pfd[0]), 0);
        assert_eq(sys_close(gfd[1]), 0);
        assert_eq(sys_write(ready[1], "r", 1), 1);
        char ch;
        // EOF once the child's process (every thread) is gone.
        sys_exit(sys_read(gfd[0], &ch, 1) == 0 ? 0 : 1);
    }
    assert_eq(sys_close(gfd[0]), 0);
    char ch;
    assert_eq(sys_read(ready[0], &ch, 1), 1);
    int (*fns[])(void*) = {reader, sleeper, waiter, console_reader, spinner, reader};
    for (auto fn : fns) {
        assert_gt(sys_clone(fn, reinterpret_cast<void*>(uintptr_t(grandchild)),
                            thread_stack()), 0);
    }
    wait_for_count(started, 6);
    sys_msleep(30);                             // let them block
    sys_exit(42);
}

}  // namespace

void process_main() {
    for (int round = 0; round < 3; ++round) {
        started = 0;
        assert_eq(sys_pipe(pfd), 0);
        pid_t c = sys_fork();
        assert_ge(c, 0);
        if (c == 0) {
            child();
        }
        unsigned long t0 = ticks();
        int status = -1;
        assert_eq(sys_waitpid(c, &status), c);
        assert_eq(status, 42);
        assert_lt(ticks() - t0, 200ul);         // not the sleeper's 1000 s
        assert_eq(sys_waitpid(c, &status), E_CHILD);    // one exit only
        // The child's copies of the read end are closed: once ours is
        // too, nobody can read.
        assert_eq(sys_close(pfd[0]), 0);
        assert_eq(sys_write(pfd[1], "x", 1), E_PIPE);
        assert_eq(sys_close(pfd[1]), 0);
        // The orphaned grandchild saw EOF; init reaps it.
    }
    printf("thread-exit-blocked succeeded!\n");
}
