// p-thread-nomem.cc — threads until memory runs out: a child clones
// threads (each blocked reading a pipe) until sys_clone fails, which must
// be E_NOMEM or E_AGAIN, never a crash; the kernel still works (the
// threads are all there, a system call succeeds), the child exits with
// every thread, and all the memory comes back: after a second identical
// round the free-page count equals the count after the first.
//! ncpu: 1 4
//! mem: 24M
#include <atomic>
#include "page-accounting.hh"
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

constexpr size_t stack_size = 1024;
constexpr int max_stacks = 3200;

std::atomic<int> started{0};
int pfd[2];

int blocked(void*) {
    ++started;
    char ch;
    sys_read(pfd[0], &ch, 1);           // nobody writes
    panic("a blocked thread read something");
}

int round() {
    assert_eq(sys_pipe(pfd), 0);
    pid_t c = sys_fork();
    assert_ge(c, 0);
    if (c == 0) {
        static char* stacks[max_stacks];
        int n = 0;
        for (; n < max_stacks; ++n) {
            stacks[n] = thread_stack(stack_size);
            if (!stacks[n]) {
                break;
            }
        }
        int made = 0;
        pid_t r = 0;
        for (; made < n; ++made) {
            r = sys_clone(blocked, nullptr, stacks[made]);
            if (r < 0) {
                break;
            }
        }
        assert(r == E_NOMEM || r == E_AGAIN);
        assert_gt(made, 100);
        wait_for_count(started, made);
        assert_eq(sys_getppid() > 0, true);
        sys_exit(made % 100);
    }
    assert_eq(sys_close(pfd[0]), 0);
    int status = -1;
    assert_eq(sys_waitpid(c, &status), c);
    assert_eq(sys_close(pfd[1]), 0);
    return status;
}

}  // namespace

void process_main() {
    wait_first_activation();           // its slot page is mapped now
    round();
    size_t after_first = free_pages();
    round();
    size_t after_second = free_pages();
    assert_eq(after_second, after_first);
    printf("thread-nomem succeeded!\n");
}
