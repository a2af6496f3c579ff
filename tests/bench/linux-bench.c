/* linux-bench.c — the Linux side of `make bench`: the same operations as
 * Nuthatch's user/p-bench-*.cc, measured natively on the host, printed in
 * the same `bench: NAME median_cycles N ...` form (TSC cycles per
 * operation, median of several trials) for scripts/bench.py.
 *
 *   syscall-getpid       syscall(SYS_getpid) round trip
 *   yield-switch         two processes pinned to one CPU alternating with
 *                        sched_yield; per switch (2 per parent iteration)
 *   fork-exit-waitpid    fork, child _exit(0), parent waitpid
 *   signal-roundtrip     raise(SIGUSR1) -> empty handler -> return
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
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
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

static void bench_getpid(void) {
    enum { ITERS = 200000 };
    uint64_t per[TRIALS];
    for (int i = 0; i < 10000; ++i) {
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
    enum { ITERS = 50000 };
    uint64_t per[TRIALS];
    pin_to_cpu0();          /* inherited by the child */
    int go[2];
    if (pipe(go) != 0) {
        perror("pipe");
        exit(1);
    }
    pid_t child = fork();
    if (child == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) {
            _exit(1);
        }
        for (long i = 0; i < (long) (TRIALS + 1) * ITERS + 5000; ++i) {
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

static void bench_fork(void) {
    enum { ITERS = 200 };
    uint64_t per[TRIALS];
    for (int t = -1; t < TRIALS; ++t) {
        uint64_t s = rdtsc();
        for (int i = 0; i < ITERS; ++i) {
            pid_t p = fork();
            if (p == 0) {
                _exit(0);
            }
            int status;
            waitpid(p, &status, 0);
        }
        if (t >= 0) {
            per[t] = (rdtsc() - s) / ITERS;
        }
    }
    report("fork-exit-waitpid", per, TRIALS, ITERS);
}

static volatile sig_atomic_t signals;
static void on_signal(int sig) {
    (void) sig;
    ++signals;
}

static void bench_signal(void) {
    enum { ITERS = 50000 };
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

int main(int argc, char** argv) {
    long hz = argc > 1 ? atol(argv[1]) : 10000;
    setvbuf(stdout, NULL, _IOLBF, 0);
    tsc_rate();
    bench_getpid();
    bench_signal();
    bench_fork();
    bench_compute("compute-loop", 0);
    bench_compute("compute-loop-timer", hz);
    bench_yield();      /* last: pins this process to CPU 0 */
    return 0;
}
