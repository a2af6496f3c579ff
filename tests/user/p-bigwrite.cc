// p-bigwrite.cc — one long write does not stop the clock.
//
// System calls run with interrupts off, and a console write takes
// microseconds a byte (an emulated UART), with the size up to the caller.
// The kernel lets pending interrupts in between chunks, so timer ticks keep
// coming during a 64 KiB write (about a tenth of a second under QEMU).
// Without that, no tick is taken until the call returns: at most one shows.
// One CPU: ticks are counted on CPU 0, which must be the writer's.
//! ncpu: 1
//! cmdline: hz=1000
#include "test-util.hh"

namespace {
char text[64 * 1024];
}  // namespace

void process_main() {
    for (size_t i = 0; i < sizeof(text); ++i) {
        text[i] = i % 64 == 63 ? '\n' : '.';
    }
    unsigned long before = ticks();
    ssize_t n = sys_write(1, text, sizeof(text));
    unsigned long during = ticks() - before;
    assert_eq(n, ssize_t(sizeof(text)));
    console_printf("\n64 KiB written; %lu ticks passed during the write\n", during);
    assert_ge(during, 3UL);
    console_printf("bigwrite succeeded!\n");
    sys_exit(0);
}
