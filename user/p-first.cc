// p-first.cc — the program of docs/first-program.md (the guide shows this
// file whole; tests/tools/test_docs.py checks they agree, and
// tests/boot/first.test runs it). Easy to get wrong: edit both together.
#include "u-lib.hh"

void process_main(int argc, char** argv) {
    printf("%s: %d argument(s), pid %d\n", argv[0], argc, sys_getpid());

    pid_t child = sys_fork();
    if (child < 0) {
        panic("fork failed: %d", child);        // negative = an E_ error
    }
    if (child == 0) {
        console_printf(CS_GREEN "child %d says hello on the screen\n" CS_NORMAL,
                       sys_getpid());
        sys_exit(7);
    }

    int status = -1;
    pid_t who = sys_waitpid(child, &status);
    assert_eq(who, child);
    printf("child %d exited with status %d\n", who, status);
    // Returning from process_main is sys_exit(0).
}
