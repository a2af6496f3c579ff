// p-hostile-race-disk.cc — hostile-race.hh's four racing processes on the
// disk root: the directory, the inode table and the free-block bitmap
// under create, rename, unlink and truncate from several CPUs at once.
// Every result is a documented one, every file left is whole, no block
// reference leaks (sys_sync(2)) and the disk is clean (fsck).
// Before open_entry made the vnode under the directory lock, a create or
// open racing an unlink of the same name failed with E_IO about one run
// in two at 4 CPUs (the race p-hostile-open-race-disk isolates).
//! disk: yes
//! fsck: yes
//! ncpu: 1 4
//! timeout: 60
#include "hostile-race.hh"

void process_main() {
    hostile_race::run_all(true, 400);
    printf("hostile-race-disk succeeded!\n");
}
