// p-uthread-ncpu.cc — sys_ncpu and the user-thread pool's default size
// (docs/user-api.md, user/u-thread.hh).
//
//  1. sys_ncpu() is the number of CPUs of the machine (no `ncpu=` word is
//     given): the count CPUID reports, read here without the kernel
//     (leaf 0xB, logical processors at the core level: QEMU's -smp N gives
//     one socket of N cores), and it is the same on every call.
//  2. uthread_pool_start() with no argument makes a pool of one kernel
//     thread per CPU, and CPU-bound user threads on it run on every CPU:
//     each worker records the APIC id of the CPU it runs on (CPUID leaf 1,
//     EBX[31:24], unprivileged) until sys_ncpu() distinct ids have been
//     seen, or 20 s pass (then the check fails).
// The result depends on the CPU count: a pool of fixed size, or a
// sys_ncpu that did not count the CPUs, fails at 2 or 4 CPUs.
//! ncpu: 1 2 4
//! timeout: 60
#include <atomic>
#include "u-activation.hh"
#include "u-lib.hh"
#include "u-thread.hh"

namespace {

constexpr int NWORK = 12;

void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                 : "a"(leaf), "c"(sub));
}

// Logical processors in the package, by CPUID leaf 0xB (0 if unknown).
int cpuid_cpu_count() {
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 0xB) {
        return 0;
    }
    for (uint32_t sub = 0; sub < 8; ++sub) {
        cpuid(0xB, sub, r);
        uint32_t type = (r[2] >> 8) & 0xFF;
        if (type == 0) {
            break;
        }
        if (type == 2) {                // core level: every logical CPU
            return int(r[1] & 0xFFFF);
        }
    }
    return 0;
}

int apic_id() {
    uint32_t r[4];
    cpuid(1, 0, r);
    return int(r[1] >> 24);
}

std::atomic<uint64_t> seen[4];          // bit per APIC id (0..255)
std::atomic<int> nseen;
int want;
unsigned long deadline;

unsigned long now() {
    usage u;
    assert_eq(sys_getusage(&u), 0);
    return u.time;
}

void* worker(void*) {
    for (unsigned long i = 0; nseen.load() < want; ++i) {
        int a = apic_id();
        uint64_t bit = uint64_t(1) << (a % 64);
        if (!(seen[a / 64].fetch_or(bit) & bit)) {
            nseen.fetch_add(1);
        }
        if (i % 4096 == 0 && now() > deadline) {
            break;
        }
    }
    return nullptr;
}

}  // namespace

void process_main() {
    int n = sys_ncpu();
    assert_ge(n, 1);
    assert_le(n, 16);
    for (int i = 0; i < 100; ++i) {
        assert_eq(sys_ncpu(), n);
    }
    int counted = cpuid_cpu_count();
    assert(counted > 0, "CPUID leaf 0xB gives no CPU count");
    assert_eq(n, counted);

    assert_eq(uthread_pool_start(-1), E_INVAL);
    assert_eq(uthread_pool_start(ACT_MAX_THREADS + 1), E_INVAL);
    assert_eq(uthread_pool_start(), 0);
    assert_eq(uthread_pool_size(), n);
    for (int m = 0; m < n; ++m) {
        assert_ge(uthread_pool_kthread(m), 0);
        assert_gt(uthread_pool_tid(m), 0);
    }
    assert_eq(uthread_pool_start(), E_INVAL);       // once only

    want = n;
    deadline = now() + 20 * 100;        // ticks: 100 a second
    uthread* t[NWORK];
    for (int i = 0; i < NWORK; ++i) {
        assert_eq(uthread_create(&t[i], worker, nullptr), 0);
    }
    for (int i = 0; i < NWORK; ++i) {
        assert_eq(uthread_join(t[i], nullptr), 0);
    }
    if (nseen.load() != n) {
        panic("user threads ran on %d of the %d CPUs", nseen.load(), n);
    }
    printf("uthread-ncpu: %d CPUs, pool of %d, threads ran on all %d\n",
           n, uthread_pool_size(), nseen.load());
    printf("uthread-ncpu succeeded!\n");
}
