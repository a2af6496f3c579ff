// p-umip.cc — user mode cannot read where the kernel keeps its descriptor
// tables: with UMIP on (the kernel turns it on where the CPU has it), sgdt
// and sidt fault with #GP and the process dies alone (status 128 + 13).
// Each is tried in its own child.
//! expect: paging: .*UMIP on
//! expect: process \d+ \(umip\) killed: general protection
#include "u-lib.hh"

namespace {
struct __attribute__((packed)) table_register {
    uint16_t limit;
    uint64_t base;
};

int try_in_child(void (*fn)()) {
    pid_t child = sys_fork();
    assert_ge(child, 0);
    if (child == 0) {
        fn();
        sys_exit(0);        // the instruction worked: UMIP is off
    }
    int status = -1;
    assert_eq(sys_waitpid(child, &status), child);
    return status;
}

void do_sgdt() {
    table_register r;
    asm volatile("sgdt %0" : "=m"(r));
}

void do_sidt() {
    table_register r;
    asm volatile("sidt %0" : "=m"(r));
}
}  // namespace

void process_main() {
    assert_eq(try_in_child(do_sgdt), 128 + 13);
    assert_eq(try_in_child(do_sidt), 128 + 13);
    console_printf("umip succeeded!\n");
    sys_exit(0);
}
