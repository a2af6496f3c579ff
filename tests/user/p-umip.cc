// p-umip.cc — user mode cannot read where the kernel keeps its descriptor
// tables: with UMIP on (the kernel turns it on where the CPU has it), sgdt
// and sidt fault with #GP and the process dies alone (status 128 + 13).
// Each is tried in its own child (exit status 0 would mean it worked).
//! expect: paging: .*UMIP on
//! expect: process \d+ \(umip\) killed: general protection
#include "test-util.hh"

namespace {
struct __attribute__((packed)) table_register {
    uint16_t limit;
    uint64_t base;
};

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
    assert_eq(child_status(do_sgdt), 128 + 13);
    assert_eq(child_status(do_sidt), 128 + 13);
    console_printf("umip succeeded!\n");
    sys_exit(0);
}
