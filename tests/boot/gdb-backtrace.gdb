# Run by gdb.test after `nuthatch-connect PORT`. QEMU is stopped at the
# reset vector with paging off, so the breakpoint must be a hardware one.
hbreak ktest_find
continue
backtrace
detach
