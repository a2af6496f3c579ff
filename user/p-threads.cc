// p-threads.cc — demo: preemptive user-level threads (user/u-thread.hh) on
// a pool of kernel threads, one per CPU (uthread_pool_start() asks
// sys_ncpu). Six threads count in tight loops and never yield; the timer
// activations of every kernel thread of the pool switch between them, and
// an idle kernel thread takes whatever is runnable, so user threads spread
// over the kernel threads and the CPUs (`make run-threads NCPU=4`). Each
// line names the kernel thread (its id) and the CPU (its APIC id, from the
// unprivileged CPUID instruction) the user thread is running on right now;
// the summary lists every kernel thread each one ran on. Printing is
// serialised by a uthread mutex. KERNEL_ARGS=hz=1000 switches more often.
#include "u-lib.hh"
#include "u-thread.hh"

namespace {
constexpr int NTHREADS = 6;
uthread_mutex print_lock;

// The kernel thread id of pool member with control block `k`.
pid_t tid_of_block(int k) {
    for (int m = 0; m < uthread_pool_size(); ++m) {
        if (uthread_pool_kthread(m) == k) {
            return uthread_pool_tid(m);
        }
    }
    return -1;
}

// The APIC id of the CPU running the caller (CPUID leaf 1, EBX[31:24]).
int cpu_apic_id() {
    uint32_t a = 1, b, c = 0, d;
    asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return int(b >> 24);
}

void* worker(void* arg) {
    char name = char(uintptr_t(arg));
    unsigned long n = 0;
    for (int line = 0; line < 6; ++line) {
        for (unsigned long i = 0; i < 3000000UL; ++i) {
            n = n + 1;                  // pure computation, no yield
            asm volatile("" : "+r"(n));
        }
        uthread_mutex_lock(&print_lock);
        console_printf("thread %c: line %d on kernel thread %d, CPU %d (%lu preemptions so far)\n",
                       name, line, tid_of_block(uthread_kthread()), cpu_apic_id(),
                       (unsigned long) uthread_preemptions());
        uthread_mutex_unlock(&print_lock);
    }
    return nullptr;
}
}  // namespace

void process_main() {
    int r = uthread_pool_start();       // one kernel thread per CPU
    assert_eq(r, 0);
    console_printf("threads: %d CPUs; %d CPU-bound user threads on %d kernel threads (ids",
                   sys_ncpu(), NTHREADS, uthread_pool_size());
    for (int m = 0; m < uthread_pool_size(); ++m) {
        console_printf(" %d", uthread_pool_tid(m));
    }
    console_printf("), preempted by activations\n");
    uthread* t[NTHREADS];
    for (int i = 0; i < NTHREADS; ++i) {
        r = uthread_create(&t[i], worker, reinterpret_cast<void*>(uintptr_t('A' + i)));
        assert_eq(r, 0);
    }
    for (int i = 0; i < NTHREADS; ++i) {
        uthread_join(t[i], nullptr);
        unsigned mask = uthread_kthread_mask(t[i]);     // kept after the join
        console_printf("threads: thread %c ran on kernel threads", 'A' + i);
        for (int k = 0; k < 32; ++k) {
            if (mask & (1U << k)) {
                console_printf(" %d", tid_of_block(k));
            }
        }
        console_printf("\n");
    }
    console_printf("threads: all done after %lu preemptions\n",
                   (unsigned long) uthread_preemptions());
}
