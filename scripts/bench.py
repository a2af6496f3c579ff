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

Easy to get wrong: under TCG the guest's TSC follows host time while the
guest runs emulated code, so its cycle counts measure the emulator, not the
kernel; the table says so. `--accel auto` uses KVM only if a probe boot of
Nuthatch itself works under KVM, and says why when it falls back.
"""

import argparse
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

KVM_CPUS = ["host", "host,arch-capabilities=off"]   # the second: hosts whose KVM
                                                    # rejects MSR 0x10a


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class qemu_run:
    """One QEMU boot: serial output on a pipe, host-timestamped."""

    def __init__(self, qemu, accel, cpu, image, append=None, ncpu=1, timeout=60,
                 marker=None, name="run"):
        args = [qemu, "-M", "q35", "-m", "128M", "-smp", str(ncpu), "-accel", accel,
                "-cpu", cpu, "-no-reboot", "-display", "none", "-monitor", "none",
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
        usable = os.access("/dev/kvm", os.R_OK | os.W_OK)
        if not usable:
            msg = "/dev/kvm is not usable"
            if want == "kvm":
                sys.exit(f"bench: ACCEL=kvm but {msg}")
            self.warnings.append(f"{msg}: running under TCG")
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

    def guest(self, program, cmdline="", ncpu=1, timeout=90):
        name = program + (("-" + cmdline.replace("=", "")) if cmdline else "")
        log(f"Nuthatch {program} {cmdline} ({self.accel}) ...")
        r = qemu_run(self.o.qemu, self.accel, self.cpu, KERNEL,
                     f"run={program} harness {cmdline}".strip(), ncpu=ncpu, timeout=timeout,
                     name=name)
        self.runs += 1
        if not r.ok():
            self.errors.append(f"{name}: {r.error} (log: {LOGDIR}/{name}.serial.log)")
        if r.tsc_mhz():
            self.nut_tsc.append(r.tsc_mhz())
        return r

    def run_guest_benchmarks(self):
        for program in ("bench-syscall", "bench-yield", "bench-fork"):
            r = self.guest(program)
            for m in BENCH_LINE.finditer(r.serial):
                self.nut[m.group(1)] = int(m.group(2))
        for label, cmdline in (("lo", ""), ("hi", f"hz={self.o.hz}")):
            r = self.guest("bench-compute", cmdline)
            m = MIN_LINE.search(r.serial)         # fastest trial: least host noise
            c = COUNT_LINE.search(r.serial)
            if m and c:
                self.nut[f"compute-{label}"] = int(m.group(2))
                self.nut_counts[f"compute-{label}"] = int(c.group(2))
        if os.path.exists(os.path.join(OBJ, "user", "act-bench")):
            r = self.guest("act-bench", f"hz={self.o.act_hz}")
            m = ACT_LINE.search(r.serial)
            if m:
                self.nut["act-entry"], self.nut["act-fast"], self.nut["act-exact"] = \
                    (int(x) for x in m.groups())
            elif r.ok():
                self.errors.append("act-bench: no 'act-bench: entry->handler ...' line")
        else:
            self.warnings.append("p-act-bench is not in this tree: activation entry/resume "
                                 "rows are empty (they fill in once it is)")

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

        def cyc(side, key):
            return (self.nut if side == "n" else self.linux).get(key)

        def per_event(side):
            d, counts = (self.nut, self.nut_counts) if side == "n" else (self.linux, self.linux_counts)
            lo, hi = ("compute-lo", "compute-hi") if side == "n" else \
                ("compute-loop", "compute-loop-timer")
            clo, chi = (counts.get(lo), counts.get(hi)) if side == "n" else \
                (counts.get("compute-loop-signals"), counts.get("compute-loop-timer-signals"))
            if None in (d.get(lo), d.get(hi), clo, chi) or chi <= clo:
                return None
            if d[hi] <= d[lo]:
                self.warnings.append(f"{'Nuthatch' if side == 'n' else 'Linux'}: compute loop "
                                     "no slower with the timer (host noise?)")
                return None
            return (d[hi] - d[lo]) // (chi - clo)

        def add(a, b):
            return None if a is None or b is None else a + b

        hz = self.o.hz
        spec = [
            # operation, nuthatch cycles, linux cycles, target ratio
            ("null syscall (getpid)", cyc("n", "syscall-getpid"), cyc("l", "syscall-getpid"), 0.5),
            ("yield switch, 1 CPU", cyc("n", "yield-switch"),
             cyc("l", "yield-switch"), 0.5),
            ("fork + exit + waitpid", cyc("n", "fork-exit-waitpid"),
             cyc("l", "fork-exit-waitpid"), 0.25),
            ("act: entry -> handler", cyc("n", "act-entry"), None, None),
            ("act: handler -> resumed, fast", cyc("n", "act-fast"), None, None),
            ("act: handler -> resumed, exact", cyc("n", "act-exact"), None, None),
            ("act fast round trip / signal",
             add(cyc("n", "act-entry"), cyc("n", "act-fast")), cyc("l", "signal-roundtrip"), 0.25),
            ("act exact round trip / signal",
             add(cyc("n", "act-entry"), cyc("n", "act-exact")), cyc("l", "signal-roundtrip"), None),
            (f"cost per tick at hz={hz}",
             per_event("n"), per_event("l"), None),
        ]
        out = []
        for op, n, l, target in spec:
            n_ns = n * 1000 / nt if n is not None and nt else None
            l_ns = l * 1000 / lt if l is not None and lt else None
            ratio = n_ns / l_ns if n_ns is not None and l_ns else None
            verdict = None
            if target is not None:
                verdict = "n/a" if ratio is None else ("met" if ratio <= target else "missed")
            out.append({"operation": op, "unit": "cycles",
                        "nuthatch_cycles": n, "nuthatch_ns": n_ns,
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
            out.append({"operation": f"boot to 1st user insn ({accel})",
                        "unit": "seconds", "nuthatch_s": nu, "floor_s": fl, "above_floor_s": over,
                        "target_above_floor_s": 0.1 if accel == "tcg" else None,
                        "target": verdict})
        if "make-check" in b:
            out.append({"operation": "make check (wall)", "unit": "seconds",
                        "nuthatch_s": b["make-check"], "summary": b["make-check-summary"],
                        "target": None})
        return out, nt, lt

    def print_table(self, rows, nt, lt):
        def c(cycles, ns):
            if cycles is None:
                return "-"
            return f"{cycles:,} cyc / {ns:,.0f} ns" if ns is not None else f"{cycles:,} cyc"

        table = [("operation", "Nuthatch", "Linux", "ratio", "target")]
        for r in rows:
            if r["unit"] == "cycles":
                ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
                target = (f"<= {r['target_ratio']}x {r['target']}" if r["target_ratio"] is not None
                          else "")
                table.append((r["operation"], c(r["nuthatch_cycles"], r["nuthatch_ns"]),
                              c(r["linux_cycles"], r["linux_ns"]), ratio, target))
            elif r["operation"].startswith("boot"):
                nu, fl, over = r["nuthatch_s"], r["floor_s"], r["above_floor_s"]
                table.append((r["operation"], f"{nu * 1000:.0f} ms" if nu is not None else "-",
                              f"floor {fl * 1000:.0f} ms" if fl is not None else "-",
                              f"{over * 1000:+.0f} ms" if over is not None else "-",
                              f"<= +100 ms {r['target']}" if r["target"] else ""))
            else:
                table.append((r["operation"], f"{r['nuthatch_s']:.1f} s", "-", "-",
                              r.get("summary", "")))
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        lines = []
        for i, row in enumerate(table):
            lines.append("  ".join(cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j])
                                   for j, cell in enumerate(row)).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        accel = self.accel.upper() + ("" if self.accel == "tcg" else f" (-cpu {self.cpu})")
        print()
        print(f"Nuthatch under {accel}, guest TSC {nt or '?'} MHz; Linux native, "
              f"TSC {lt or '?'} MHz; ratio = Nuthatch ns / Linux ns")
        print("\n".join(lines))
        if self.accel == "tcg":
            print("WARNING: Nuthatch ran under TCG (software emulation): its cycle and ns "
                  "figures measure QEMU's emulator, not the kernel; the ratios are meaningless.")
        for w in self.warnings:
            print(f"note: {w}")
        for e in self.errors:
            print(f"error: {e}")
        print(f"results: {RESULTS}")


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
    b.run_linux()
    b.run_guest_benchmarks()
    b.boot_times()
    if options.check:
        b.check_time()
    rows, nt, lt = b.rows()
    qemu_version = subprocess.run([options.qemu, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[:1]
    version = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True).stdout.strip()
    result = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "machine": machine(), "qemu": qemu_version[0] if qemu_version else "",
              "nuthatch_version": version, "accel": b.accel, "cpu_model": b.cpu,
              "guest_tsc_mhz": nt, "host_tsc_mhz": lt, "timer_hz_high": options.hz,
              "warnings": b.warnings, "errors": b.errors, "rows": rows,
              "raw": {"nuthatch": b.nut, "nuthatch_counts": b.nut_counts, "linux": b.linux,
                      "linux_counts": b.linux_counts, "seconds": b.extra},
              "elapsed_s": round(time.monotonic() - started, 1)}
    with open(RESULTS, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    b.print_table(rows, nt, lt)
    print(f"({result['elapsed_s']} s, {result['date']}, {result['machine']['cpu']})")
    return 1 if b.errors else 0


if __name__ == "__main__":
    sys.exit(main())
