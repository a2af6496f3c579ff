// p-stack-heap.cc — the user address space has Chickadee's layout: the
// initial stack is the page [0x2FF000, 0x300000) with RSP just under
// 0x300000 at entry; a heap grows page by page from round_up(end) right up
// to the stack page without disturbing it; the last user page,
// VA_LOWEND - PAGESIZE, is an ordinary page sys_page_alloc maps (coursework
// fills it with '-' and reads and writes through it); and a program may
// even replace its own stack page (its own business, as in Chickadee).
#include "test-util.hh"

extern uint8_t end[];

namespace {

uintptr_t entry_rsp;

// Runs on a heap stack: replaces the stack page, which must come back
// fresh and zeroed (the argument strings that were at its top are gone).
[[noreturn]] void replace_stack_page() {
    int r = sys_page_alloc(reinterpret_cast<void*>(USER_STACK_PAGE));
    auto* top = reinterpret_cast<volatile uint64_t*>(USER_STACK_TOP - 8);
    sys_exit(r == 0 && *top == 0 ? 0 : 1);
}

}  // namespace

void process_main() {
    entry_rsp = rdrsp();
    assert_lt(entry_rsp, uintptr_t(0x300000));
    assert_gt(entry_rsp, uintptr_t(0x300000 - 1024));

    // The page just below VA_LOWEND: mapped, filled, read back.
    auto* last = reinterpret_cast<char*>(VA_LOWEND - PAGESIZE);
    assert_eq(sys_page_alloc(last), 0);
    memset(last, '-', PAGESIZE);
    for (size_t i = 0; i < PAGESIZE; i += 512) {
        assert_eq(last[i], '-');
    }
    last[PAGESIZE - 1] = '!';
    assert_eq(last[PAGESIZE - 1], '!');
    assert_eq(sys_write(1, last, 0), 0);
    assert_eq(sys_write(1, last + PAGESIZE - 1, 0), 0);

    // A heap from round_up(end) to the stack page, one page at a time.
    uintptr_t heap = round_up(reinterpret_cast<uintptr_t>(end), PAGESIZE);
    uintptr_t top = heap;
    for (; top < USER_STACK_PAGE; top += PAGESIZE) {
        assert_eq(sys_page_alloc(reinterpret_cast<void*>(top)), 0);
        auto* w = reinterpret_cast<uint64_t*>(top);
        assert_eq(w[0], 0u);
        w[0] = top;
        w[PAGESIZE / 8 - 1] = ~top;
    }
    assert_eq(top, uintptr_t(USER_STACK_PAGE));
    assert_ge((top - heap) / PAGESIZE, size_t(400));
    for (uintptr_t p = heap; p < top; p += PAGESIZE) {
        auto* w = reinterpret_cast<uint64_t*>(p);
        assert_eq(w[0], p);
        assert_eq(w[PAGESIZE / 8 - 1], ~p);
    }
    // The stack is still this program's stack.
    volatile int on_stack = 42;
    uintptr_t a = reinterpret_cast<uintptr_t>(&on_stack);
    assert(a >= USER_STACK_PAGE && a < USER_STACK_TOP);
    assert_eq(on_stack, 42);
    assert_eq(last[0], '-');

    // A child replaces its own stack page while running on a heap page.
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        uintptr_t sp = top - 64;
        asm volatile("movq %0, %%rsp\n\tcall *%1" : : "r"(sp), "r"(replace_stack_page)
                     : "memory");
        __builtin_unreachable();
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    assert_eq(status, 0);
    console_printf("stack-heap: %lu heap pages below the stack\n",
                   (unsigned long) ((top - heap) / PAGESIZE));
    console_printf("stack-heap succeeded!\n");
}
