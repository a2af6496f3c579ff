// p-toprip.cc — a process cannot make the kernel return to a RIP past the
// user half.
//
// A program may map the top page of the user half with sys_page_alloc. On
// a CPU without NX that page is executable, so the program can put
// `syscall` in its last two bytes: the
// saved return address is then 0x800000000000, one past the half. sysret
// must not go there (it would fault in ring 0), and neither may iretq (it
// faults in ring 0 too, after swapgs has loaded the user's GS). The kernel
// refuses such a return and kills the process with #GP's status instead.
// QEMU's TCG does not fault on the iretq itself, so what tells the fixed
// kernel apart is who reports it: the kernel's own message below, not a
// user-mode #GP at that RIP.
//! qemu: -cpu max,nx=off
//! expect: paging: NX absent
//! expect: process \d+ \(toprip\) killed: return to rip 0x800000000000, past the user half
#include "test-util.hh"
#include "abi/syscalls.hh"

namespace {
void syscall_at_the_top() {
    assert_eq(sys_page_alloc(reinterpret_cast<void*>(VA_LOWEND - PAGESIZE)), 0);
    auto* code = reinterpret_cast<unsigned char*>(VA_LOWEND - 2);
    code[0] = 0x0F;                     // syscall
    code[1] = 0x05;
    asm volatile("jmp *%0" : : "r"(code), "a"(uint64_t(SYSCALL_GETPID)) : "memory");
    __builtin_unreachable();
}
}  // namespace

void process_main() {
    assert_eq(child_status(syscall_at_the_top), 128 + 13);
    console_printf("toprip succeeded!\n");
    sys_exit(0);
}
