// p-pipe-stress.cc — 1 MiB through a chain of 5 processes (a generator
// and 4 stages) connected by pipes, checksum checked (pipe-stress.hh).
// On 4 CPUs the stages run in parallel, so wake-ups cross CPUs all the
// time; a lost wake-up hangs the test, a race in the ring corrupts the
// checksum. The long version (32 MiB, ~a minute) is the program
// user/p-pipe-stress-long.cc: `make stress-pipes`.
//! timeout: 60
//! lab: files 10
#include "pipe-stress.hh"

void process_main() {
    pipe_stress::run("pipe-stress", size_t(1) << 20, 4);
}
