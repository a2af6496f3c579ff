// p-hostile-threads-disk.cc — hostile-threads.hh's cases on the disk root
// (obj/disk.img): above all sys_exit while threads are in the middle of
// reading and writing a disk file (and readdiskfile) on other CPUs. The
// block cache leaks no reference (sys_sync(2)) and the disk is clean.
//! disk: yes
//! fsck: yes
//! ncpu: 1 4
//! mem: 32M
//! timeout: 60
#include "hostile-threads.hh"

void process_main() {
    hostile_threads::run_all(true);
    printf("hostile-threads-disk succeeded!\n");
}
