// p-bench-exec.cc — fork + exec of a small program (p-true, which exits at
// once) + waitpid; cycles per whole round. Minus the fork row, roughly the
// cost of loading and starting a small program and its exit.
#include "bench.hh"

void process_main() {
    bench_rounds<7>("fork-exec-exit-waitpid", 40, [] {
        pid_t child = sys_fork();
        if (child == 0) {
            const char* argv[] = {"true", nullptr};
            int r = sys_execv("true", argv);
            panic("execv(true) failed: %d", r);
        }
        bench_reap(child);
    });
    sys_exit(0);
}
