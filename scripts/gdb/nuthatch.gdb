# nuthatch.gdb — gdb set-up and helper commands for Nuthatch.
#
# Loaded with `gdb -ix scripts/gdb/nuthatch.gdb` (as `make gdb` does), so
# gdb's auto-load safe-path never has a say. Start QEMU with `make run-gdb`
# in one terminal, then `make gdb` in another.
#
# Easy to get wrong: QEMU starts the CPU in 16/32-bit mode and the kernel
# switches to 64-bit later. If gdb guesses the architecture from that first
# state it later fails with "Remote 'g' packet reply is too long". So the
# architecture is fixed to x86-64 *before* connecting. And before the boot
# code turns paging on, the kernel's high-half addresses do not exist, so a
# software breakpoint (which gdb writes into memory) cannot be planted
# there: use `hbreak` for anything that runs early, or set breakpoints
# after the kernel is up.

set confirm off
set pagination off
set print pretty on
set disassembly-flavor att
set history save off

# nuthatch-connect PORT — attach to QEMU's gdb stub on localhost:PORT.
define nuthatch-connect
    set architecture i386:x86-64
    target remote localhost:$arg0
end
document nuthatch-connect
Attach to QEMU's gdb stub on localhost:PORT (make run-gdb prints PORT).
Fixes the architecture to i386:x86-64 first; see the top of nuthatch.gdb.
end

# ---------------------------------------------------------------------------
# Helper commands for kernel state go below this line, one `define` plus a
# `document` each, and each named `nuthatch-...` so `help user-defined`
# lists them together. Planned (see the tooling design): the current CPU,
# the current task, the run queues, a process's activation slots, and
# loading a user program's symbols (add-symbol-file obj/p-NAME.full).
# ---------------------------------------------------------------------------
