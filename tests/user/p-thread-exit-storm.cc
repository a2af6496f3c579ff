// p-thread-exit-storm.cc — sys_exit while the process's other threads are
// in the middle of system calls on other CPUs (getusage, yield, pipe
// writes and reads, page_alloc), or spinning in user mode, or just
// created, again and again: no crash, each exit is reported once with its
// status, and every page comes back — the free-page count after a second
// identical batch of rounds is exactly the count after the first.
//! ncpu: 1 2 4
//! lab: threads 10
#include <atomic>
#include "page-accounting.hh"
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

std::atomic<int> started{0};
int pfd[2];
char* stacks[6];        // mapped by the parent; each child has its copy

int caller(void*) {
    ++started;
    for (;;) {
        usage u;
        sys_getusage(&u);
        sys_getpid();
        sys_yield();                // one CPU: let the others start
    }
}

int yielder(void*) {
    ++started;
    for (;;) {
        sys_yield();
    }
}

int pipe_user(void*) {
    ++started;
    char buf[64] = {};
    for (;;) {
        sys_write(pfd[1], buf, sizeof(buf));
        sys_read(pfd[0], buf, sizeof(buf));
        sys_yield();
    }
}

int mapper(void*) {
    ++started;
    for (uintptr_t i = 0;; i = (i + 1) % 8) {
        sys_page_alloc(reinterpret_cast<void*>(0x20000000 + i * PAGESIZE));
        sys_yield();
    }
}

int spinner(void*) {
    ++started;
    for (;;) {
        asm volatile("pause");
    }
}

// One round: a child with five busy threads exits from its first thread;
// on odd rounds it also clones a thread just before exiting.
void round(int r) {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        started = 0;
        assert_eq(sys_pipe(pfd), 0);
        int (*fns[])(void*) = {caller, yielder, pipe_user, mapper, spinner};
        for (int i = 0; i < 5; ++i) {
            assert_gt(sys_clone(fns[i], nullptr, stacks[i]), 0);
        }
        wait_for_count(started, 5);
        if (r % 2) {
            sys_clone(spinner, nullptr, stacks[5]);
        }
        sys_exit(100 + r);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 100 + r);
}

}  // namespace

void process_main() {
    // Map the stacks in this process first, so children inherit them.
    for (auto& s : stacks) {
        s = thread_stack();
    }
    wait_first_activation();           // its slot page is mapped now
    constexpr int rounds = 8;
    for (int r = 0; r < rounds; ++r) {
        round(r);
    }
    // waitpid frees a child's threads and memory before it returns.
    size_t after_first = free_pages();
    for (int r = 0; r < rounds; ++r) {
        round(r);
    }
    size_t after_second = wait_free_pages(after_first);
    assert_eq(after_second, after_first);
    printf("thread-exit-storm succeeded!\n");
}
