// p-threads.cc — demo: preemptive user-level threads (user/u-thread.hh).
// Three threads count in tight loops and never yield; the timer
// activation handler switches between them, so their lines interleave on
// the console. `make run-threads` (add KERNEL_ARGS=hz=1000 for finer
// interleaving). Printing is serialised by a uthread mutex.
#include "u-lib.hh"
#include "u-thread.hh"

namespace {
uthread_mutex print_lock;

void* worker(void* arg) {
    char name = char(uintptr_t(arg));
    unsigned long n = 0;
    for (int line = 0; line < 8; ++line) {
        for (unsigned long i = 0; i < 3000000UL; ++i) {
            n = n + 1;                  // pure computation, no yield
            asm volatile("" : "+r"(n));
        }
        uthread_mutex_lock(&print_lock);
        console_printf("thread %c: line %d (%lu iterations, %lu preemptions so far)\n",
                       name, line, n, (unsigned long) uthread_preemptions());
        uthread_mutex_unlock(&print_lock);
    }
    return nullptr;
}
}  // namespace

void process_main() {
    console_printf("threads: three CPU-bound user threads, preempted by activations\n");
    uthread* t[3];
    for (int i = 0; i < 3; ++i) {
        int r = uthread_create(&t[i], worker, reinterpret_cast<void*>(uintptr_t('A' + i)));
        assert_eq(r, 0);
    }
    for (auto* th : t) {
        uthread_join(th, nullptr);
    }
    console_printf("threads: all done after %lu preemptions\n",
                   (unsigned long) uthread_preemptions());
}
