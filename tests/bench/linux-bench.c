/* linux-bench.c — the Linux side of `make bench`: the same operations as
 * Nuthatch's user/p-bench-*.cc, printed in the same
 * `bench: NAME median_cycles N ...` form (TSC cycles per operation, median
 * of several trials) for scripts/bench.py. One source, two builds:
 *
 *   obj/bench/linux-bench         run natively on the host (the reference
 *                                 column), with the iteration counts below
 *   obj/bench/linux-bench-static  the /init of the Linux guest's initramfs,
 *                                 booted under the same QEMU as Nuthatch;
 *                                 as process 1 it uses Nuthatch's iteration
 *                                 counts (the guest ones in `benchmarks`),
 *                                 prints the kernel's release and its
 *                                 mitigations, and ends QEMU through
 *                                 isa-debug-exit (33 = done, 35 = failed)
 *
 * The disk guest: booted with the word `disk` after "--" (and a kernel
 * that has the AHCI, SCSI-disk and ext4 drivers, as modules in /modules
 * of the initramfs or built in), /init loads /modules/NN-*.ko in name
 * order (finit_module), waits for /dev/sda, mounts it as ext4 on /mnt and
 * runs only the fs-* rows there. Natively they run in obj/bench/fs-native
 * (made, then emptied and removed), on whatever file system holds it.
 *
 * The smp2 guest: booted on two CPUs with the word `smp2` after "--", /init
 * runs only the two-CPU row (uthread-wake-other); natively it runs after
 * the others (it needs two CPUs, or says it skipped).
 *
 * Adding a row: one function here and one line in `benchmarks` (the name
 * it reports must match the Nuthatch program's), one line in bench.py's
 * ROWS. Easy to get wrong: as process 1 nothing may return from main (the
 * kernel panics when init exits), and only signals with handlers reach it.
 *
 *   syscall-getpid       syscall(SYS_getpid) round trip
 *   yield-switch         two processes pinned to one CPU alternating with
 *                        sched_yield; per switch (2 per parent iteration)
 *   fork-exit-waitpid    fork, child _exit(0), parent waitpid
 *   fork-exec-exit-waitpid  fork, child execs linux-true (static, no C
 *                        library, exits at once), parent waitpid
 *   kthread-create-join  raw clone of a thread (CLONE_VM and the rest of a
 *                        thread's flags, CLONE_CHILD_CLEARTID) that at once
 *                        calls exit, its creator waiting on the cleared
 *                        tid word with FUTEX_WAIT; per round (no glibc:
 *                        as Nuthatch's p-bench-kthread, raw clone + exit)
 *   uthread-wake-other   (the smp2 guest, two CPUs) a thread pinned to CPU
 *                        1 blocked in pthread_cond_wait is signalled by a
 *                        thread pinned to CPU 0, which then spins for its
 *                        answer; TSC from just before the signal to the
 *                        waiter's return from pthread_cond_wait (glibc's
 *                        condition variable: futex wake, an IPI, the idle
 *                        CPU switching to the waiter), as Nuthatch's
 *                        p-bench-uthread-pool
 *   signal-roundtrip     raise(SIGUSR1) -> empty handler -> return
 *   uthread-switch       two user contexts alternating with swapcontext
 *                        (glibc's user-level switch, which also sets the
 *                        signal mask: one system call); per switch
 *   thread-create-join   pthread_create of a thread that returns at once,
 *                        then pthread_join; per round
 *   pipe-pingpong        one byte back and forth between two processes
 *                        pinned to one CPU through two pipes; per round
 *                        trip (two one-way hand-offs)
 *   pipe-throughput      64 KiB writes into one pipe, a child on the same
 *                        CPU reading 64 KiB at a time and counting; per
 *                        64 KiB delivered
 *   fs-write             an 8 MiB file written in 64 KiB writes, closed,
 *                        then syncfs(), all timed; per 64 KiB
 *   fs-read              that file read in 64 KiB reads, cold (see
 *                        drop_file_cache); per 64 KiB
 *   fs-meta              200 files created with 1 KiB each and closed,
 *                        syncfs(), all unlinked, syncfs(); per file
 *                        (the three as user/p-bench-fs.cc; only natively
 *                        and in the disk guest, see below)
 *   compute-loop         the compute loop of p-bench-compute, without and
 *                        with a setitimer(ITIMER_REAL) at HZ (argv[1],
 *                        default 10000) whose SIGALRM handler counts
 *   tsc-mhz              TSC rate measured against CLOCK_MONOTONIC
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <ucontext.h>
#include <linux/futex.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t) hi << 32) | lo;
}

static int cmp_u64(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*) a, y = *(const uint64_t*) b;
    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t* v, int n) {
    qsort(v, n, sizeof(*v), cmp_u64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char* name, uint64_t* per, int trials, uint64_t iters) {
    uint64_t med = median(per, trials);
    printf("bench: %s median_cycles %lu trials %d iters %lu min %lu max %lu\n", name,
           (unsigned long) med, trials, (unsigned long) iters, (unsigned long) per[0],
           (unsigned long) per[trials - 1]);
    fflush(stdout);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void tsc_rate(void) {
    double t0 = now_ns();
    uint64_t c0 = rdtsc();
    while (now_ns() - t0 < 200e6) {
    }
    double t1 = now_ns();
    uint64_t c1 = rdtsc();
    printf("bench: tsc-mhz %.1f\n", (c1 - c0) / (t1 - t0) * 1e3);
}

enum { TRIALS = 9 };

static void guest_exit(int ok);

/* Nonzero when running as the guest's /init (process 1). */
static int guest;

/* Give up: natively exit 1; as process 1, end QEMU with failure (init
 * must not exit). */
static void fail(void) {
    if (guest) {
        guest_exit(0);
    }
    exit(1);
}

/* Iterations per trial: natively, or in the guest (where every instruction
 * is emulated, so the counts match Nuthatch's programs). */
static long iters(long native, long in_guest) {
    return guest ? in_guest : native;
}

static void bench_getpid(void) {
    const long ITERS = iters(200000, 20000);
    uint64_t per[TRIALS];
    for (int i = 0; i < 1000; ++i) {
        syscall(SYS_getpid);
    }
    for (int t = 0; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (int i = 0; i < ITERS; ++i) {
            syscall(SYS_getpid);
        }
        per[t] = (rdtsc() - s) / ITERS;
    }
    report("syscall-getpid", per, TRIALS, ITERS);
}

static void pin_to_cpu0(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
        perror("sched_setaffinity");
    }
}

static void bench_yield(void) {
    const long ITERS = iters(50000, 2000);
    uint64_t per[TRIALS];
    pin_to_cpu0();          /* inherited by the child */
    int go[2];
    if (pipe(go) != 0) {
        perror("pipe");
        fail();
    }
    pid_t child = fork();
    if (child == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) {
            _exit(1);
        }
        for (long i = 0; i < (long) (TRIALS + 1) * ITERS + 500; ++i) {
            sched_yield();
        }
        _exit(0);
    }
    if (write(go[1], "g", 1) != 1) {
        perror("write");
    }
    for (int i = 0; i < ITERS / 4; ++i) {
        sched_yield();
    }
    for (int t = 0; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (int i = 0; i < ITERS; ++i) {
            sched_yield();
        }
        per[t] = (rdtsc() - s) / (2 * ITERS);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(go[0]);
    close(go[1]);
    report("yield-switch", per, TRIALS, ITERS);
}

/* Runs round(arg) n times in each of TRIALS trials, after one warm-up trial
 * that is not counted, and reports cycles per round as NAME. For the
 * benchmarks whose round is a whole fork or thread: the indirect call is
 * nothing beside it. */
static void run_rounds(const char* name, long n, void (*round)(void*), void* arg) {
    uint64_t per[TRIALS];
    for (int t = -1; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (int i = 0; i < n; ++i) {
            round(arg);
        }
        if (t >= 0) {
            per[t] = (rdtsc() - s) / n;
        }
    }
    report(name, per, TRIALS, n);
}

static void fork_round(void* arg) {
    (void) arg;
    pid_t p = fork();
    if (p == 0) {
        _exit(0);
    }
    int status;
    waitpid(p, &status, 0);
}

static void bench_fork(void) {
    run_rounds("fork-exit-waitpid", iters(200, 40), fork_round, NULL);
}

static void exec_round(void* arg) {
    const char* path = arg;
    char* const argv[] = {"true", NULL};
    char* const envp[] = {NULL};
    pid_t p = fork();
    if (p == 0) {
        execve(path, argv, envp);
        _exit(127);
    }
    int status;
    if (p < 0 || waitpid(p, &status, 0) != p || status != 0) {
        fprintf(stderr, "exec %s failed\n", path);
        fail();
    }
}

/* The program to exec: /true in the guest's initramfs; natively the build's
 * copy (bench.py runs this from the source tree). */
static void bench_exec(void) {
    const char* path = guest ? "/true" : "obj/bench/linux-true";
    run_rounds("fork-exec-exit-waitpid", iters(200, 40), exec_round, (void*) path);
}

static ucontext_t main_ctx, other_ctx;
static void other_context(void) {
    for (;;) {
        swapcontext(&other_ctx, &main_ctx);
    }
}

/* Apart from bench_uthread_switch: getcontext returns twice, which would
 * make the compiler distrust that function's locals. */
__attribute__((noinline)) static void make_other_context(void) {
    static char stack[64 * 1024];
    getcontext(&other_ctx);
    other_ctx.uc_stack.ss_sp = stack;
    other_ctx.uc_stack.ss_size = sizeof(stack);
    other_ctx.uc_link = NULL;
    makecontext(&other_ctx, other_context, 0);
}

static void bench_uthread_switch(void) {
    const long ITERS = iters(50000, 2000);
    uint64_t per[TRIALS];
    make_other_context();
    for (int i = 0; i < ITERS / 4; ++i) {
        swapcontext(&main_ctx, &other_ctx);
    }
    for (int t = 0; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (int i = 0; i < ITERS; ++i) {
            swapcontext(&main_ctx, &other_ctx);
        }
        per[t] = (rdtsc() - s) / (2 * ITERS);
    }
    report("uthread-switch", per, TRIALS, ITERS);
}

static void* nothing(void* arg) {
    return arg;
}

static void thread_round(void* arg) {
    pthread_t th;
    void* result = NULL;
    if (pthread_create(&th, NULL, nothing, arg) != 0 || pthread_join(th, &result) != 0
        || result != arg) {
        fprintf(stderr, "pthread_create/join failed\n");
        fail();
    }
}

static void bench_thread_create(void) {
    static int token;
    run_rounds("thread-create-join", iters(2000, 200), thread_round, &token);
}

/* kthread-create-join: the child runs on `kthread_stack` but touches no
 * memory at all: it calls exit(0) at once (the kernel then clears the tid
 * word and wakes the futex), so one stack serves every round. */
static char kthread_stack[16384] __attribute__((aligned(16)));
static volatile int kthread_tid;

static void kthread_round(void* arg) {
    (void) arg;
    long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
        | CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    long ret;
    register long r10 __asm__("r10") = (long) &kthread_tid;     /* child_tid */
    register long r8 __asm__("r8") = 0;                          /* tls */
    __asm__ volatile("syscall\n\t"
                     "testq %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "movl $60, %%eax\n\t"        /* SYS_exit (the thread only) */
                     "xorl %%edi, %%edi\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:"
                     : "=a"(ret)
                     : "0"((long) SYS_clone), "D"(flags),
                       "S"(kthread_stack + sizeof(kthread_stack)), "d"(&kthread_tid),
                       "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    if (ret < 0) {
        fprintf(stderr, "clone: %ld\n", ret);
        fail();
    }
    int tid;
    while ((tid = kthread_tid) != 0) {
        syscall(SYS_futex, &kthread_tid, FUTEX_WAIT, tid, NULL, NULL, 0);
    }
}

static void bench_kthread_create(void) {
    run_rounds("kthread-create-join", iters(2000, 200), kthread_round, NULL);
}

/* uthread-wake-other (see the list at the top). */
enum { WAKE_SETTLE = 20000 };   /* TSC ticks between "queued" and the signal */
static pthread_mutex_t wake_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER;
static volatile int wake_waiting, wake_go;
static volatile uint64_t wake_t_signal, wake_t_woken, wake_answered;
static long wake_rounds;

static void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
        perror("sched_setaffinity");
    }
}

static void* wake_waiter(void* arg) {
    (void) arg;
    pin_to(1);
    for (long r = 1; r <= wake_rounds; ++r) {
        pthread_mutex_lock(&wake_m);
        wake_waiting = 1;
        while (!wake_go) {
            pthread_cond_wait(&wake_cv, &wake_m);
        }
        wake_t_woken = rdtsc();
        wake_go = 0;
        pthread_mutex_unlock(&wake_m);
        __atomic_store_n(&wake_answered, r, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void bench_wake_other(void) {
    const long ITERS = iters(1000, 100);
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        printf("bench-info: uthread-wake-other needs 2 CPUs, skipped\n");
        return;
    }
    uint64_t per[TRIALS];
    wake_rounds = (TRIALS + 1) * ITERS;
    pin_to(0);
    pthread_t th;
    if (pthread_create(&th, NULL, wake_waiter, NULL) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        fail();
    }
    uint64_t round = 0;
    for (int t = -1; t < TRIALS; ++t) {
        uint64_t sum = 0;
        for (long i = 0; i < ITERS; ++i) {
            ++round;
            while (!wake_waiting) {
                __builtin_ia32_pause();
            }
            pthread_mutex_lock(&wake_m);
            wake_waiting = 0;
            for (uint64_t s = rdtsc(); rdtsc() - s < WAKE_SETTLE;) {
                __builtin_ia32_pause();
            }
            wake_go = 1;
            wake_t_signal = rdtsc();
            pthread_cond_signal(&wake_cv);
            pthread_mutex_unlock(&wake_m);
            while (__atomic_load_n(&wake_answered, __ATOMIC_ACQUIRE) != round) {
                __builtin_ia32_pause();
            }
            sum += wake_t_woken - wake_t_signal;
        }
        if (t >= 0) {
            per[t] = sum / ITERS;
        }
    }
    pthread_join(th, NULL);
    pin_to(0);
    report("uthread-wake-other", per, TRIALS, ITERS);
}

static volatile sig_atomic_t signals;
static void on_signal(int sig) {
    (void) sig;
    ++signals;
}

static void bench_signal(void) {
    const long ITERS = iters(50000, 5000);
    uint64_t per[TRIALS];
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    for (int t = 0; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (int i = 0; i < ITERS; ++i) {
            raise(SIGUSR1);
        }
        per[t] = (rdtsc() - s) / ITERS;
    }
    report("signal-roundtrip", per, TRIALS, ITERS);
}

/* Close a descriptor the caller no longer needs, or give up. */
static void close_or_fail(int fd) {
    if (close(fd) != 0) {
        perror("close");
        fail();
    }
}

/* The same as p-bench-pipe-pingpong.cc: the parent writes one byte into
 * `ping`, the child reads it and writes it back into `pong`; the child
 * stops at end of file. Per round trip. */
static void bench_pipe_pingpong(void) {
    const long ITERS = iters(50000, 1000);
    uint64_t per[TRIALS];
    pin_to_cpu0();          /* inherited by the child: one CPU, as Nuthatch */
    int ping[2], pong[2];
    if (pipe(ping) != 0 || pipe(pong) != 0) {
        perror("pipe");
        fail();
    }
    pid_t child = fork();
    if (child == 0) {
        close(ping[1]);
        close(pong[0]);
        char c;
        while (read(ping[0], &c, 1) == 1) {
            if (write(pong[1], &c, 1) != 1) {
                _exit(1);
            }
        }
        _exit(0);
    }
    close_or_fail(ping[0]);
    close_or_fail(pong[1]);
    for (int t = -1; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (long i = 0; i < ITERS; ++i) {
            char c = (char) i;
            if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1 || c != (char) i) {
                fprintf(stderr, "pipe ping-pong failed\n");
                fail();
            }
        }
        if (t >= 0) {
            per[t] = (rdtsc() - s) / ITERS;
        }
    }
    close_or_fail(ping[1]);
    int status;
    if (waitpid(child, &status, 0) != child || status != 0) {
        fprintf(stderr, "ping-pong child failed\n");
        fail();
    }
    close_or_fail(pong[0]);
    report("pipe-pingpong", per, TRIALS, ITERS);
}

/* The same as p-bench-pipe-throughput.cc: ITERS writes of 64 KiB per
 * trial; the child reads and counts, then answers through `done`, so a
 * trial's time covers delivery. Per 64 KiB. */
static void bench_pipe_throughput(void) {
    enum { PTRIALS = 7, CHUNK = 64 * 1024 };
    const long ITERS = iters(256, 64);
    static char buf[CHUNK];
    uint64_t per[PTRIALS];
    pin_to_cpu0();
    int data[2], done[2];
    if (pipe(data) != 0 || pipe(done) != 0) {
        perror("pipe");
        fail();
    }
    pid_t child = fork();
    if (child == 0) {
        close(data[1]);
        close(done[0]);
        for (int t = -1; t < PTRIALS; ++t) {
            long got = 0;
            while (got < ITERS * CHUNK) {
                ssize_t n = read(data[0], buf, CHUNK);
                if (n <= 0) {
                    _exit(1);
                }
                got += n;
            }
            if (got != ITERS * CHUNK || write(done[1], "d", 1) != 1) {
                _exit(1);
            }
        }
        _exit(0);
    }
    close_or_fail(data[0]);
    close_or_fail(done[1]);
    for (int i = 0; i < CHUNK; ++i) {
        buf[i] = (char) i;
    }
    for (int t = -1; t < PTRIALS; ++t) {
        uint64_t s = rdtsc();
        for (long i = 0; i < ITERS; ++i) {
            if (write(data[1], buf, CHUNK) != CHUNK) {
                perror("pipe write");
                fail();
            }
        }
        char c;
        if (read(done[0], &c, 1) != 1) {
            fprintf(stderr, "pipe reader failed\n");
            fail();
        }
        if (t >= 0) {
            per[t] = (rdtsc() - s) / ITERS;
        }
    }
    int status;
    if (waitpid(child, &status, 0) != child || status != 0) {
        fprintf(stderr, "throughput child failed\n");
        fail();
    }
    close_or_fail(data[1]);
    close_or_fail(done[0]);
    report("pipe-throughput", per, PTRIALS, ITERS);
}

/* The file-system rows, as user/p-bench-fs.cc: the same sizes, names and
 * trials (one warm-up, then FS_TRIALS), in the current directory (the
 * ext4 disk in the disk guest). fs_sync() stands where Nuthatch calls
 * sys_sync(0): syncfs() of the directory's file system writes back its
 * dirty pages and commits ext4's journal (natively, unlike sync(), it
 * leaves the host's other file systems alone). */
enum { FS_TRIALS = 5, FS_CHUNK = 64 * 1024, FS_CHUNKS = 128, FS_FILES = 200, FS_SMALL = 1024 };
static const char fs_big[] = "bench-fs.dat";
static char fs_buf[FS_CHUNK];
static int fs_dir = -1;     /* the directory the rows run in */

static void fs_sync(void) {
    if (syncfs(fs_dir) != 0) {
        perror("syncfs");
        fail();
    }
}

static void fs_check(long got, long want, const char* what) {
    if (got != want) {
        fprintf(stderr, "%s: got %ld, expected %ld (errno %d)\n", what, got, want, errno);
        fail();
    }
}

static void fs_remove_big(void) {
    if (unlink(fs_big) != 0 && errno != ENOENT) {
        perror("unlink");
        fail();
    }
    fs_sync();
}

/* Cold, as Nuthatch's sys_sync(1) (write back, drop what is cached): the
 * file's pages leave the page cache (POSIX_FADV_DONTNEED), and in the
 * guest every clean page, dentry and inode too (drop_caches, after a
 * sync). Natively only the file's pages: the host's other caches belong
 * to other work. */
static void drop_file_cache(void) {
    fs_sync();
    int fd = open(fs_big, O_RDONLY);
    if (fd < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
        perror("fadvise");
        fail();
    }
    close(fd);
    if (guest) {
        int dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
        if (dc < 0 || write(dc, "3", 1) != 1) {
            perror("drop_caches");
            fail();
        }
        close(dc);
    }
}

static uint64_t fs_write_trial(void) {
    fs_remove_big();
    uint64_t s = rdtsc();
    int fd = open(fs_big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    fs_check(fd >= 0, 1, "open for writing");
    for (uint64_t i = 0; i < FS_CHUNKS; ++i) {
        memcpy(fs_buf, &i, sizeof(i));
        fs_check(write(fd, fs_buf, FS_CHUNK), FS_CHUNK, "write");
    }
    fs_check(close(fd), 0, "close");
    fs_sync();
    return (rdtsc() - s) / FS_CHUNKS;
}

static uint64_t fs_read_trial(void) {
    drop_file_cache();
    uint64_t s = rdtsc();
    int fd = open(fs_big, O_RDONLY);
    fs_check(fd >= 0, 1, "open for reading");
    for (uint64_t i = 0; i < FS_CHUNKS; ++i) {
        fs_check(read(fd, fs_buf, FS_CHUNK), FS_CHUNK, "read");
        uint64_t stamp;
        memcpy(&stamp, fs_buf, sizeof(stamp));
        fs_check(stamp, i, "chunk stamp");
    }
    fs_check(read(fd, fs_buf, FS_CHUNK), 0, "read at end of file");
    fs_check(close(fd), 0, "close");
    return (rdtsc() - s) / FS_CHUNKS;
}

static uint64_t fs_meta_trial(void) {
    char name[32];
    uint64_t s = rdtsc();
    for (int i = 0; i < FS_FILES; ++i) {
        snprintf(name, sizeof(name), "bench-fs-%03d", i);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        fs_check(fd >= 0, 1, "open small file");
        fs_check(write(fd, fs_buf, FS_SMALL), FS_SMALL, "small write");
        fs_check(close(fd), 0, "close");
    }
    fs_sync();
    for (int i = 0; i < FS_FILES; ++i) {
        snprintf(name, sizeof(name), "bench-fs-%03d", i);
        fs_check(unlink(name), 0, "unlink");
    }
    fs_sync();
    return (rdtsc() - s) / FS_FILES;
}

static void fs_run(const char* name, long iters_, uint64_t (*trial)(void)) {
    uint64_t per[FS_TRIALS];
    trial();
    for (int t = 0; t < FS_TRIALS; ++t) {
        per[t] = trial();
    }
    report(name, per, FS_TRIALS, iters_);
}

static void bench_fs(void) {
    for (int i = 0; i < FS_CHUNK; ++i) {
        fs_buf[i] = (char) (i * 7 + 1);
    }
    fs_dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fs_check(fs_dir >= 0, 1, "open .");
    fs_run("fs-write", FS_CHUNKS, fs_write_trial);
    fs_run("fs-read", FS_CHUNKS, fs_read_trial);
    fs_remove_big();
    fs_run("fs-meta", FS_FILES, fs_meta_trial);
    close(fs_dir);
}

/* Natively: the fs rows in a fresh directory of the build tree. */
static void bench_fs_native(void) {
    const char* dir = "obj/bench/fs-native";
    char here[4096];
    if (!getcwd(here, sizeof(here)) || (mkdir(dir, 0755) != 0 && errno != EEXIST)
        || chdir(dir) != 0) {
        perror(dir);
        fail();
    }
    bench_fs();
    unlink(fs_big);
    if (chdir(here) != 0 || rmdir(dir) != 0) {
        perror(dir);
    }
}

/* The disk guest's set-up: the drivers' modules from /modules, in name
 * order (NN-name.ko: bench.py numbers them dependencies first; one that
 * fails with ENODEV, a variant for a CPU feature this CPU lacks such as
 * crc32c_intel, is skipped: the generic one beside it serves); then the
 * disk as /dev/sda (SCSI disk, block 8:0), which appears once the AHCI
 * port has been probed (asynchronously: wait for it); then ext4 on /mnt.
 * Returns 0, or -1 after saying why. */
static int fs_guest_setup(void) {
    struct dirent** names;
    int n = scandir("/modules", &names, NULL, alphasort);
    for (int i = 0; i < n; ++i) {
        if (names[i]->d_name[0] != '.') {
            char path[512];
            snprintf(path, sizeof(path), "/modules/%s", names[i]->d_name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                printf("bench: disk: %s: %s\n", path, strerror(errno));
                return -1;
            }
            if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
                printf("bench: disk: loading %s failed: %s\n", path, strerror(errno));
                if (errno != ENODEV) {
                    return -1;
                }
            }
            close(fd);
        }
        free(names[i]);
    }
    if (n >= 0) {
        free(names);
    }
    mkdir("/proc", 0755);
    if (mount("proc", "/proc", "proc", 0, NULL) != 0) {
        perror("mount /proc");
        return -1;
    }
    struct stat st;
    int waited = 0;
    while (stat("/sys/block/sda", &st) != 0) {
        if (++waited > 600) {           /* 60 s: under -icount probing is slow */
            printf("bench: disk: no /sys/block/sda after 60 s (no AHCI disk, or no driver)\n");
            return -1;
        }
        usleep(100000);
    }
    if (mknod("/dev/sda", S_IFBLK | 0600, makedev(8, 0)) != 0 && errno != EEXIST) {
        perror("mknod /dev/sda");
        return -1;
    }
    mkdir("/mnt", 0755);
    if (mount("/dev/sda", "/mnt", "ext4", 0, NULL) != 0 || chdir("/mnt") != 0) {
        printf("bench: disk: mounting /dev/sda as ext4 failed: %s\n", strerror(errno));
        return -1;
    }
    printf("bench: disk: ext4 on /dev/sda mounted after %d ms\n", waited * 100);
    return 0;
}

/* The same loop as p-bench-compute.cc. */
__attribute__((noinline)) static uint64_t work(uint64_t n, uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t i = 0; i < n; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

static void bench_compute(const char* name, long hz) {
    enum { CTRIALS = 7 };
    const uint64_t steps = 20000000;
    uint64_t per[CTRIALS], counts[CTRIALS];
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    if (hz > 0) {
        struct itimerval it;
        it.it_interval.tv_sec = 0;
        it.it_interval.tv_usec = 1000000 / hz;
        it.it_value = it.it_interval;
        setitimer(ITIMER_REAL, &it, NULL);
    }
    uint64_t sink = work(steps / 10, 1);
    for (int t = 0; t < CTRIALS; ++t) {
        sig_atomic_t s0 = signals;
        uint64_t s = rdtsc();
        sink += work(steps, sink);
        per[t] = rdtsc() - s;
        counts[t] = signals - s0;
    }
    struct itimerval off;
    memset(&off, 0, sizeof(off));
    setitimer(ITIMER_REAL, &off, NULL);
    report(name, per, CTRIALS, 1);
    printf("bench: %s-signals median_count %lu sink %lu\n", name,
           (unsigned long) median(counts, CTRIALS), (unsigned long) (sink & 0xFF));
    fflush(stdout);
}

static long timer_hz = 10000;
static void bench_compute_plain(void) {
    bench_compute("compute-loop", 0);
}
static void bench_compute_timer(void) {
    bench_compute("compute-loop-timer", timer_hz);
}

/* Every benchmark, in the order run. The pipe rows and yield come last:
 * they pin this process to CPU 0. */
static const struct {
    const char* what;
    void (*run)(void);
} benchmarks[] = {
    {"syscall-getpid", bench_getpid},
    {"signal-roundtrip", bench_signal},
    {"fork-exit-waitpid", bench_fork},
    {"fork-exec-exit-waitpid", bench_exec},
    {"uthread-switch", bench_uthread_switch},
    {"thread-create-join", bench_thread_create},
    {"kthread-create-join", bench_kthread_create},
    {"compute-loop", bench_compute_plain},
    {"compute-loop-timer", bench_compute_timer},
    {"pipe-pingpong", bench_pipe_pingpong},
    {"pipe-throughput", bench_pipe_throughput},
    {"yield-switch", bench_yield},
};

/* Guest only: the kernel's release and what it reports for each CPU
 * vulnerability (which mitigations it runs with), from sysfs. */
static void report_kernel(void) {
    struct utsname u;
    if (uname(&u) == 0) {
        printf("bench: linux-release %s\n", u.release);
    }
    mkdir("/sys", 0755);
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) {
        perror("mount /sys");
        return;
    }
    const char* dir = "/sys/devices/system/cpu/vulnerabilities";
    DIR* d = opendir(dir);
    struct dirent* e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[512], text[256] = "";
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE* f = fopen(path, "r");
        if (f && fgets(text, sizeof(text), f)) {
            text[strcspn(text, "\n")] = 0;
            printf("bench: linux-vulnerability %s: %s\n", e->d_name, text);
        }
        if (f) {
            fclose(f);
        }
    }
    if (d) {
        closedir(d);
    }
    fflush(stdout);
}

/* Guest only: end QEMU through isa-debug-exit (port 0xf4): it exits with
 * status (value << 1) | 1, so 0x10 gives 33 and 0x11 gives 35, the
 * harness's pass and fail. If that fails, power off (QEMU exits too). */
static void guest_exit(int ok) {
    fflush(stdout);
    tcdrain(STDOUT_FILENO);     /* the serial driver's buffer too (the smp2
                                 * guest lost its last line without it) */
    if (ioperm(0xf4, 4, 1) == 0) {
        outb(ok ? 0x10 : 0x11, 0xf4);
    }
    perror("isa-debug-exit");
    sync();
    syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL);   /* power off */
    for (;;) {
        pause();
    }
}

int main(int argc, char** argv) {
    guest = getpid() == 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* The timer rate is the last argument. As the guest's init, the
     * arguments are the words after "--" on the kernel's command line, after
     * any the kernel did not recognise (such as nokaslr). */
    if (argc > 1) {
        timer_hz = atol(argv[argc - 1]);
    }
    int disk = 0;           /* the disk guest: the fs rows only, on ext4 */
    int smp2 = 0;           /* the smp2 guest: the two-CPU row only */
    for (int i = 1; i < argc; ++i) {
        disk |= strcmp(argv[i], "disk") == 0;
        smp2 |= strcmp(argv[i], "smp2") == 0;
    }
    if (guest) {
        printf("bench: linux-guest start, timer %ld Hz%s\n", timer_hz,
               disk ? ", disk" : smp2 ? ", smp2" : "");
        report_kernel();
    }
    tsc_rate();
    if (guest && disk) {
        if (fs_guest_setup() != 0) {
            fail();
        }
        bench_fs();
    } else if (guest && smp2) {
        bench_wake_other();
    } else {
        for (size_t i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); ++i) {
            benchmarks[i].run();
        }
        if (!guest) {
            bench_wake_other();
            bench_fs_native();
        }
    }
    if (guest) {
        printf("bench: linux-guest done\n");
        guest_exit(1);
    }
    return 0;
}
