// p-killkey.cc — Ctrl-P lists processes and Ctrl-K kills one, typed on the
// serial console while this program's children are stuck: one spinning in
// user mode (on another CPU when there are several), one asleep, one
// blocked reading the console, one a zombie. Each killed child is reaped
// with status 137; the zombie and init cannot be killed. (The sleeper
// may be listed runnable or running: every tick wakes it to re-check.)
//! input-after: ^killkey: children ready$
//! input: \x10\x0b3\r\x0b4\r\x0b5\r\x0b6\r\x0b1\r\x0b\x1b\x10
//! expect: ^ +3 +2 +(running|runnable) +\d+ +killkey$
//! expect: ^ +4 +2 +(blocked|runnable|running) +\d+ +killkey$
//! expect: ^ +6 +2 +zombie +\d+ +killkey$
//! expect: ^ +1 +0 +blocked +\d+ +init$
//! expect: ^kill: process 3 will be killed$
//! expect: ^kill: no running process 6$
//! expect: ^kill: 1 is not a user process$
//! expect: ^kill: cancelled$
//! expect: process 3 \(killkey\) killed: killed from the console
#include "u-lib.hh"

pid_t start(void (*fn)()) {
    pid_t pid = sys_fork();
    assert_ge(pid, 0);
    if (pid == 0) {
        fn();
        sys_exit(0);
    }
    return pid;
}

void spin() {
    for (;;) {
        asm volatile("" ::: "memory");
    }
}
void sleep_long() {
    sys_msleep(1000000);
    sys_exit(1);                // reached only if the kill did not happen
}
void read_console() {
    char buf[8];
    sys_read(0, buf, sizeof(buf));
    sys_exit(2);
}
void nothing() {
}

void process_main() {
    assert_eq(start(spin), 3);
    assert_eq(start(sleep_long), 4);
    assert_eq(start(read_console), 5);
    assert_eq(start(nothing), 6);
    sys_msleep(100);            // the zombie has exited, the others wait
    printf("killkey: children ready\n");
    for (pid_t pid = 3; pid <= 5; ++pid) {
        int status = -1;
        assert_eq(sys_waitpid(pid, &status), pid);
        assert_eq(status, 137);
    }
    int status = -1;
    assert_eq(sys_waitpid(6, &status), 6);
    assert_eq(status, 0);
    printf("p-killkey succeeded!\n");
}
