// p-pipe-stress-long.cc — the long pipe stress (not run by make check):
// 32 MiB through a generator and 4 stages, as tests/user/p-pipe-stress.cc
// does with 1 MiB. `make stress-pipes` boots it on 4 CPUs under the
// harness (QEMU exits 33 when it passes).
#include "../tests/user/pipe-stress.hh"

void process_main() {
    pipe_stress::run("pipe-stress-long", size_t(32) << 20, 4);
}
