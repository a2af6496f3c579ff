// p-thread-basics.cc — kernel threads: sys_clone starts fn(arg) on the
// given stack in the same process; sys_gettid is the thread's id (the
// first thread's is the pid), sys_getpid the process's in every thread;
// threads share memory and the descriptor table (a pipe created after the
// clone works from the other thread); fn's return value is the thread's
// sys_texit status, and the last thread's status is the process's.
//! ncpu: 1 2 4
//! lab: threads 20
#include <atomic>
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

std::atomic<int> phase{0};
int shared_value = 0;
pid_t seen_tid = 0, seen_pid = 0, seen_ppid = 0;
int pfd[2] = {-1, -1};

int worker(void* arg) {
    seen_tid = sys_gettid();
    seen_pid = sys_getpid();
    seen_ppid = sys_getppid();
    assert_eq(*static_cast<int*>(arg), 17);     // the creator's memory
    shared_value = 42;
    phase = 1;
    wait_for_count(phase, 2);
    // The creator made this pipe after the clone: the table is shared.
    char buf[8] = {};
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 5);
    assert_memeq(buf, "hello", 5);
    phase = 3;
    assert_eq(sys_write(pfd[1], "world", 5), 5);
    wait_for_count(phase, 4);
    // A descriptor closed here is closed for the creator too.
    assert_eq(sys_close(pfd[0]), 0);
    phase = 5;
    return 7;
}

int sleeper(void* arg) {
    sys_msleep(uintptr_t(arg));
    assert_gt(sys_getpid(), 0);
    return 7;
}

// Child: the first thread texits at once; the other, last, returns 7.
void first_leaves_first() {
    assert_gt(sys_clone(sleeper, reinterpret_cast<void*>(60), thread_stack()), 0);
    sys_texit(3);
}

int quick(void*) {
    return 9;
}

// Child: the other thread returns 9 at once; the first, last, texits 5.
void first_leaves_last() {
    assert_gt(sys_clone(quick, nullptr, thread_stack()), 0);
    sys_msleep(60);
    sys_texit(5);
}

int child_status(void (*fn)()) {
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        fn();
        sys_exit(99);
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    return status;
}

}  // namespace

void process_main() {
    pid_t pid = sys_getpid();
    assert_eq(sys_gettid(), pid);               // the first thread's id is the pid
    int value = 17;
    pid_t tid = sys_clone(worker, &value, thread_stack());
    assert_gt(tid, 0);
    assert_ne(tid, pid);
    wait_for_count(phase, 1);
    assert_eq(shared_value, 42);
    assert_eq(seen_tid, tid);
    assert_eq(seen_pid, pid);
    assert_eq(seen_ppid, sys_getppid());

    assert_eq(sys_pipe(pfd), 0);
    assert_eq(sys_write(pfd[1], "hello", 5), 5);
    phase = 2;
    wait_for_count(phase, 3);
    char buf[8] = {};
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 5);
    assert_memeq(buf, "world", 5);
    phase = 4;
    wait_for_count(phase, 5);
    assert_eq(sys_close(pfd[0]), E_BADF);       // the worker closed it
    assert_eq(sys_close(pfd[1]), 0);

    // The last thread's status is the process's, whichever thread it is.
    assert_eq(child_status(first_leaves_first), 7);
    assert_eq(child_status(first_leaves_last), 5);
    printf("thread-basics succeeded!\n");
}
