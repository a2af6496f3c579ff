// p-toprip.cc — a process cannot make the kernel return to a RIP past the
// user half, through either system-call path.
//
// A program may map the top page of the user half with sys_page_alloc. On
// a CPU without NX that page is executable, so the program can put
// `syscall` in its last two bytes: the saved return address is then
// 0x800000000000, one past the half. sysret must not go there (on Intel
// it faults in ring 0), and neither may iretq (it faults in ring 0 too,
// after swapgs has loaded the user's GS). The kernel refuses such a return
// and kills the process with #GP's status instead. Three children try it:
// sys_getpid and sys_gettid (the fast path in kernel/arch/syscall.S, which
// must check RCX itself) and sys_yield (the slow path: syscall_handler and
// return_to_user). QEMU's TCG faults neither on that sysretq nor on the
// iretq, so what tells a correct kernel apart is who reports it: the
// kernel's own message below, not a user-mode #GP at that RIP (status 141
// either way). The children are pids 3, 4, 5 (pids are handed out in
// order; the test checks it), so each has its own expected line.
//! qemu: -cpu max,nx=off
//! expect: paging: NX absent
//! expect: process 3 \(toprip\) killed: return to rip 0x800000000000, past the user half
//! expect: process 4 \(toprip\) killed: return to rip 0x800000000000, past the user half
//! expect: process 5 \(toprip\) killed: return to rip 0x800000000000, past the user half
#include "test-util.hh"
#include "abi/syscalls.hh"

namespace {
uint64_t call_number;

void syscall_at_the_top() {
    assert_eq(sys_page_alloc(reinterpret_cast<void*>(VA_LOWEND - PAGESIZE)), 0);
    auto* code = reinterpret_cast<unsigned char*>(VA_LOWEND - 2);
    code[0] = 0x0F;                     // syscall
    code[1] = 0x05;
    asm volatile("jmp *%0" : : "r"(code), "a"(call_number) : "memory");
    __builtin_unreachable();
}
}  // namespace

void process_main() {
    assert_eq(sys_getpid(), 2);
    const uint64_t numbers[] = {SYSCALL_GETPID, SYSCALL_GETTID, SYSCALL_YIELD};
    for (uint64_t n : numbers) {
        call_number = n;
        assert_eq(child_status(syscall_at_the_top), 128 + 13);
    }
    console_printf("toprip succeeded!\n");
    sys_exit(0);
}
