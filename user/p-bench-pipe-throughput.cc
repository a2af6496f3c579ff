// p-bench-pipe-throughput.cc — throughput of one pipe on one CPU (boot
// with -smp 1): the parent writes 64 KiB at a time, the child reads with a
// 64 KiB buffer and counts. A trial is `iters` writes (4 MiB); it ends when
// the child has counted every byte and says so through a second pipe, so
// the time covers delivery, not just the writes. Cycles per 64 KiB (one
// write, the reads that take it): MB/s = 65536 / ns per op * 1000.
// Easy to get wrong: Nuthatch's pipe holds one page, Linux's 16, so a
// 64 KiB write here is 16 hand-offs to the reader (docs/benchmarks.md).
#include "bench.hh"

namespace {
constexpr size_t chunk = 64 * 1024;
char buf[chunk];
}  // namespace

void process_main() {
    constexpr int trials = 7;
    constexpr uint64_t iters = 64;
    int data[2], done[2];               // parent -> child, child -> parent
    if (sys_pipe(data) != 0 || sys_pipe(done) != 0) {
        panic("pipe failed");
    }
    pid_t child = sys_fork();
    if (child < 0) {
        panic("fork failed: %d", child);
    }
    if (child == 0) {
        // Counts each trial's bytes, then answers with one byte.
        sys_close(data[1]);
        sys_close(done[0]);
        for (int t = -1; t < trials; ++t) {
            size_t got = 0;
            while (got < iters * chunk) {
                ssize_t n = sys_read(data[0], buf, chunk);
                if (n <= 0) {
                    sys_exit(1);
                }
                got += n;
            }
            if (got != iters * chunk || sys_write(done[1], "d", 1) != 1) {
                sys_exit(1);
            }
        }
        sys_exit(0);
    }
    sys_close(data[0]);
    sys_close(done[1]);
    for (size_t i = 0; i < chunk; ++i) {
        buf[i] = char(i);
    }
    uint64_t per[trials];
    for (int t = -1; t < trials; ++t) {         // trial -1 warms up
        uint64_t start = bench_rdtsc();
        for (uint64_t i = 0; i < iters; ++i) {
            if (sys_write(data[1], buf, chunk) != ssize_t(chunk)) {
                panic("write %lu failed", (unsigned long) i);
            }
        }
        char c;
        if (sys_read(done[0], &c, 1) != 1) {
            panic("reader failed");
        }
        if (t >= 0) {
            per[t] = (bench_rdtsc() - start) / iters;
        }
    }
    int status = -1;
    if (sys_waitpid(child, &status) != child || status != 0) {
        panic("child failed: status %d", status);
    }
    bench_report("pipe-throughput", per, trials, iters);
    sys_exit(0);
}
