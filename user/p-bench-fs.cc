// p-bench-fs.cc — file-system throughput and metadata cost on the root file
// system: the disk when one is attached and mounted as root, else the
// memory file system. The same program serves both; which one it ran on
// is its first line, `bench: fs-root disk` or `bench: fs-root memfs` (disk
// when `guide.txt`, a file only the disk image holds, is in the root).
//
//   fs-write  a trial writes an 8 MiB file (created, empty) in 64 KiB
//             writes, closes it and calls sys_sync(0), all timed, so the
//             write-back to the disk is inside the figure; per 64 KiB
//   fs-read   a trial reads that file in 64 KiB reads, cold: sys_sync(1)
//             before it (untimed) writes back and drops every unreferenced
//             buffer-cache slot, so the data comes from the disk; per 64 KiB
//   fs-meta   a trial creates 200 files, writing 1 KiB into each and
//             closing it, calls sys_sync(0), unlinks all 200 and calls
//             sys_sync(0) again; per file (created, written, removed)
//
// MB/s = 65,536 / (ns per op) * 1,000 for the first two. Linux runs the same
// operations (tests/bench/linux-bench.c) on ext4 on the same kind of disk.
// Easy to get wrong: the previous trial's file is unlinked and synced
// before a write trial starts (untimed), or freeing its blocks would be
// charged to the next trial; every 64 KiB chunk is stamped with its index
// and the read checks the stamp, so a read that returns the wrong bytes
// fails the run instead of looking fast.
#include "bench.hh"

namespace {
constexpr size_t chunk = 64 * 1024;
constexpr uint64_t chunks = 128;                // 8 MiB
constexpr int files = 200;
constexpr size_t small = 1024;
constexpr int trials = 5;
const char big_name[] = "bench-fs.dat";
char buf[chunk];

void check(long r, long want, const char* what) {
    if (r != want) {
        panic("%s: got %ld, expected %ld", what, r, want);
    }
}

void remove_big() {
    int r = sys_unlink(big_name);
    if (r != 0 && r != E_NOENT) {
        panic("unlink %s: %d", big_name, r);
    }
    check(sys_sync(0), 0, "sync");
}

uint64_t write_trial() {
    remove_big();
    uint64_t start = bench_rdtsc();
    int fd = sys_open(big_name, OF_WRITE | OF_CREATE | OF_TRUNC);
    if (fd < 0) {
        panic("open %s: %d", big_name, fd);
    }
    for (uint64_t i = 0; i < chunks; ++i) {
        memcpy(buf, &i, sizeof(i));
        check(sys_write(fd, buf, chunk), chunk, "write");
    }
    check(sys_close(fd), 0, "close");
    check(sys_sync(0), 0, "sync");
    return (bench_rdtsc() - start) / chunks;
}

uint64_t read_trial() {
    check(sys_sync(1), 0, "sync(1)");             // cold: drop the cache
    uint64_t start = bench_rdtsc();
    int fd = sys_open(big_name, OF_READ);
    if (fd < 0) {
        panic("open %s: %d", big_name, fd);
    }
    for (uint64_t i = 0; i < chunks; ++i) {
        check(sys_read(fd, buf, chunk), chunk, "read");
        uint64_t stamp;
        memcpy(&stamp, buf, sizeof(stamp));
        check(stamp, i, "chunk stamp");
    }
    check(sys_read(fd, buf, chunk), 0, "read at end of file");
    check(sys_close(fd), 0, "close");
    return (bench_rdtsc() - start) / chunks;
}

void small_name(char* name, int i) {
    snprintf(name, 16, "bench-fs-%03d", i);
}

uint64_t meta_trial() {
    char name[16];
    uint64_t start = bench_rdtsc();
    for (int i = 0; i < files; ++i) {
        small_name(name, i);
        int fd = sys_open(name, OF_WRITE | OF_CREATE | OF_TRUNC);
        if (fd < 0) {
            panic("open %s: %d", name, fd);
        }
        check(sys_write(fd, buf, small), small, "small write");
        check(sys_close(fd), 0, "close");
    }
    check(sys_sync(0), 0, "sync");
    for (int i = 0; i < files; ++i) {
        small_name(name, i);
        check(sys_unlink(name), 0, "unlink");
    }
    check(sys_sync(0), 0, "sync");
    return (bench_rdtsc() - start) / files;
}

// Runs `trial` once to warm up, then `trials` times, and reports.
void run(const char* name, uint64_t iters, uint64_t (*trial)()) {
    uint64_t per[trials];
    trial();
    for (int t = 0; t < trials; ++t) {
        per[t] = trial();
    }
    bench_report(name, per, trials, iters);
}
}  // namespace

void process_main() {
    int probe = sys_open("guide.txt", OF_READ);
    printf("bench: fs-root %s\n", probe >= 0 ? "disk" : "memfs");
    if (probe >= 0) {
        sys_close(probe);
    }
    for (size_t i = 0; i < chunk; ++i) {
        buf[i] = char(i * 7 + 1);
    }
    run("fs-write", chunks, write_trial);
    run("fs-read", chunks, read_trial);
    remove_big();
    run("fs-meta", files, meta_trial);
    sys_exit(0);
}
