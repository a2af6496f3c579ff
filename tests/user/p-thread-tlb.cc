// p-thread-tlb.cc — sys_page_alloc over a page another thread is using on
// another CPU takes effect there before the call returns (TLB shootdown;
// docs/threads.md, the lock table).
//
// A forked child's second thread calls, in a tight loop, a function that
// is alone on a page of the program's text (`ret`, then zeros), followed by
// a page starting with `ud2`; so that CPU's TLB holds the page's
// executable translation. The first thread then calls sys_page_alloc on
// that page: the page becomes a zeroed, writable, not-executable page. The
// looping thread's next call must fault on the fetch (page fault: the
// process dies with 128 + 14). Through a stale TLB entry it would instead
// execute the zeroed page (`add %al,(%rax)`, with %rax pointing at a
// scratch buffer) up to the `ud2` on the next page (status 128 + 6).
// At 1 CPU both threads share the CPU and the caller's own invlpg covers
// it; at 2 and 4 CPUs only the shootdown does.
//! ncpu: 1 2 4
#include <atomic>
#include "thread-util.hh"
#include "u-lib.hh"

extern "C" void tlb_test_page();
asm(".pushsection .text.tlbtest, \"ax\", @progbits\n"
    ".balign 4096\n"
    ".globl tlb_test_page\n"
    "tlb_test_page:\n"
    "ret\n"
    ".balign 4096\n"
    "ud2\n"
    ".balign 4096\n"
    ".popsection");

namespace {

std::atomic<unsigned long> calls{0};
alignas(16) volatile uint8_t scratch[64];

int caller(void*) {
    for (;;) {
        asm volatile("call tlb_test_page" : : "a"(scratch) : "memory", "cc");
        calls.fetch_add(1, std::memory_order_relaxed);
    }
}

[[noreturn]] void child() {
    char* stack = thread_stack();
    assert(stack);
    assert_gt(sys_clone(caller, nullptr, stack), 0);
    while (calls.load() < 20000) {
        pause();
    }
    int r = sys_page_alloc(reinterpret_cast<void*>(&tlb_test_page));
    assert_eq(r, 0);
    // The caller thread should fault at once; this thread ends with it.
    for (int i = 0; i < 100; ++i) {
        sys_msleep(50);
    }
    sys_exit(99);                       // nothing happened in 5 s
}

}  // namespace

void process_main() {
    assert_eq(reinterpret_cast<uintptr_t>(&tlb_test_page) % PAGESIZE, 0U);
    for (int round = 0; round < 3; ++round) {
        pid_t c = sys_fork();
        assert_ge(c, 0);
        if (c == 0) {
            child();
        }
        int status = -1;
        assert_eq(sys_waitpid(c, &status), c);
        if (status != 128 + 14) {
            panic("round %d: the child ended with %d, not a page fault (142)%s", round,
                  status, status == 128 + 6 ? ": the thread ran the old page's mapping" : "");
        }
    }
    printf("thread-tlb succeeded!\n");
}
