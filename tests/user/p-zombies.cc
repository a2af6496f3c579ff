// p-zombies.cc — reaping at scale: 4 children each fork 100 grandchildren
// that exit at once (status = their index) and become zombies; each child
// then reaps all of them with waitpid(0), checking every status exactly
// once, and has no children left. The test process reaps the 4 children.
//
// No zombie may survive: after everything is reaped, the physical free
// page count (sys_getusage) must come back. The test runs the whole tree
// twice: the first round may leave kernel caches grown (allowed: at most
// `cache_slack` pages below the starting count); the second round must
// come back to at least the count measured after the first. A leak of even
// a fraction of a page per process (400 per round) fails.
//
// Kernel behaviour assumed: at least ~410 processes can exist at once
// (400 zombies plus their parents, init and this test); a reaped process
// gives back all of its memory (possibly shortly after waitpid returns:
// the test polls for up to 5 s).
//! lab: proc 10
//! timeout: 60
#include "u-lib.hh"
#include "page-accounting.hh"

namespace {

constexpr int nchildren = 4;
constexpr int ngrandchildren = 100;
constexpr size_t cache_slack = 64;

[[noreturn]] void child(int which) {
    pid_t kids[ngrandchildren];
    for (int j = 0; j < ngrandchildren; ++j) {
        pid_t p = sys_fork();
        assert_ge(p, 0);
        if (p == 0) {
            sys_exit(which * 1000 + j);
        }
        kids[j] = p;
    }
    // Let them all exit before reaping any (msleep may end early with
    // E_INTR when one exits; keep sleeping).
    for (int i = 0; i < 10; ++i) {
        sys_msleep(10);
    }
    bool seen[ngrandchildren] = {};
    for (int n = 0; n < ngrandchildren; ++n) {
        int status = -1;
        pid_t p = sys_waitpid(0, &status);
        assert_gt(p, 0);
        int j = 0;
        while (j < ngrandchildren && kids[j] != p) {
            ++j;
        }
        assert_lt(j, ngrandchildren);
        assert(!seen[j], "a grandchild was reaped twice");
        seen[j] = true;
        assert_eq(status, which * 1000 + j);
    }
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(0), E_CHILD);
    sys_exit(ngrandchildren);
}

void one_round() {
    pid_t kids[nchildren];
    for (int i = 0; i < nchildren; ++i) {
        kids[i] = sys_fork();
        assert_ge(kids[i], 0);
        if (kids[i] == 0) {
            child(i);
        }
    }
    for (int i = 0; i < nchildren; ++i) {
        int status = -1;
        assert_eq(sys_waitpid(kids[i], &status), kids[i]);
        assert_eq(status, ngrandchildren);
    }
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();

    one_round();
    size_t after1 = wait_free_pages(start);
    console_printf("zombies: free pages %zu at start, %zu after round 1\n", start, after1);
    assert_ge(after1 + cache_slack, start);

    one_round();
    size_t after2 = wait_free_pages(after1);
    console_printf("zombies: free pages %zu after round 2\n", after2);
    assert_ge(after2, after1);

    console_printf("zombies succeeded!\n");
    sys_exit(0);
}
