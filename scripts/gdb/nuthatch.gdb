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
# Helper commands: written in Python, in nuthatch.py next to this file.
#   nuthatch-user NAME   load obj/user/NAME's symbols (one program at a time)
#   nuthatch-cpus        every CPU: gdb thread, LAPIC id, mode, current task, ticks, run queue
#   nuthatch-current     the task on the selected CPU (`thread N`)
#   nuthatch-ps          the process table
#   nuthatch-runq [N]    CPU N's run queue
#   nuthatch-slots [PID] a process's activation slots
# `help user-defined` lists them; `help nuthatch-ps` etc. explain each.
#
# A gdb script cannot ask where it was read from, so nuthatch.py is found
# from gdb's own command line (the -ix/-x argument naming this file), then
# from $NUTHATCH_ROOT, then relative to the current directory.
python
import os as _os, sys as _sys
def _nuthatch_find_py():
    try:
        with open("/proc/self/cmdline", "rb") as f:
            words = [w.decode(errors="replace") for w in f.read().split(b"\0")]
    except OSError:
        words = _sys.argv
    for w in words:
        w = w.split("=", 1)[-1]
        if w.endswith("nuthatch.gdb") and _os.path.exists(w):
            yield _os.path.join(_os.path.dirname(_os.path.abspath(w)), "nuthatch.py")
    if _os.environ.get("NUTHATCH_ROOT"):
        yield _os.path.join(_os.environ["NUTHATCH_ROOT"], "scripts", "gdb", "nuthatch.py")
    yield _os.path.join("scripts", "gdb", "nuthatch.py")
for _p in _nuthatch_find_py():
    if _os.path.exists(_p):
        gdb.execute("source " + _p)
        break
else:
    print("nuthatch.gdb: cannot find nuthatch.py; helper commands not loaded")
end
