// p-hostile-fs-disk.cc — hostile-fs.hh's cases against the disk root
// (chickadeefs on obj/disk.img): the same names, renames, unlinks of open
// and running files, offsets at and past the 4 GiB - 1 limit, read-only
// buffers (readdiskfile too) and bad exec files. sys_sync(2) finds no
// leaked block reference and the disk left behind is clean.
//! disk: yes
//! fsck: yes
//! mem: 32M
//! timeout: 60
#include "hostile-fs.hh"

void process_main(int argc, char** argv) {
    hostile_fs::run_all({true, off_t(0xFFFFFFFF)}, argc, argv);
    printf("hostile-fs-disk succeeded!\n");
}
