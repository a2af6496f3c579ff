// p-true.cc — `true`: exits with status 0 at once (also the program
// p-bench-exec runs).
#include "u-lib.hh"

void process_main() {
    sys_exit(0);
}
