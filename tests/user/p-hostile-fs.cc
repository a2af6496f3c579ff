// p-hostile-fs.cc — a hostile program against the memory root file system
// (hostile-fs.hh has the cases): path and name lengths at and one past
// their limits, odd bytes in names, trailing slashes, renames onto
// themselves and of open files, unlinks of open files and of a running
// program's file, sizes and offsets at and past the 64 MiB limit and
// negative, buffers that run from a read-only page into a writable one
// (read, readdir, pipe, getusage, waitpid's status), exec of cut and
// hostile ELF files, of a program needing more memory than there is, and
// of programs with long names. Free pages come back exactly.
//! mem: 32M
//! timeout: 60
#include "hostile-fs.hh"

void process_main(int argc, char** argv) {
    hostile_fs::run_all({false, off_t(64) << 20}, argc, argv);
    printf("hostile-fs succeeded!\n");
}
