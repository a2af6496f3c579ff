// p-hello.cc — the smallest complete program: proves the user toolchain.
#include "u-lib.hh"

void process_main() {
    pid_t pid = sys_getpid();
    console_printf(CS_WHITE "hello from PID %d" CS_NORMAL "\n", pid);
    printf("hello from PID %d (printf)\n", pid);
    sys_exit(0);
}
