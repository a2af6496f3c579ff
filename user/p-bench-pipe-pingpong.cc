// p-bench-pipe-pingpong.cc — pipe ping-pong on one CPU (boot with -smp 1):
// the parent writes one byte into one pipe, the child reads it and writes
// it back through a second pipe, the parent reads it. Cycles per round trip
// (two one-way hand-offs: two writes, two reads, two switches).
// Easy to get wrong: each side must close the ends it does not use, or the
// child would never see end of file and the bench would hang at the end;
// the child stops on end of file (the parent closing its write end).
#include "bench.hh"

void process_main() {
    constexpr int trials = 9;
    constexpr uint64_t iters = 1000;
    int ping[2], pong[2];               // parent -> child, child -> parent
    if (sys_pipe(ping) != 0 || sys_pipe(pong) != 0) {
        panic("pipe failed");
    }
    pid_t child = sys_fork();
    if (child < 0) {
        panic("fork failed: %d", child);
    }
    if (child == 0) {
        sys_close(ping[1]);
        sys_close(pong[0]);
        char c;
        while (sys_read(ping[0], &c, 1) == 1) {
            if (sys_write(pong[1], &c, 1) != 1) {
                sys_exit(1);
            }
        }
        sys_exit(0);
    }
    sys_close(ping[0]);
    sys_close(pong[1]);
    uint64_t per[trials];
    for (int t = -1; t < trials; ++t) {         // trial -1 warms up
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            char c = char(i);
            if (sys_write(ping[1], &c, 1) != 1 || sys_read(pong[0], &c, 1) != 1
                || c != char(i)) {
                panic("ping-pong %lu failed", (unsigned long) i);
            }
        }
        if (t >= 0) {
            per[t] = (bench_rdtsc() - start) / iters;
        }
    }
    sys_close(ping[1]);                         // the child sees end of file
    int status = -1;
    if (sys_waitpid(child, &status) != child || status != 0) {
        panic("child failed: status %d", status);
    }
    bench_report("pipe-pingpong", per, trials, iters);
    sys_exit(0);
}
