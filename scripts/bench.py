#!/usr/bin/env python3
"""bench.py — `make bench`: Nuthatch's micro-benchmarks next to Linux's.

Runs each benchmark program (user/p-bench-*.cc, and p-act-bench when the
tree has it) in its own QEMU boot, `run=NAME harness` on one CPU, parses
its `bench: NAME median_cycles N ...` lines, runs the native Linux program
(tests/bench/linux-bench.c) for the same operations, times QEMU's boot floor
(tests/bench/floor.S) against Nuthatch's first user instruction, and prints
one table plus obj/bench/results.json.

Cycles are TSC cycles; ns are cycles divided by the TSC rate of their side
(the guest's from the kernel's `timer: ... TSC N MHz` log line, the host's
measured against CLOCK_MONOTONIC). Ratios are Nuthatch ns / Linux ns.
Targets are reported, never asserted: the exit status is 0 whenever every
run produced its numbers.

Every benchmark boot is then repeated under TCG with `-icount shift=0`:
there the guest TSC advances one tick per guest instruction (and the
virtual clock, hence the timer, follows the instruction count), so the
same `median_cycles` become guest instructions per operation, the "insns"
column. Those counts depend only on the build and QEMU's `-cpu max` model,
never on host speed or load; they do not weigh instructions (a CR3 write
counts as one, like an add).

Easy to get wrong: under TCG the guest's TSC follows host time while the
guest runs emulated code, so its cycle counts measure the emulator, not the
kernel; the table says so. `--accel auto` uses KVM only where it is
hardware-assisted (vmx or svm in /proc/cpuinfo, not the kvm_pvm module)
and a probe boot of Nuthatch itself works under it, and says why when it
falls back; `--accel kvm` on a host without hardware-assisted KVM stops at
once with the reason.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import select
import shlex
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OBJ = "obj"
KERNEL = os.path.join(OBJ, "kernel.elf")
FLOOR = os.path.join(OBJ, "bench", "floor.elf")
LINUX = os.path.join(OBJ, "bench", "linux-bench")
RESULTS = os.path.join(OBJ, "bench", "results.json")
LOGDIR = os.path.join(OBJ, "bench", "logs")
EXIT_PASS = 33

BENCH_LINE = re.compile(r"^bench: (\S+) median_cycles (\d+)", re.M)
MIN_LINE = re.compile(r"^bench: (\S+) median_cycles \d+ .*\bmin (\d+)", re.M)
COUNT_LINE = re.compile(r"^bench: (\S+) median_count (\d+)", re.M)
TSC_LINE = re.compile(r"timer: .*TSC (\d+) MHz")
ACT_LINE = re.compile(r"act-bench: entry->handler (\d+) cycles, fast resume (\d+) cycles, "
                      r"exact resume (\d+) cycles")
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")

# CPU models tried in turn under hardware-assisted KVM. QEMU aborts at start
# ("failed to set MSR 0x10a") where KVM refuses IA32_ARCH_CAPABILITIES; that
# happens on some nested and cloud hosts with real VT-x/AMD-V, so the second
# model turns that MSR off. (The same abort on a PVM host is one symptom of
# PVM, which kvm_problem() now rejects before any probe boot.)
KVM_CPUS = ["host", "host,arch-capabilities=off"]
# The instruction-count pass: one guest TSC tick per guest instruction.
ICOUNT_ACCEL, ICOUNT_CPU, ICOUNT_ARGS = "tcg", "max", ["-icount", "shift=0"]


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class qemu_run:
    """One QEMU boot: serial output on a pipe, host-timestamped."""

    def __init__(self, qemu, accel, cpu, image, append=None, ncpu=1, timeout=60,
                 marker=None, name="run", extra=()):
        args = [qemu, "-M", "q35", "-m", "128M", "-smp", str(ncpu), "-accel", accel,
                "-cpu", cpu, *extra, "-no-reboot", "-display", "none", "-monitor", "none",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-serial", "stdio", "-debugcon", "file:" + os.path.join(LOGDIR, name + ".kernel.log"),
                "-kernel", image]
        if append is not None:
            args += ["-append", append]
        self.command = args
        self.status = None
        self.marker_s = None        # seconds from Popen to the marker's arrival
        self.error = ""
        out, err = bytearray(), bytearray()
        start = time.monotonic()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        fds = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
        deadline = start + timeout
        marker_b = marker.encode() if marker else None
        try:
            while fds:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.error = self.error or f"timed out after {timeout} s"
                    break
                ready, _, _ = select.select(list(fds), [], [], min(left, 0.5))
                now = time.monotonic()
                for fd in ready:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        del fds[fd]
                        continue
                    fds[fd].extend(chunk)
                    if marker_b and self.marker_s is None and marker_b in out:
                        self.marker_s = now - start
                if not self.error and b"KVM internal error" in err:
                    # QEMU pauses the guest and prints its registers: read
                    # them for a second more, then stop.
                    self.error = "KVM internal error (emulation failure)"
                    deadline = min(deadline, time.monotonic() + 1.0)
        finally:
            if proc.poll() is None:
                proc.kill()
            self.status = proc.wait()
        self.seconds = time.monotonic() - start
        self.serial = ANSI.sub("", out.decode("utf-8", "replace")).replace("\r", "")
        self.stderr = err.decode("utf-8", "replace")
        with open(os.path.join(LOGDIR, name + ".serial.log"), "w") as f:
            f.write(self.serial)
        with open(os.path.join(LOGDIR, name + ".qemu.log"), "w") as f:
            f.write(shlex.join(args) + "\n" + self.stderr)
        if not self.error and self.status != EXIT_PASS:
            last = [l for l in (self.stderr + self.serial).splitlines() if l.strip()]
            self.error = f"QEMU exited {self.status}" + (f": {last[-1].strip()}" if last else "")

    def ok(self):
        return not self.error

    def tsc_mhz(self):
        m = TSC_LINE.search(self.serial)
        return float(m.group(1)) if m else None


class bench:
    def __init__(self, options):
        self.o = options
        self.accel = "tcg"
        self.cpu = "max"
        self.warnings = []
        self.nut = {}           # name -> cycles
        self.nut_counts = {}
        self.nut_tsc = []
        self.insns = {}         # name -> guest instructions (the icount pass)
        self.insns_counts = {}
        self.linux = {}
        self.linux_counts = {}
        self.linux_tsc = None
        self.extra = {}         # boot / check times, seconds
        self.errors = []
        self.runs = 0

    # -- accelerator ------------------------------------------------------

    def choose_accel(self):
        want = self.o.accel
        if want == "tcg":
            return
        problem = kvm_problem()
        if problem:
            if want == "kvm":
                sys.exit(f"bench: ACCEL=kvm refused: {problem}. Use ACCEL=tcg or ACCEL=auto.")
            log(f"{problem}; using TCG")
            self.warnings.append(f"{problem}; used TCG")
            return
        reasons = []
        for cpu in KVM_CPUS:
            log(f"probing KVM (-cpu {cpu}) with the floor image ...")
            r = qemu_run(self.o.qemu, "kvm", cpu, FLOOR, timeout=40, marker="bench-floor-marker",
                         name=f"probe-floor-{cpu.replace(',', '_')}")
            if not r.ok():
                reasons.append(f"-cpu {cpu}: {r.error}")
                continue
            log(f"probing KVM (-cpu {cpu}) with Nuthatch (bench-syscall) ...")
            r = qemu_run(self.o.qemu, "kvm", cpu, KERNEL, "run=bench-syscall harness",
                         timeout=40, name=f"probe-nuthatch-{cpu.replace(',', '_')}")
            if r.ok() and BENCH_LINE.search(r.serial):
                self.accel, self.cpu = "kvm", cpu
                return
            reasons.append(f"-cpu {cpu}: QEMU starts, Nuthatch fails: {r.error}{where(r.stderr)}")
            break       # QEMU itself works with this model: another will not help
        why = "; ".join(reasons)
        if want == "kvm":
            self.warnings.append(f"ACCEL=kvm requested but KVM probe failed ({why}); "
                                 "running under KVM anyway")
            self.accel, self.cpu = "kvm", KVM_CPUS[-1]
            return
        self.warnings.append(f"KVM not usable for Nuthatch ({why}); fell back to TCG")

    # -- Nuthatch ---------------------------------------------------------

    def programs(self):
        """(program, extra kernel arguments, label) of every benchmark boot."""
        runs = [("bench-syscall", "", None), ("bench-yield", "", None), ("bench-fork", "", None),
                ("bench-compute", "", "lo"), ("bench-compute", f"hz={self.o.hz}", "hi")]
        if os.path.exists(os.path.join(OBJ, "user", "act-bench")):
            runs.append(("act-bench", f"hz={self.o.act_hz}", None))
        else:
            self.warnings.append("p-act-bench is not in this tree: activation entry/resume "
                                 "rows are empty (they fill in once it is)")
        return runs

    def guest(self, program, cmdline="", icount=False, timeout=90):
        name = ("icount-" if icount else "") + program + \
            (("-" + cmdline.replace("=", "")) if cmdline else "")
        accel, cpu, extra = (ICOUNT_ACCEL, ICOUNT_CPU, ICOUNT_ARGS) if icount else \
            (self.accel, self.cpu, [])
        log(f"Nuthatch {program} {cmdline} ({accel}{' ' + ' '.join(extra) if extra else ''}) ...")
        r = qemu_run(self.o.qemu, accel, cpu, KERNEL, f"run={program} harness {cmdline}".strip(),
                     timeout=timeout, name=name, extra=extra)
        self.runs += 1
        if not r.ok():
            self.errors.append(f"{name}: {r.error} (log: {LOGDIR}/{name}.serial.log)")
        return r

    def parse(self, r, program, label, values, counts, fastest):
        """Store one boot's per-operation figures in values (and counts).
        fastest: the compute loop's fastest trial instead of its median
        (the least host noise, for timing runs)."""
        found = False
        if program == "bench-compute":
            m = (MIN_LINE if fastest else BENCH_LINE).search(r.serial)
            c = COUNT_LINE.search(r.serial)
            if m and c:
                values[f"compute-{label}"] = int(m.group(2))
                counts[f"compute-{label}"] = int(c.group(2))
                found = True
        elif program == "act-bench":
            m = ACT_LINE.search(r.serial)
            if m:
                values["act-entry"], values["act-fast"], values["act-exact"] = \
                    (int(x) for x in m.groups())
                found = True
        else:
            for m in BENCH_LINE.finditer(r.serial):
                values[m.group(1)] = int(m.group(2))
                found = True
        if not found and r.ok():
            self.errors.append(f"{program}: booted and passed but printed no figures "
                               f"(log: {LOGDIR})")

    def run_guest_benchmarks(self, programs):
        for program, cmdline, label in programs:
            r = self.guest(program, cmdline)
            if r.tsc_mhz():
                self.nut_tsc.append(r.tsc_mhz())
            self.parse(r, program, label, self.nut, self.nut_counts, fastest=True)

    def run_icount_benchmarks(self, programs):
        """Every benchmark boot again under TCG with -icount shift=0. The
        counts do not depend on host load, so the boots run side by side,
        after the timing runs (whose numbers they would disturb)."""
        jobs = max(1, min(self.o.jobs, len(programs)))
        log(f"instruction counts (tcg -icount shift=0), {len(programs)} boots, "
            f"{jobs} at a time ...")
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            boots = [pool.submit(self.guest, program, cmdline, True)
                     for program, cmdline, _ in programs]
            for (program, _, label), boot in zip(programs, boots):
                self.parse(boot.result(), program, label, self.insns, self.insns_counts,
                           fastest=False)

    def boot_times(self):
        """Host wall time from QEMU start to the first user instruction's
        marker, against the floor image's marker; under TCG (the target's
        setting), and under KVM too when the benchmarks use it."""
        accels = [("tcg", "max")]
        if self.accel == "kvm":
            accels.append(("kvm", self.cpu))
        for accel, cpu in accels:
            trials = self.o.boot_trials if accel == "tcg" else 1
            log(f"boot time under {accel}: floor and Nuthatch alternately, {trials} run(s) each ...")
            times = {"floor": [], "nuthatch": []}
            for i in range(trials):     # alternate, so host load hits both alike
                for what, image, append, marker in (
                        ("floor", FLOOR, None, "bench-floor-marker"),
                        ("nuthatch", KERNEL, "run=bench-boot harness", "bench-boot-marker")):
                    r = qemu_run(self.o.qemu, accel, cpu, image, append, timeout=60,
                                 marker=marker, name=f"boot-{what}-{accel}-{i}")
                    if r.marker_s is None:
                        self.errors.append(f"boot {what} ({accel}): no marker; {r.error}")
                    else:
                        times[what].append(r.marker_s)
            for what, t in times.items():
                if t:
                    t.sort()
                    self.extra[f"boot-{what}-{accel}"] = t[len(t) // 2]
                    self.extra[f"boot-{what}-{accel}-all"] = t

    def check_time(self):
        log("timing `make check` (CHECK=1) ...")
        start = time.monotonic()
        r = subprocess.run([self.o.make, "--no-print-directory", "check"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True)
        self.extra["make-check"] = time.monotonic() - start
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        self.extra["make-check-summary"] = lines[-1] if lines else f"exit {r.returncode}"
        for line in lines:
            if line.startswith("FAIL"):
                self.warnings.append(f"make check: {line}")

    # -- Linux --------------------------------------------------------------

    def run_linux(self):
        log(f"Linux {LINUX} {self.o.hz} ...")
        r = subprocess.run([LINUX, str(self.o.hz)], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            self.errors.append(f"linux-bench exited {r.returncode}: {r.stderr.strip()}")
        for m in BENCH_LINE.finditer(r.stdout):
            self.linux[m.group(1)] = int(m.group(2))
        for m in MIN_LINE.finditer(r.stdout):
            if m.group(1).startswith("compute-loop"):
                self.linux[m.group(1)] = int(m.group(2))
        for m in COUNT_LINE.finditer(r.stdout):
            self.linux_counts[m.group(1)] = int(m.group(2))
        m = re.search(r"^bench: tsc-mhz ([\d.]+)", r.stdout, re.M)
        self.linux_tsc = float(m.group(1)) if m else None

    # -- table --------------------------------------------------------------

    def rows(self):
        nt = sorted(self.nut_tsc)[len(self.nut_tsc) // 2] if self.nut_tsc else None
        lt = self.linux_tsc

        def per_event(what, d, counts, lo, hi, clo, chi):
            """(loop with the fast timer - loop without) / extra timer events."""
            if None in (d.get(lo), d.get(hi), counts.get(clo), counts.get(chi)) \
                    or counts[chi] <= counts[clo]:
                return None
            if d[hi] <= d[lo]:
                self.warnings.append(f"{what}: compute loop no slower with the timer "
                                     "(host noise?)")
                return None
            return (d[hi] - d[lo]) // (counts[chi] - counts[clo])

        def nut_tick(d, counts, what):
            return per_event(what, d, counts, "compute-lo", "compute-hi",
                             "compute-lo", "compute-hi")

        def add(a, b):
            return None if a is None or b is None else a + b

        def one(key):
            return lambda d, counts, what: d.get(key)

        def two(key1, key2):
            return lambda d, counts, what: add(d.get(key1), d.get(key2))

        hz = self.o.hz
        linux_tick = per_event("Linux", self.linux, self.linux_counts, "compute-loop",
                               "compute-loop-timer", "compute-loop-signals",
                               "compute-loop-timer-signals")
        signal = self.linux.get("signal-roundtrip")
        spec = [
            # operation, Nuthatch's figure from (values, counts), Linux cycles, target ratio
            ("null syscall (getpid)", one("syscall-getpid"), self.linux.get("syscall-getpid"),
             0.5),
            ("yield switch, 1 CPU", one("yield-switch"), self.linux.get("yield-switch"), 0.5),
            ("fork + exit + waitpid", one("fork-exit-waitpid"),
             self.linux.get("fork-exit-waitpid"), 0.25),
            ("act: entry -> handler", one("act-entry"), None, None),
            ("act: handler -> resumed, fast", one("act-fast"), None, None),
            ("act: handler -> resumed, exact", one("act-exact"), None, None),
            ("act fast round trip / signal", two("act-entry", "act-fast"), signal, 0.25),
            ("act exact round trip / signal", two("act-entry", "act-exact"), signal, None),
            (f"cost per tick at hz={hz}", nut_tick, linux_tick, None),
        ]
        out = []
        for op, figure, l, target in spec:
            n = figure(self.nut, self.nut_counts, "Nuthatch")
            insns = figure(self.insns, self.insns_counts, "Nuthatch (icount)")
            n_ns = n * 1000 / nt if n is not None and nt else None
            l_ns = l * 1000 / lt if l is not None and lt else None
            ratio = n_ns / l_ns if n_ns is not None and l_ns else None
            verdict = None
            if target is not None:
                verdict = "n/a" if ratio is None else ("met" if ratio <= target else "missed")
            out.append({"operation": op, "unit": "cycles",
                        "nuthatch_cycles": n, "nuthatch_ns": n_ns, "nuthatch_insns": insns,
                        "linux_cycles": l, "linux_ns": l_ns, "ratio": ratio,
                        "target_ratio": target, "target": verdict})
        b = self.extra
        for accel in ("tcg", "kvm"):
            fl, nu = b.get(f"boot-floor-{accel}"), b.get(f"boot-nuthatch-{accel}")
            if fl is None and nu is None:
                continue
            over = nu - fl if fl is not None and nu is not None else None
            verdict = None
            if accel == "tcg":
                verdict = "n/a" if over is None else ("met" if over <= 0.1 else "missed")
            # Host wall time: no instruction count.
            out.append({"operation": f"boot to 1st user insn ({accel})",
                        "unit": "seconds", "nuthatch_s": nu, "floor_s": fl, "above_floor_s": over,
                        "nuthatch_insns": None,
                        "target_above_floor_s": 0.1 if accel == "tcg" else None,
                        "target": verdict})
        if "make-check" in b:
            out.append({"operation": "make check (wall)", "unit": "seconds",
                        "nuthatch_s": b["make-check"], "summary": b["make-check-summary"],
                        "nuthatch_insns": None, "target": None})
        return out, nt, lt

    def print_table(self, rows, nt, lt):
        def c(cycles, ns):
            if cycles is None:
                return "-"
            return f"{cycles:,} cyc / {ns:,.0f} ns" if ns is not None else f"{cycles:,} cyc"

        def i(insns):
            return f"{insns:,}" if insns is not None else ""

        table = [("operation", "Nuthatch", "insns", "Linux", "ratio", "target")]
        for r in rows:
            if r["unit"] == "cycles":
                ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
                target = (f"<= {r['target_ratio']}x {r['target']}" if r["target_ratio"] is not None
                          else "")
                table.append((r["operation"], c(r["nuthatch_cycles"], r["nuthatch_ns"]),
                              i(r["nuthatch_insns"]) or "-",
                              c(r["linux_cycles"], r["linux_ns"]), ratio, target))
            elif r["operation"].startswith("boot"):
                nu, fl, over = r["nuthatch_s"], r["floor_s"], r["above_floor_s"]
                table.append((r["operation"], f"{nu * 1000:.0f} ms" if nu is not None else "-",
                              "", f"floor {fl * 1000:.0f} ms" if fl is not None else "-",
                              f"{over * 1000:+.0f} ms" if over is not None else "-",
                              f"<= +100 ms {r['target']}" if r["target"] else ""))
            else:
                table.append((r["operation"], f"{r['nuthatch_s']:.1f} s", "", "-", "-",
                              r.get("summary", "")))
        ncol = len(table[0])
        widths = [max(len(row[k]) for row in table) for k in range(ncol)]
        lines = []
        for n, row in enumerate(table):
            lines.append("  ".join(cell.ljust(widths[k]) if k == 0 else cell.rjust(widths[k])
                                   for k, cell in enumerate(row)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        accel = self.accel.upper() + ("" if self.accel == "tcg" else f" (-cpu {self.cpu})")
        print()
        print(f"Nuthatch under {accel}, guest TSC {nt or '?'} MHz; Linux native, "
              f"TSC {lt or '?'} MHz; ratio = Nuthatch ns / Linux ns")
        print("insns = guest instructions per operation under TCG -icount shift=0 "
              "(deterministic: the same on any host for this build and QEMU)")
        print("\n".join(lines))
        if self.accel == "tcg":
            print("WARNING: Nuthatch ran under TCG (software emulation): its cycle and ns "
                  "figures measure QEMU's emulator, not the kernel; the ratios are meaningless.")
        for w in self.warnings:
            print(f"note: {w}")
        for e in self.errors:
            print(f"error: {e}")
        print(f"results: {RESULTS}")


def cpu_flags():
    """The CPU feature flags /proc/cpuinfo lists (every CPU's, merged)."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return set()
    return {flag for line in re.findall(r"^flags\s*:(.*)$", text, re.M) for flag in line.split()}


def kvm_problem():
    """None where /dev/kvm looks like hardware-assisted KVM (usable by us,
    vmx or svm among the CPU flags, not PVM); else why it is not."""
    if not os.path.exists("/dev/kvm"):
        return "there is no /dev/kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm is not readable and writable by this user"
    hardware = cpu_flags() & {"vmx", "svm"}
    if os.path.isdir("/sys/module/kvm_pvm"):
        return ("/dev/kvm here is PVM (kvm_pvm" + ("" if hardware else ", no vmx/svm") +
                "): it runs guests at CPL 3 in the lower half of the address space only, so "
                "Nuthatch's higher-half kernel would be emulated instruction by instruction")
    if not hardware:
        return ("/dev/kvm is not hardware-assisted (no vmx or svm in /proc/cpuinfo flags): "
                "Nuthatch would not run natively under it")
    return None


def where(qemu_stderr):
    """ ' at RIP=... (function)' from a QEMU register dump, if there is one."""
    m = re.search(r"RIP=([0-9a-f]{16})", qemu_stderr)
    if not m:
        return ""
    try:
        fn = subprocess.run(["addr2line", "-f", "-C", "-e", KERNEL, "0x" + m.group(1)],
                            capture_output=True, text=True).stdout.splitlines()
    except OSError:
        fn = []
    return f" at RIP={m.group(1)}" + (f" ({fn[0]})" if fn and fn[0] != "??" else "")


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            model = m.group(1) if m else ""
    except OSError:
        pass
    return {"host": platform.node(), "kernel": platform.release(), "cpu": model,
            "cpus": os.cpu_count()}


def main():
    parser = argparse.ArgumentParser(description="Nuthatch vs Linux micro-benchmarks.")
    parser.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto")
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--make", default="make")
    parser.add_argument("--check", action="store_true", help="also time `make check`")
    parser.add_argument("--hz", type=int, default=10000, help="high timer rate")
    parser.add_argument("--act-hz", type=int, default=1000, help="timer rate for p-act-bench")
    parser.add_argument("--boot-trials", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="instruction-count boots run side by side (default: CPUs)")
    options = parser.parse_args()
    os.chdir(ROOT)
    os.makedirs(LOGDIR, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    for path in (KERNEL, FLOOR, LINUX):
        if not os.path.exists(path):
            sys.exit(f"bench: {path} is missing (run `make bench`)")
    started = time.monotonic()
    b = bench(options)
    b.choose_accel()
    programs = b.programs()
    phases = {}
    steps = [("linux", b.run_linux), ("timing", lambda: b.run_guest_benchmarks(programs)),
             ("boot", b.boot_times), ("icount", lambda: b.run_icount_benchmarks(programs))]
    if options.check:
        steps.append(("make-check", b.check_time))
    for phase, step in steps:
        t = time.monotonic()
        step()
        phases[phase] = round(time.monotonic() - t, 1)
    rows, nt, lt = b.rows()
    qemu_version = subprocess.run([options.qemu, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[:1]
    version = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True).stdout.strip()
    result = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "machine": machine(), "qemu": qemu_version[0] if qemu_version else "",
              "nuthatch_version": version, "accel": b.accel, "cpu_model": b.cpu,
              "guest_tsc_mhz": nt, "host_tsc_mhz": lt, "timer_hz_high": options.hz,
              "insns_qemu_args": ["-accel", ICOUNT_ACCEL, "-cpu", ICOUNT_CPU, *ICOUNT_ARGS],
              "warnings": b.warnings, "errors": b.errors, "rows": rows,
              "raw": {"nuthatch": b.nut, "nuthatch_counts": b.nut_counts, "linux": b.linux,
                      "linux_counts": b.linux_counts, "nuthatch_insns": b.insns,
                      "nuthatch_insns_counts": b.insns_counts, "seconds": b.extra},
              "phases_s": phases, "elapsed_s": round(time.monotonic() - started, 1)}
    with open(RESULTS, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    b.print_table(rows, nt, lt)
    print(f"({result['elapsed_s']} s: " + ", ".join(f"{k} {v} s" for k, v in phases.items()) +
          f"; {result['date']}, {result['machine']['cpu']})")
    return 1 if b.errors else 0


if __name__ == "__main__":
    sys.exit(main())
