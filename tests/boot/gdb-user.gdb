# Run by gdb-user.test after `nuthatch-connect PORT`. QEMU is stopped at
# the reset vector; the user program does not exist yet, so the first
# breakpoint in it must be a hardware one (gdb cannot write into pages
# that are not mapped).
nuthatch-user hello
hbreak process_main
continue
backtrace
nuthatch-current
nuthatch-cpus
nuthatch-ps
nuthatch-runq
nuthatch-slots
delete
# The program's sys_getpid (number 1) never reaches syscall_handler: it
# takes the fast path (kernel/arch/syscall.S), where a breakpoint stops
# with the user's RSP and RIP (in RCX) still live: the backtrace goes
# straight into process_main. (GSBASE is still the user's there, so the
# nuthatch-* helpers that find the CPU by it are not run.)
hbreak syscall_fast_getpid
continue
backtrace
delete
# Its console_printf ends in sys_serial_write (number 51), which does: a
# backtrace from the kernel through syscall_entry into the user program.
# The condition matters: a timer tick before the call enters the
# activation runtime, whose own system calls (sys_act_resume, sys_yield)
# would otherwise stop here first, with no process_main in the backtrace.
hbreak syscall_handler if regs->reg_rax == 51
continue
backtrace
nuthatch-current
delete
# A software breakpoint in user code: fine now that the program's pages
# are mapped (gdb writes it through the page table of the CPU it stopped on).
break p-hello.cc:7
continue
backtrace 1
delete
detach
