// p-bench-fork.cc — fork + exit + waitpid of a small process: the child
// exits at once, the parent reaps it; cycles per whole round.
#include "bench.hh"

void process_main() {
    bench_rounds<7>("fork-exit-waitpid", 40, [] {
        pid_t child = sys_fork();
        if (child == 0) {
            sys_exit(0);
        }
        bench_reap(child);
    });
    sys_exit(0);
}
