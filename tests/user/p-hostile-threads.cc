// p-hostile-threads.cc — threads of one program pulling descriptors,
// images and the process out from under each other, on the memory root
// (hostile-threads.hh has the cases): close and dup2 over a descriptor
// another thread is blocked reading, two threads reaping one child, failed
// execs (bad ELF, bad or too many arguments, a bss larger than memory)
// that must leave the other threads running, sys_exit while threads are
// in the middle of 192 KiB reads and writes, pipes until the descriptor
// table is full. Nothing leaks: free pages after a second round equal
// those after the first.
//! ncpu: 1 4
//! mem: 32M
//! timeout: 60
#include "hostile-threads.hh"

void process_main() {
    hostile_threads::run_all(false);
    printf("hostile-threads succeeded!\n");
}
