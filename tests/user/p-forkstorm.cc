// p-forkstorm.cc — fork until the kernel runs out, then check that
// nothing leaked.
//
// The test process T forks a "storm" process S. S forks children until
// sys_fork fails, which must be with E_NOMEM or E_AGAIN (and keeps failing
// the same way if tried again at once); S then exits. Each child sleeps in
// 100 ms steps until its parent is no longer S (it has been reparented to
// init), then exits, and init reaps it. Children never exit before the
// storm is over, so the exhaustion is real. S reports how many children it
// made through its exit status.
//
// T measures free pages (sys_getusage) before and polls them after. The
// storm runs twice: after the first round free pages must be back to the
// start, less at most `cache_slack` pages of kernel caches that grew once;
// after the second round they must be back EXACTLY (at least) to the
// count after the first. A failed fork must give back everything it took.
//
// Kernel behaviour assumed: failed forks return E_NOMEM or E_AGAIN and
// leak nothing; orphans go to init, which reaps them; msleep works for
// many sleepers; the kernel survives running out of memory.
//! mem: 64M
//! timeout: 90
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

constexpr int fork_cap = 20000;
constexpr size_t cache_slack = 64;

[[noreturn]] void storm() {
    pid_t self = sys_getpid();
    int count = 0;
    int r;
    while (true) {
        r = sys_fork();
        if (r == 0) {
            while (sys_getppid() == self) {
                sys_msleep(100);
            }
            sys_exit(0);
        }
        if (r < 0) {
            break;
        }
        ++count;
        assert_lt(count, fork_cap);
    }
    if (r != E_NOMEM && r != E_AGAIN) {
        panic("fork failed with %d, expected E_NOMEM or E_AGAIN", r);
    }
    int again = sys_fork();
    assert(again == E_NOMEM || again == E_AGAIN || again > 0,
           "a fork right after exhaustion fails cleanly or succeeds");
    if (again == 0) {
        sys_exit(0);            // a child of the retry: just go
    }
    assert_gt(count, 0);
    assert_eq(sys_getpid(), self);
    sys_exit(count);
}

// One storm; returns the number of children it made.
int one_round() {
    pid_t s = sys_fork();
    assert_ge(s, 0);
    if (s == 0) {
        storm();
    }
    int count = -1;
    assert_eq(sys_waitpid(s, &count), s);
    assert_gt(count, 0);
    return count;
}

// Polls until at least `target` pages are free; if `target` is not
// reached, until the count has stopped changing for a second. At most
// ~30 s. Returns the last count.
size_t settle(size_t target) {
    size_t n = free_pages();
    size_t last = n;
    int unchanged = 0;
    for (int i = 0; i < 600 && n < target; ++i) {
        sys_msleep(50);
        n = free_pages();
        unchanged = n == last ? unchanged + 1 : 0;
        last = n;
        if (unchanged >= 20) {
            break;
        }
    }
    return n;
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();

    int count1 = one_round();
    size_t after1 = settle(start);
    console_printf("forkstorm: round 1: %d children; free pages %zu -> %zu\n", count1, start,
                   after1);
    assert_ge(after1 + cache_slack, start);

    int count2 = one_round();
    size_t after2 = settle(after1);
    console_printf("forkstorm: round 2: %d children; free pages %zu\n", count2, after2);
    assert_ge(after2, after1);

    console_printf("forkstorm succeeded!\n");
    sys_exit(0);
}
