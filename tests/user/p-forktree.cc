// p-forktree.cc — a binary fork tree three levels below the test process.
//
// Checked at every fork: the child's pid differs from its parent's, the
// child's getppid() is the parent's pid, the parent's own pid is unchanged,
// fork returns the child's pid to the parent (the child exits with its own
// pid as status so the parent can compare), and waitpid(pid) returns that
// pid with that status. Afterwards each parent has no children left.
//
// Node numbering: the root is node 1, node n's children are 2n and 2n+1
// (15 nodes). Every node records its pid and its ppid in two rows of the
// console page, which fork shares rather than copies; the root checks the
// whole table once everything is reaped (all pids distinct, every ppid is
// the parent node's pid).
//
// Kernel behaviour assumed: fork/getpid/getppid/waitpid as in user-api.md;
// the full int exit status is reported; the console page is shared by fork.
//! lab: proc 10
#include "u-lib.hh"

namespace {

constexpr int levels = 3;                           // below the root
constexpr int nodes = (1 << (levels + 1)) - 1;      // 15
constexpr int pid_row = 20;
constexpr int ppid_row = 21;

volatile uint16_t* pid_cell(int n) {
    return &console[CPOS(pid_row, n)];
}
volatile uint16_t* ppid_cell(int n) {
    return &console[CPOS(ppid_row, n)];
}

// Runs node n at depth `level`: records itself, forks and reaps its
// children. Returns in the process that is node n.
void run_node(int n, int level) {
    pid_t self = sys_getpid();
    assert_gt(self, 0);
    assert_lt(self, 65536);
    *pid_cell(n) = uint16_t(self);
    *ppid_cell(n) = uint16_t(sys_getppid());
    if (level == levels) {
        return;
    }

    pid_t kids[2];
    for (int i = 0; i < 2; ++i) {
        int child_node = 2 * n + i;
        pid_t k = sys_fork();
        assert_ge(k, 0);
        if (k == 0) {
            pid_t me = sys_getpid();
            assert_ne(me, self);
            assert_eq(sys_getppid(), self);
            run_node(child_node, level + 1);
            sys_exit(me);
        }
        assert_eq(sys_getpid(), self);
        assert_ne(k, self);
        kids[i] = k;
    }
    assert_ne(kids[0], kids[1]);

    // Reap the second child first: waitpid(pid) must wait for that one.
    for (int i = 1; i >= 0; --i) {
        int status = -1;
        assert_eq(sys_waitpid(kids[i], &status), kids[i]);
        assert_eq(status, kids[i]);
    }
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(0), E_CHILD);
}

}  // namespace

void process_main() {
    console_clear();
    for (int n = 0; n <= nodes; ++n) {
        *pid_cell(n) = 0;
        *ppid_cell(n) = 0;
    }

    pid_t root = sys_getpid();
    run_node(1, 0);
    assert_eq(sys_getpid(), root);

    assert_eq(*pid_cell(1), root);
    for (int n = 1; n <= nodes; ++n) {
        assert_ne(*pid_cell(n), 0);
        for (int m = 1; m < n; ++m) {
            assert_ne(*pid_cell(n), *pid_cell(m));
        }
        if (n > 1) {
            assert_eq(*ppid_cell(n), *pid_cell(n / 2));
        }
    }

    console_printf("forktree: %d processes, pids and parents consistent\n", nodes);
    console_printf("forktree succeeded!\n");
    sys_exit(0);
}
