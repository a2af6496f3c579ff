// p-thread-exit-unborn.cc — a thread created just before its process
// exits, and not yet run when the exit begins, never runs any user code
// (docs/threads.md, How a process exits): its first switch to user mode
// makes the same checks as every later return, and ends it there.
//
// Each of 10 rounds forks a child that clones a thread and at once marks
// "exiting" in a console cell (the console page is shared with the
// parent) and calls sys_exit. The new thread's first action is to read
// that cell: if it is set, the thread is running user code after the exit
// began, and it counts a violation in another cell.
// One CPU only: there the new thread can run only once its creator has
// yielded the CPU, in sys_exit (or if a tick lands in the few
// instructions between the store and the system call: vanishingly rare). On
// several CPUs the new thread may start on another CPU while the creator
// is between its store and the exit, legitimately seeing the mark (it was
// running before the exit began, and is then ended by an IPI): a check
// there would fail now and then on a loaded host. Before the fix, every
// round failed.
//! ncpu: 1
#include <atomic>
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

constexpr int rounds = 10;
volatile uint16_t* const exiting = &console[CPOS(22, 0)];
volatile uint16_t* const violations = &console[CPOS(22, 1)];

int unborn(void*) {
    if (*exiting) {
        __atomic_fetch_add(violations, 1, __ATOMIC_RELAXED);
    }
    for (;;) {
        pause();                        // ended by the exit (IPI or tick)
    }
}

}  // namespace

void process_main() {
    *exiting = 0;
    *violations = 0;
    for (int r = 0; r < rounds; ++r) {
        *exiting = 0;
        pid_t c = sys_fork();
        assert_ge(c, 0);
        if (c == 0) {
            char* stack = thread_stack();
            assert(stack);
            pid_t t = sys_clone(unborn, nullptr, stack);
            assert_gt(t, 0);
            *exiting = 1;
            sys_exit(7);
        }
        int status = -1;
        assert_eq(sys_waitpid(c, &status), c);
        assert_eq(status, 7);
    }
    int v = *violations;
    if (v != 0) {
        panic("%d of %d new threads ran user code after their process began to exit",
              v, rounds);
    }
    printf("thread-exit-unborn succeeded!\n");
}
