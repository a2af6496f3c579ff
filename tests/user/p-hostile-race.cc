// p-hostile-race.cc — four processes racing on five names of the memory
// root (hostile-race.hh): create, write, truncate, rename, unlink, read
// and exec at random. Every result is a documented one, every file left is
// whole, and the free pages come back.
//! ncpu: 1 4
//! timeout: 60
#include "hostile-race.hh"

void process_main() {
    hostile_race::run_all(false, 400);
    printf("hostile-race succeeded!\n");
}
