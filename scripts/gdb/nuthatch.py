# nuthatch.py — Nuthatch helper commands in gdb's Python API.
#
# Sourced by nuthatch.gdb (which gdb loads with -ix). Every command reads
# kernel state through the kernel's own debug information (obj/kernel.elf),
# so field offsets follow the source; nothing here hard-codes a struct
# layout except the activation segment's, which is ABI (abi/activation.h)
# and repeated below.
#
# Commands (see `help nuthatch-...` for each):
#   nuthatch-user NAME     load obj/user/NAME's symbols (one program at a time)
#   nuthatch-cpus          every CPU: gdb thread, LAPIC id, mode, current task, ticks, run queue
#   nuthatch-current       the task on the CPU gdb has selected (`thread N`)
#   nuthatch-ps            the process table
#   nuthatch-runq N        tasks waiting on CPU N's run queue
#   nuthatch-slots [PID]   a process's activation segment: busy slots, saved RIPs
#
# Easy to get wrong: QEMU shows each vCPU as a gdb thread, numbered in
# QEMU's order (thread N = QEMU CPU N-1), which need not be the kernel's CPU
# index. The commands identify a thread's CPU by its GSBASE (kernel mode)
# or KERNEL_GS_BASE (user mode, after swapgs), which point at its cpustate.

import os

import gdb

NUTHATCH_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KERNEL_DIRECT_BASE = 0xFFFF800000000000
PAGE_ADDR_MASK = 0x000FFFFFFFFFF000
PTE_P = 0x1
PTE_PS = 0x80

# abi/activation.h
ACTIVATION_SEGMENT_BASE = 0x3FE00000
ACT_FRAME_SIZE = 4096
ACT_NFRAMES = 512
ACT_MAGIC = 0x3174636168745548
ACT_HDR_MAGIC = 0
ACT_HDR_VERSION = 8
ACT_HDR_BUSY = 16
ACT_SLOT_RSP = 120
ACT_SLOT_RIP = 128
ACT_SLOT_GENERATION = 168

STATE_NAMES = {0: "blank", 1: "runnable", 2: "blocked", 3: "exited"}

_user_symbols = None        # path of the user program whose symbols are loaded


# --- reading memory -------------------------------------------------------

def _inferior():
    inf = gdb.selected_inferior()
    if inf is None or inf.pid == 0:
        raise gdb.GdbError("not attached to QEMU (use nuthatch-connect PORT)")
    return inf


def read_uint(addr, size=8):
    data = _inferior().read_memory(addr, size)
    return int.from_bytes(bytes(data), "little")


def field_offset(type_name, field):
    t = gdb.lookup_type(type_name)
    for f in t.fields():
        if f.name == field:
            return f.bitpos // 8
    raise gdb.GdbError(f"{type_name} has no field {field}")


def scalar(value):
    """An integer from a plain integer, a pointer or a std::atomic<...>."""
    t = value.type.strip_typedefs()
    if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_ENUM,
                  gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_PTR):
        return int(value)
    # std::atomic<T>: read its bytes.
    return read_uint(int(value.address), t.sizeof)


def c_string(ptr, limit=64):
    if int(ptr) == 0:
        return "(null)"
    try:
        return ptr.string()[:limit]
    except gdb.error:
        return f"<bad {int(ptr):#x}>"


# --- kernel objects -------------------------------------------------------

def cpus():
    return gdb.parse_and_eval("cpus")


def ncpu():
    return int(gdb.parse_and_eval("ncpu"))


def proc_ptr_type():
    return gdb.lookup_type("proc").pointer()


def list_walk(head_list, links_field, type_name="proc"):
    """The T* values on an intrusive list<T, &T::LINKS> (kernel/core/list.hh);
    T is proc unless `type_name` says otherwise (process for the table)."""
    head = head_list["head_"]
    head_addr = int(head.address)
    offset = field_offset(type_name, links_field)
    ptr_type = gdb.lookup_type(type_name).pointer()
    link = int(head["next_"])
    seen = 0
    while link != 0 and link != head_addr:       # all-zero list: empty
        p = gdb.Value(link - offset).cast(ptr_type)
        yield p
        link = read_uint(link + field_offset("list_links", "next_"))
        seen += 1
        if seen > 100000:
            raise gdb.GdbError("list does not end: corrupt?")


def process_table():
    for name in ("'(anonymous namespace)::process_table'", "process_table"):
        try:
            return gdb.parse_and_eval(name)
        except gdb.error:
            pass
    raise gdb.GdbError("no process_table symbol (kernel symbols loaded?)")


def process_name(proc_obj):
    """The program name of a `process` (dereferenced value)."""
    return c_string(proc_obj["program_"].address.cast(gdb.lookup_type("char").pointer()))


def proc_label(p):
    """A task's name; for a user thread, its program, pid and thread id."""
    if int(p) == 0:
        return "-"
    p = p.dereference()
    if bool(p["is_user_"]) and int(p["process_"]):
        pr = p["process_"].dereference()
        tid = int(p["id_"])
        pid = int(pr["id_"])
        return f"{process_name(pr)} (pid {pid}" + (f", tid {tid})" if tid != pid else ")")
    return f"{c_string(p['name_'])} (pid {int(p['id_'])})"


def proc_state(p):
    s = scalar(p.dereference()["pstate_"])
    return STATE_NAMES.get(s, str(s))


def cpu_of_thread(thread):
    """Kernel CPU index of a gdb thread (a QEMU vCPU), or None if unknown."""
    previous = gdb.selected_thread()
    try:
        thread.switch()
        frame = gdb.newest_frame()
        base = int(cpus().address)
        size = gdb.lookup_type("cpustate").sizeof
        for reg in ("gs_base", "k_gs_base"):
            try:
                gs = int(frame.read_register(reg)) & 0xFFFFFFFFFFFFFFFF
            except (gdb.error, ValueError):
                continue
            if base <= gs < base + size * ncpu() and (gs - base) % size == 0:
                return (gs - base) // size
        return None
    finally:
        if previous is not None and previous.is_valid():
            previous.switch()


def thread_mode(thread):
    previous = gdb.selected_thread()
    try:
        thread.switch()
        cs = int(gdb.newest_frame().read_register("cs"))
        return "user" if cs & 3 else "kernel"
    except gdb.error:
        return "?"
    finally:
        if previous is not None and previous.is_valid():
            previous.switch()


def thread_map():
    """{kernel CPU index: gdb thread} for the threads whose CPU is known."""
    result = {}
    for t in _inferior().threads():
        i = cpu_of_thread(t)
        if i is not None:
            result[i] = t
    return result


def selected_cpu():
    t = gdb.selected_thread()
    if t is None:
        raise gdb.GdbError("no thread selected")
    i = cpu_of_thread(t)
    if i is None:
        raise gdb.GdbError(f"thread {t.num}: GSBASE is not a cpustate "
                           "(CPU not started yet, or still in boot code)")
    return i


def translate(pagetable, va):
    """Physical address of user VA `va` through page table `pagetable`
    (a kernel pointer), or None if not mapped. Reads page-table pages
    through the direct map, so works for any process, not only the
    current one."""
    table_kva = int(pagetable)
    for level, shift in enumerate((39, 30, 21, 12)):
        index = (va >> shift) & 511
        pte = read_uint(table_kva + 8 * index)
        if not pte & PTE_P:
            return None
        if shift in (30, 21) and pte & PTE_PS:
            base = pte & PAGE_ADDR_MASK & ~((1 << shift) - 1)
            return base + (va & ((1 << shift) - 1))
        if shift == 12:
            return (pte & PAGE_ADDR_MASK) + (va & 0xFFF)
        table_kva = (pte & PAGE_ADDR_MASK) + KERNEL_DIRECT_BASE
    return None


# --- commands -------------------------------------------------------------

class KernelCommand(gdb.Command):
    """Base: turns an unreadable address into one clear message."""

    def invoke(self, arg, from_tty):
        try:
            self.run(arg)
        except gdb.MemoryError as e:
            raise gdb.GdbError(f"{self.name}: {e} (kernel not running yet, paging "
                               "still off, or a corrupt pointer)")


class NuthatchUser(gdb.Command):
    """Load a user program's symbols: nuthatch-user NAME (or a path).

NAME is a program built to obj/user/NAME. Every user program links at
0x100000, so only one program's symbols can be loaded at a time: this
command first removes the previous program's. With no argument, says
which program is loaded. Breakpoints in user code: `hbreak` works before
the process exists; `break` once its pages are mapped (gdb writes the
breakpoint through the page table of the CPU it is stopped on)."""

    def __init__(self):
        super().__init__("nuthatch-user", gdb.COMMAND_USER, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        global _user_symbols
        arg = arg.strip()
        if not arg:
            print(f"user symbols: {_user_symbols or 'none loaded'}")
            return
        path = arg
        if not os.path.exists(path):
            path = os.path.join(NUTHATCH_ROOT, "obj", "user", arg)
        if not os.path.exists(path):
            raise gdb.GdbError(f"no user program '{arg}' (looked for {path}; run make)")
        path = os.path.abspath(path)
        if _user_symbols:
            try:
                gdb.execute(f"remove-symbol-file {_user_symbols}", to_string=True)
            except gdb.error:
                pass
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        _user_symbols = path
        print(f"user symbols: {path}")


class NuthatchCpus(KernelCommand):
    """Every CPU: index, gdb thread, LAPIC id, mode, current task, ticks, run queue length.

The gdb thread column is the thread that is this CPU (`thread N` selects
it); '-' if its GSBASE does not identify it (not started yet)."""

    def __init__(self):
        self.name = "nuthatch-cpus"
        super().__init__(self.name, gdb.COMMAND_USER)

    def run(self, arg):
        n = ncpu()
        threads = thread_map()
        all_cpus = cpus()
        print(f"{'cpu':>3} {'thread':>6} {'lapic':>5} {'mode':<6} {'current':<28} "
              f"{'ticks':>8} {'runq':>4} {'switches':>8}")
        for i in range(n):
            c = all_cpus[i]
            cur = c["current_"]
            label = proc_label(cur)
            if int(cur) != 0 and int(cur) == int(c["idle_task_"]):
                label += " [idle]"
            if scalar(c["halted_"]):
                label += " [hlt]"
            t = threads.get(i)
            print(f"{i:>3} {t.num if t else '-':>6} {int(c['lapic_id_']):>5} "
                  f"{thread_mode(t) if t else '?':<6} {label:<28} "
                  f"{scalar(c['ticks_']):>8} {scalar(c['runq_length_']):>4} "
                  f"{int(c['nschedule_']):>8}")


class NuthatchCurrent(KernelCommand):
    """The task running on the CPU gdb has selected (`thread N` selects a CPU).

Prints the CPU, the task (name, pid, state, home CPU, user or kernel),
its page table, and a `print` expression for the proc."""

    def __init__(self):
        self.name = "nuthatch-current"
        super().__init__(self.name, gdb.COMMAND_USER)

    def run(self, arg):
        i = selected_cpu()
        c = cpus()[i]
        cur = c["current_"]
        t = gdb.selected_thread()
        print(f"cpu {i} (gdb thread {t.num}, lapic {int(c['lapic_id_'])}, "
              f"{thread_mode(t)} mode)")
        if int(cur) == 0:
            print("current: none (CPU context: schedule)")
            return
        # On the CPU stack (the tail of the cpustate) the CPU is between
        # tasks, in cpustate::schedule: current_ still names the task it
        # left, which may have exited (and even been freed).
        base = int(c.address)
        rsp = int(gdb.parse_and_eval("$rsp"))
        if base <= rsp <= base + c.type.sizeof:
            print(f"current: none (CPU context: schedule, leaving {proc_label(cur)}, "
                  f"proc {int(cur):#x})")
            return
        p = cur.dereference()
        kind = "user process" if bool(p["is_user_"]) else "kernel task"
        idle = " [idle]" if int(cur) == int(c["idle_task_"]) else ""
        print(f"current: {proc_label(cur)}{idle}, {kind}, {proc_state(cur)}, "
              f"home cpu {int(p['cpu_index_'])}")
        print(f"  proc {int(cur):#x}  pagetable {int(p['pagetable_']):#x}  "
              f"(print *(proc*){int(cur):#x})")


class NuthatchPs(KernelCommand):
    """The process table (kernel/core/process.cc): pid, state, program, home CPU, parent.

A '*' marks a process running on some CPU right now."""

    def __init__(self):
        self.name = "nuthatch-ps"
        super().__init__(self.name, gdb.COMMAND_USER)

    def run(self, arg):
        all_cpus = cpus()
        running = {}
        for i in range(ncpu()):
            cur = int(all_cpus[i]["current_"])
            if cur:
                running[cur] = i
        print(f"{'pid':>5} {'state':<9} {'program':<20} {'cpu':>3} {'ppid':>5}  running")
        count = 0
        for pr in list_walk(process_table(), "process_links_", "process"):
            d = pr.dereference()
            parent = d["parent_"]
            ppid = int(parent.dereference()["id_"]) if int(parent) else 0
            name = process_name(d)
            threads = list(list_walk(d["threads_"], "thread_links_"))
            if not threads:
                print(f"{int(d['id_']):>5} {'zombie':<9} {name:<20} {'-':>3} {ppid:>5}")
            # One line per live thread (a process's first line carries its pid).
            for k, p in enumerate(threads):
                t = p.dereference()
                where = f"* cpu {running[int(p)]}" if int(p) in running else ""
                label = f"{int(d['id_']):>5}" if k == 0 else f"{'+' + str(int(t['id_'])):>5}"
                print(f"{label} {proc_state(p):<9} {name:<20} "
                      f"{int(t['cpu_index_']):>3} {ppid:>5}  {where}")
            count += 1
        print(f"{count} process{'es' if count != 1 else ''}")


class NuthatchRunq(KernelCommand):
    """Tasks waiting on a CPU's run queue: nuthatch-runq [N] (default: the selected CPU).

The running task is not on the queue (see nuthatch-cpus). The queue is
read without its lock: if gdb stopped a CPU in the middle of changing it,
the walk may be cut short."""

    def __init__(self):
        self.name = "nuthatch-runq"
        super().__init__(self.name, gdb.COMMAND_USER)

    def run(self, arg):
        arg = arg.strip()
        if arg:
            try:
                i = int(gdb.parse_and_eval(arg))
            except gdb.error as e:
                raise gdb.GdbError(f"nuthatch-runq: bad CPU '{arg}': {e}")
        else:
            i = selected_cpu()
        if not 0 <= i < ncpu():
            raise gdb.GdbError(f"nuthatch-runq: CPU {i} out of range 0..{ncpu() - 1}")
        c = cpus()[i]
        print(f"cpu {i} run queue (runq_length_ {scalar(c['runq_length_'])}):")
        count = 0
        for p in list_walk(c["runq_"], "runq_links_"):
            print(f"  {count}: {proc_label(p)} {proc_state(p)}  proc {int(p):#x}")
            count += 1
        if count == 0:
            print("  empty")


def _lookup_pid(pid):
    """The `process*` with this pid, or None."""
    for p in list_walk(process_table(), "process_links_", "process"):
        if int(p.dereference()["id_"]) == pid:
            return p
    return None


class NuthatchSlots(KernelCommand):
    """A process's activation segment: nuthatch-slots [PID] (default: the selected CPU's process).

Reads the header at 0x3FE00000 through the process's own page table (via
the kernel's direct map, so any process works, running or not), then lists
each busy slot with its saved RIP, RSP and generation. Says so if the
segment is not mapped."""

    def __init__(self):
        self.name = "nuthatch-slots"
        super().__init__(self.name, gdb.COMMAND_USER)

    def run(self, arg):
        arg = arg.strip()
        if arg:
            pid = int(gdb.parse_and_eval(arg))
            p = _lookup_pid(pid)
            if p is None:
                raise gdb.GdbError(f"nuthatch-slots: no process {pid}")
        else:
            t = cpus()[selected_cpu()]["current_"]
            if int(t) == 0 or not bool(t.dereference()["is_user_"]):
                raise gdb.GdbError("nuthatch-slots: the selected CPU runs no user "
                                   "process; give a PID (see nuthatch-ps)")
            p = t.dereference()["process_"]
        d = p.dereference()
        pt = d["pagetable_"]
        print(f"{process_name(d)} (pid {int(d['id_'])}): activation segment "
              f"{ACTIVATION_SEGMENT_BASE:#x}")
        if int(pt) == 0:
            print("  no page table")
            return
        hdr_pa = translate(pt, ACTIVATION_SEGMENT_BASE)
        if hdr_pa is None:
            print("  not mapped (this process has no activation segment)")
            return
        hdr = hdr_pa + KERNEL_DIRECT_BASE
        magic = read_uint(hdr + ACT_HDR_MAGIC)
        version = read_uint(hdr + ACT_HDR_VERSION, 4)
        note = "" if magic == ACT_MAGIC else f" (expected {ACT_MAGIC:#x}: user-writable, may be garbage)"
        print(f"  header: magic {magic:#x}{note}, version {version}")
        busy = [read_uint(hdr + ACT_HDR_BUSY + 8 * w) for w in range(ACT_NFRAMES // 64)]
        nbusy = 0
        for frame in range(1, ACT_NFRAMES):
            if not busy[frame // 64] >> (frame % 64) & 1:
                continue
            nbusy += 1
            va = ACTIVATION_SEGMENT_BASE + frame * ACT_FRAME_SIZE
            pa = translate(pt, va)
            if pa is None:
                print(f"  slot {frame:3} {va:#x}: busy but not mapped")
                continue
            k = pa + KERNEL_DIRECT_BASE
            rip = read_uint(k + ACT_SLOT_RIP)
            rsp = read_uint(k + ACT_SLOT_RSP)
            gen = read_uint(k + ACT_SLOT_GENERATION)
            sym = ""
            block = gdb.current_progspace().block_for_pc(rip) if rip else None
            if block is not None and block.function is not None:
                sym = f" <{block.function.print_name}>"
            print(f"  slot {frame:3} {va:#x}: rip {rip:#x}{sym} rsp {rsp:#x} generation {gen}")
        print(f"  {nbusy} busy slot{'s' if nbusy != 1 else ''}")


NuthatchUser()
NuthatchCpus()
NuthatchCurrent()
NuthatchPs()
NuthatchRunq()
NuthatchSlots()
