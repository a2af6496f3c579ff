// p-true.cc — `true`: exits with status 0.
#include "u-lib.hh"

void process_main() {
    sys_exit(0);
}
