// p-thread-many.cc — hundreds of kernel threads: 300 alive at once (each
// blocked reading a pipe until the first thread feeds it a byte), all with
// distinct thread ids, then 200 created and ended one after another (their
// blocks are freed while the process goes on). The limit is memory, not a
// table; and ended threads leave nothing behind: the free-page count after
// a second child has run the same batch equals the count after the first.
//! ncpu: 1 2 4
#include <atomic>
#include "page-accounting.hh"
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

constexpr int at_once = 300;
constexpr int one_by_one = 200;
constexpr size_t stack_size = 2048;     // room for an activation's fast-path restore

std::atomic<int> started{0};
std::atomic<int> finished{0};
pid_t tids[at_once];
int pfd[2];
char* stacks[at_once];

int blocked(void* arg) {
    int i = int(uintptr_t(arg));
    tids[i] = sys_gettid();
    ++started;
    char ch;
    assert_eq(sys_read(pfd[0], &ch, 1), 1);
    ++finished;
    return 0;
}

int quick(void*) {
    ++finished;
    return 0;
}

void batch() {
    started = 0;
    finished = 0;
    assert_eq(sys_pipe(pfd), 0);
    for (int i = 0; i < at_once; ++i) {
        pid_t t = sys_clone(blocked, reinterpret_cast<void*>(uintptr_t(i)), stacks[i]);
        assert_gt(t, 0);
    }
    wait_for_count(started, at_once);
    for (int i = 0; i < at_once; ++i) {
        assert_ne(tids[i], sys_getpid());
        for (int j = 0; j < i; ++j) {
            assert_ne(tids[i], tids[j]);
        }
    }
    static char bytes[at_once];
    assert_eq(sys_write(pfd[1], bytes, at_once), ssize_t(at_once));
    wait_for_count(finished, at_once);
    assert_eq(sys_close(pfd[0]), 0);
    assert_eq(sys_close(pfd[1]), 0);

    // Ended threads are freed as the process goes on (by later clones),
    // not only when it exits: 200 threads one by one leave at most a few
    // blocks (4 pages each) and activation slot pages behind.
    size_t before = free_pages();
    finished = 0;
    for (int i = 0; i < one_by_one; ++i) {
        assert_gt(sys_clone(quick, nullptr, stacks[i % at_once]), 0);
        wait_for_count(finished, i + 1);
    }
    assert_ge(free_pages() + 64, before);
}

// A batch in a child process; returns the free-page count once it is
// reaped (every thread block, slot page and stack freed).
size_t batch_in_child() {
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        batch();
        sys_exit(0);
    }
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(status, 0);
    return free_pages();
}

}  // namespace

void process_main() {
    for (auto& s : stacks) {
        s = thread_stack(stack_size);
        assert(s);
    }
    wait_first_activation();           // its slot page is mapped now
    size_t after_first = batch_in_child();
    size_t after_second = batch_in_child();
    assert_eq(after_second, after_first);
    printf("thread-many succeeded!\n");
}
