// p-thread-hostile.cc — bad arguments to sys_clone. A stack top outside
// the user half (0, the first page, past VA_LOWEND, the kernel,
// non-canonical) is refused with E_FAULT and nothing starts. A stack top
// in the user half that is not mapped, or a function pointer into the
// kernel or at 0, is the program's business: the new thread faults, and
// its whole process dies of it (142, #PF) — its other threads too — while
// the parent and the kernel carry on.
//! ncpu: 1 2 4
//! lab: threads 10
#include <atomic>
#include "test-util.hh"
#include "thread-util.hh"
#include "u-lib.hh"

namespace {

int never(void*) {
    panic("a refused clone ran its function");
}

// The raw call (no user-library wrapper): the new thread would start on
// `stack_top` right after the syscall instruction.
pid_t raw_clone(uintptr_t stack_top) {
    return pid_t(make_syscall(SYSCALL_CLONE, stack_top));
}

void unmapped_stack() {
    // Mapped pages stop well below this; the new thread's first push faults.
    assert_gt(sys_clone(never, nullptr, reinterpret_cast<char*>(0x7000'0000'0000)), 0);
    sys_msleep(1000000);                // ended by the other thread's fault
}

void kernel_function() {
    auto fn = reinterpret_cast<int (*)(void*)>(0xFFFFFFFF80100000);
    assert_gt(sys_clone(fn, nullptr, thread_stack()), 0);
    for (;;) {
        sys_yield();                    // ended by the other thread's fault
    }
}

void null_function() {
    assert_gt(sys_clone(nullptr, nullptr, thread_stack()), 0);
    for (;;) {
        asm volatile("pause");          // ended (in user mode) by the fault
    }
}

}  // namespace

void process_main() {
    char* good = thread_stack();
    const uintptr_t bad[] = {0, 1, PAGESIZE, USER_TEXT_BASE, VA_LOWEND + 16,
                             0xFFFFFFFF80100000, 0xFFFF800000000000,
                             0x0000900000000000, ~uintptr_t(0)};
    for (uintptr_t top : bad) {
        assert_eq(sys_clone(never, nullptr, reinterpret_cast<char*>(top)), E_FAULT);
        assert_eq(raw_clone(top), E_FAULT);
    }
    (void) good;
    assert_eq(child_status(unmapped_stack), 142);
    assert_eq(child_status(kernel_function), 142);
    assert_eq(child_status(null_function), 142);
    // Still fine: a good clone works.
    static std::atomic<int> ran{0};
    assert_gt(sys_clone([](void*) -> int { ++ran; return 0; }, nullptr, good), 0);
    wait_for_count(ran, 1);
    printf("thread-hostile succeeded!\n");
}
