// p-thread-fork-exec.cc — fork and exec in a process with several kernel
// threads. fork copies only the calling thread: in the child, a counter
// the parent's other thread keeps incrementing stands still, and the
// child is single-threaded (its thread id is its pid), even when a thread
// other than the first forks. execv ends the other threads first: a
// writer thread that keeps writing to a pipe stops before the new program
// runs, threads blocked in the kernel end too, and it works from a thread
// other than the first; the process keeps its pid and its parent reaps it
// once with the new program's status.
//! ncpu: 1 2 4
//! lab: threads 15
#include <atomic>
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

std::atomic<unsigned long> counter{0};
std::atomic<int> started{0};
int pfd[2];             // child's writer → parent
int bfd[2];             // the child's own: never written

int counting(void*) {
    ++started;
    for (;;) {
        ++counter;
        sys_yield();
    }
}

int blocked_reader(void*) {
    ++started;
    char ch;
    sys_read(bfd[0], &ch, 1);           // nobody writes: blocks until ended
    panic("blocked reader returned");
}

int writer(void*) {
    ++started;
    for (;;) {
        sys_write(pfd[1], "w", 1);
        sys_msleep(1);
    }
}

void check_fork_copies_one_thread() {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        assert_eq(sys_gettid(), sys_getpid());
        unsigned long before = counter;
        sys_msleep(50);
        sys_exit(counter == before ? 0 : 1);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);
}

int forker(void* arg) {
    check_fork_copies_one_thread();
    static_cast<std::atomic<int>*>(arg)->store(1);
    return 0;
}

// The child of a threaded process execs "sleep 0.1" (from thread `via`);
// afterwards nothing more arrives on the pipe until EOF.
void check_exec(bool from_second_thread) {
    assert_eq(sys_pipe(pfd), 0);
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        started = 0;
        assert_eq(sys_close(pfd[0]), 0);
        assert_eq(sys_pipe(bfd), 0);
        assert_gt(sys_clone(writer, nullptr, thread_stack()), 0);
        assert_gt(sys_clone(blocked_reader, nullptr, thread_stack()), 0);
        assert_gt(sys_clone(counting, nullptr, thread_stack()), 0);
        wait_for_count(started, 3);
        static const char* const argv[] = {"sleep", "0.1", nullptr};
        if (from_second_thread) {
            auto exec_it = [](void*) -> int {
                assert_eq(sys_write(pfd[1], "X", 1), 1);
                int r = sys_execv("sleep", argv);
                panic("execv failed: %d", r);
            };
            assert_gt(sys_clone(exec_it, nullptr, thread_stack()), 0);
            sys_msleep(1000000);        // ended by the exec
            panic("first thread survived the exec");
        }
        assert_eq(sys_write(pfd[1], "X", 1), 1);
        int r = sys_execv("sleep", argv);
        panic("execv failed: %d", r);
    }
    assert_eq(sys_close(pfd[1]), 0);
    char ch = 0;
    while (ch != 'X') {
        assert_eq(sys_read(pfd[0], &ch, 1), 1);
    }
    // A few bytes may have been written between the X and the exec; after
    // that the writer is gone, and the pipe ends (EOF) when sleep exits.
    size_t after = 0;
    while (sys_read(pfd[0], &ch, 1) == 1) {
        assert_eq(ch, 'w');
        ++after;
    }
    assert_lt(after, size_t(64));
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);
    assert_eq(sys_close(pfd[0]), 0);
}

}  // namespace

void process_main() {
    assert_gt(sys_clone(counting, nullptr, thread_stack()), 0);
    wait_for_count(started, 1);
    check_fork_copies_one_thread();
    // A thread other than the first forks.
    std::atomic<int> done{0};
    assert_gt(sys_clone(forker, &done, thread_stack()), 0);
    wait_for_count(done, 1);

    check_exec(false);
    check_exec(true);
    printf("thread-fork-exec succeeded!\n");
    sys_exit(0);                        // the counting thread ends too
}
