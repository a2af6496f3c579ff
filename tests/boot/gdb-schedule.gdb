# Run by gdb-schedule.test: stop in cpustate::schedule, where the CPU runs
# on its own stack between tasks, and ask nuthatch-current about it.
hbreak cpustate::schedule
continue
continue
nuthatch-current
delete
detach
