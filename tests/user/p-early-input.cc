// p-early-input.cc — serial input that arrives before anything reads it
// (here: before the kernel even starts, as with `printf '...' | make run`)
// waits in the line discipline and is read in full, in order. The input is
// longer than the UART's 16-byte FIFO and QEMU's 32-byte mux buffer, so a
// byte dropped at UART set-up would also hold back all the bytes behind it.
//! input: first line typed before boot\rsecond: 0123456789abcdefghij\rthird, with a tab\there\r\rlast\r\x04
#include "u-lib.hh"

namespace {
const char* const expected[] = {
    "first line typed before boot\n",
    "second: 0123456789abcdefghij\n",
    "third, with a tab\there\n",
    "\n",
    "last\n",
};
}  // namespace

void process_main() {
    char buf[128];
    for (const char* want : expected) {
        ssize_t n = sys_read(0, buf, sizeof(buf) - 1);
        assert_gt(n, 0);
        buf[n] = '\0';
        if (strcmp(buf, want) != 0) {
            panic("read '%s', expected '%s'", buf, want);
        }
    }
    assert_eq(sys_read(0, buf, sizeof(buf)), 0);   // Ctrl-D: end of file
    printf("early-input succeeded!\n");
}
