// p-console-nx.cc — the console page, writable and shared by every
// process, is not executable (W^X): code planted there would run in every
// process that jumps to it. A child writes `mov $42, %eax; ret` just past
// the screen cells and calls it; the fetch faults (status 128 + 14) instead
// of returning 42.
//! expect: process \d+ \(console-nx\) killed: page fault at 0xb8fa0
#include "test-util.hh"

namespace {
void plant_and_call() {
    // Past the 80x25 cells, before cursorpos (0xB8FF8).
    auto* code = reinterpret_cast<volatile unsigned char*>(0xB8FA0);
    const unsigned char program[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};
    for (size_t i = 0; i < sizeof(program); ++i) {
        code[i] = program[i];
    }
    auto fn = reinterpret_cast<int (*)()>(0xB8FA0);
    sys_exit(fn());
}
}  // namespace

void process_main() {
    assert_eq(child_status(plant_and_call), 128 + 14);
    console_printf("console-nx succeeded!\n");
    sys_exit(0);
}
