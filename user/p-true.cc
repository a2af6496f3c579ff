// p-true.cc — exits 0 at once: the smallest program to exec, for
// p-bench-exec (and anyone who needs a program that does nothing).
#include "u-lib.hh"

void process_main() {
    sys_exit(0);
}
