// p-false.cc — `false`: exits with status 1.
#include "u-lib.hh"

void process_main() {
    sys_exit(1);
}
