#!/usr/bin/env python3
"""bench.py — `make bench`: Nuthatch's micro-benchmarks next to a Linux
kernel booted under the same QEMU machine (docs/benchmarks.md).

Nuthatch: each benchmark program (user/p-bench-*.cc, and p-act-bench when
the tree has it) in its own QEMU boot, `run=NAME harness` on one CPU,
printing `bench: NAME median_cycles N ...` lines. The Linux guest: the
kernel image of the distribution's package (fetched once into obj/, or
--linux-kernel PATH) with an initramfs whose /init is
tests/bench/linux-bench.c built static, which runs the same operations and
prints the same lines on the serial console. Both boot on the machine
scripts/qemucmd.py builds, with the same accelerator and CPU: once under
TCG with `-icount shift=0` (the guest TSC then advances one tick per guest
instruction, so `median_cycles` become instructions per operation: the
"insns" columns, the same on any host for a given build and QEMU), once
without (TSC cycles over the guests' TSC rate, which both read from the
same QEMU: the "TCG ns" columns, emulator time). The same program run natively on the host is kept as a
reference column; QEMU's boot floor (tests/bench/floor.S) is timed against
Nuthatch's first user instruction. Prints one table and writes
obj/bench/results.json.

Ratios are Nuthatch / Linux guest. Targets (ROWS) are met when both the
insns and the ns ratio are at or below them; they are reported, never
asserted: the exit status is 0 whenever every run produced its numbers.

Easy to get wrong: under TCG a guest's TSC follows host time while QEMU
emulates, so ns figures measure the emulator running each kernel's code
(fair between the two guests, meaningless against native Linux). The
Linux guest must not be given more than Nuthatch: same -m, -smp, -cpu
(-smp 1, but 2 for the SMP_PROGRAMS rows and the smp2 guest).
`--accel auto` uses KVM only where it is hardware-assisted (see
qemucmd.kvm_problem) and a probe boot of Nuthatch itself works under it,
and says why when it falls back; `--accel kvm` on a host without
hardware-assisted KVM stops at once with the reason.
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
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import mkcpio                       # noqa: E402
import qemucmd                      # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OBJ = "obj"
KERNEL = os.path.join(OBJ, "kernel.elf")
FLOOR = os.path.join(OBJ, "bench", "floor.elf")
LINUX = os.path.join(OBJ, "bench", "linux-bench")
INITRAMFS = os.path.join(OBJ, "bench", "linux-initramfs.cpio")
LINUX_CACHE = os.path.join(OBJ, "bench", "linux-kernel")
# Debian's (then Ubuntu's) packages whose dependencies lead to a kernel image.
LINUX_PACKAGES = ["linux-image-cloud-amd64", "linux-image-amd64", "linux-image-virtual",
                  "linux-image-generic"]
# Deterministic and quiet: no address-space randomisation, no boot messages
# on the console, reboot (so QEMU exits, -no-reboot) at once on a panic. The
# words after "--" are the benchmark's own arguments (the timer rate).
LINUX_APPEND = "console=ttyS0 quiet nokaslr panic=-1"
# The file-system rows (fs-*). Nuthatch's bench-fs boots with its root disk
# (a snapshot: the image never changes). Linux's twin is a second guest, the
# disk guest: the distribution's generic kernel (the cloud one has no AHCI
# driver), its AHCI, SCSI-disk and ext4 modules (and what they need) in the
# initramfs, a fresh ext4 image the size of Nuthatch's attached the same way.
NUTHATCH_DISK = os.path.join(OBJ, "disk.img")
DISK_PROGRAMS = ("bench-fs",)
# Rows on two CPUs (every other row runs on one): Nuthatch's program booted
# with -smp 2, and Linux's twin in a third guest, the smp2 guest (the same
# kernel and initramfs with -smp 2; /init, given `smp2`, runs those rows
# only). Neither runs in the icount pass: under -icount QEMU runs the
# virtual CPUs round robin on one host thread, each until its time slice
# ends, so a CPU spinning for the other's answer counts a whole slice per
# hand-off (Nuthatch's 2-CPU boot did not finish in 300 s). Their target
# is judged on the TCG ns ratio alone.
SMP_PROGRAMS = {"bench-uthread-pool": 2}
SMP_KEYS = ("uthread-wake-other",)
FS_KEYS = ("fs-write", "fs-read", "fs-meta")
LINUX_DISK_PACKAGES = ["linux-image-amd64", "linux-image-generic"]
LINUX_DISK_CACHE = os.path.join(OBJ, "bench", "linux-disk-kernel")
LINUX_DISK_MODULES = ["ahci", "sd_mod", "ext4"]
DISK_INITRAMFS = os.path.join(OBJ, "bench", "linux-disk-initramfs.cpio")
LINUX_DISK_IMAGE = os.path.join(OBJ, "bench", "linux-disk.img")
DEFAULT_DISK_BYTES = 128 << 20          # Chickadee's 32768 blocks of 4 KiB
RESULTS = os.path.join(OBJ, "bench", "results.json")
LOGDIR = os.path.join(OBJ, "bench", "logs")
EXIT_PASS = 33

BENCH_LINE = re.compile(r"^bench: (\S+) median_cycles (\d+)", re.M)
MIN_LINE = re.compile(r"^bench: (\S+) median_cycles \d+ .*\bmin (\d+)", re.M)
COUNT_LINE = re.compile(r"^bench: (\S+) median_count (\d+)", re.M)
TSC_LINE = re.compile(r"timer: .*TSC (\d+) MHz")
LINUX_TSC_LINE = re.compile(r"^bench: tsc-mhz ([\d.]+)", re.M)
VULN_LINE = re.compile(r"^bench: linux-vulnerability (\S+): (.*)$", re.M)
RELEASE_LINE = re.compile(r"^bench: linux-release (\S+)", re.M)
FS_ROOT_LINE = re.compile(r"^bench: fs-root (\S+)", re.M)
DISK_LINE = re.compile(r"^bench: disk: (.*)$", re.M)
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
                 marker=None, name="run", extra=(), initrd=None, disk=None):
        # The same machine as `make run` and the tests (scripts/qemucmd.py):
        # Nuthatch and the Linux guest differ only in what is booted (and
        # the disk, always a snapshot: the image file never changes).
        args = [qemu, *qemucmd.machine_args("128M", ncpu, accel, cpu,
                                            os.path.join(LOGDIR, name + ".kernel.log"), extra,
                                            disk=disk, snapshot=True),
                "-display", "none", "-monitor", "none", "-serial", "stdio", "-kernel", image]
        if initrd is not None:
            args += ["-initrd", initrd]
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
        self.linux = {}         # native Linux: name -> cycles
        self.linux_counts = {}
        self.linux_tsc = None
        self.lg = {}            # Linux guest, timing pass: name -> cycles
        self.lg_counts = {}
        self.lg_tsc = None
        self.lg_insns = {}      # Linux guest, icount pass: name -> instructions
        self.lg_insns_counts = {}
        self.lg_info = {}       # kernel, package, release, command line, mitigations
        self.lg_disk_info = {}  # the disk guest's kernel, package, modules, image
        self.fs_root = None     # what bench-fs ran on: "disk" or "memfs"
        self.guest_tsc = None   # MHz, converts both guests' cycles to ns
        self.extra = {}         # boot / check times, seconds
        self.errors = []
        self.runs = 0

    # -- accelerator ------------------------------------------------------

    def choose_accel(self):
        want = self.o.accel
        if want == "tcg":
            return
        problem = qemucmd.kvm_problem()
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
        """(program, extra kernel arguments, label) of every benchmark boot:
        every user/p-bench-*.cc but bench-boot (the boot-time marker), the
        compute loop twice (default timer rate, then --hz)."""
        names = sorted(n for n in os.listdir(os.path.join(OBJ, "user"))
                       if n.startswith("bench-") and "." not in n       # not the .asm listings
                       and n not in ("bench-boot", "bench-compute"))
        runs = [(n, "", None) for n in names]
        runs += [("bench-compute", "", "lo"), ("bench-compute", f"hz={self.o.hz}", "hi")]
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
        disk = NUTHATCH_DISK if program in DISK_PROGRAMS and os.path.exists(NUTHATCH_DISK) \
            else None
        ncpu = SMP_PROGRAMS.get(program, 1)
        log(f"Nuthatch {program} {cmdline} ({accel}{' ' + ' '.join(extra) if extra else ''}"
            f"{', disk ' + disk if disk else ''}{f', {ncpu} CPUs' if ncpu > 1 else ''}) ...")
        r = qemu_run(self.o.qemu, accel, cpu, KERNEL, f"run={program} harness {cmdline}".strip(),
                     ncpu=ncpu, timeout=timeout * 3 if disk else timeout, name=name,
                     extra=extra, disk=disk)
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
            m = FS_ROOT_LINE.search(r.serial)
            if m:
                self.fs_root = m.group(1)
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
        """Every benchmark boot again under TCG with -icount shift=0, and the
        Linux guest's (the longest, so first). The counts do not depend on
        host load, so the boots run side by side, after the timing runs
        (whose numbers they would disturb). Not the 2-CPU rows (SMP_PROGRAMS)."""
        programs = [p for p in programs if p[0] not in SMP_PROGRAMS]
        jobs = max(1, min(self.o.jobs, len(programs) + 2))
        log(f"instruction counts (tcg -icount shift=0), {len(programs) + 2} boots, "
            f"{jobs} at a time ...")
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            linux = pool.submit(self.linux_guest, True) if self.lg_info.get("kernel") else None
            disk = pool.submit(self.linux_guest, True, True) \
                if self.lg_disk_info.get("image") else None
            boots = [pool.submit(self.guest, program, cmdline, True)
                     for program, cmdline, _ in programs]
            for (program, _, label), boot in zip(programs, boots):
                self.parse(boot.result(), program, label, self.insns, self.insns_counts,
                           fastest=False)
            if linux:
                r = linux.result()
                if r.ok():
                    self.lg_insns, self.lg_insns_counts, _ = parse_linux(r.serial, fastest=False)
            if disk:
                r = disk.result()
                if r.ok():
                    values, counts, _ = parse_linux(r.serial, fastest=False)
                    self.lg_insns.update(values)
                    self.lg_insns_counts.update(counts)

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

    # -- Linux ----------------------------------------------------------------

    def run_linux(self):
        log(f"Linux {LINUX} {self.o.hz} (native) ...")
        r = subprocess.run([LINUX, str(self.o.hz)], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            self.errors.append(f"linux-bench exited {r.returncode}: {r.stderr.strip()}")
        self.linux, self.linux_counts, self.linux_tsc = parse_linux(r.stdout, fastest=True)

    def find_linux_kernel(self):
        """The Linux guest's kernel: --linux-kernel PATH, else the image in the
        distribution's package (fetched once into obj/), else None with a
        note saying why the Linux-guest columns are empty."""
        want = self.o.linux_kernel
        if want == "none":
            self.warnings.append("Linux guest skipped (LINUX_KERNEL=none): its columns are empty")
            return
        if want:
            if not os.path.isfile(want):
                self.errors.append(f"LINUX_KERNEL={want}: no such file")
                return
            self.lg_info.update(kernel=want, package="(given with LINUX_KERNEL)")
            return
        try:
            self.lg_info.update(fetch_linux_kernel(LINUX_CACHE))
        except linux_unavailable as e:
            self.warnings.append(f"Linux guest skipped, its columns are empty: {e}. Give a "
                                 "kernel image (bzImage) with LINUX_KERNEL=PATH")

    def find_linux_disk_guest(self):
        """The disk guest's kernel and modules (the distribution's generic
        kernel; with LINUX_KERNEL=PATH that image, whose AHCI, SCSI-disk and
        ext4 drivers must then be built in), its initramfs and a fresh ext4
        image the size of Nuthatch's disk; or a note saying why the fs rows'
        Linux columns are empty."""
        want = self.o.linux_kernel
        if want == "none" or (want and not os.path.isfile(want)):
            return
        try:
            if want:
                self.lg_disk_info.update(kernel=want, package="(given with LINUX_KERNEL)",
                                         modules=[])
            else:
                self.lg_disk_info.update(fetch_linux_kernel(LINUX_DISK_CACHE, LINUX_DISK_PACKAGES,
                                                            LINUX_DISK_MODULES))
            disk_initramfs(INITRAMFS, self.lg_disk_info["modules"], DISK_INITRAMFS)
            size = os.path.getsize(NUTHATCH_DISK) if os.path.exists(NUTHATCH_DISK) \
                else DEFAULT_DISK_BYTES
            make_ext4(LINUX_DISK_IMAGE, size)
            self.lg_disk_info.update(image=LINUX_DISK_IMAGE, image_bytes=size)
            self.lg_disk_info["modules"] = [os.path.basename(m)
                                            for m in self.lg_disk_info["modules"]]
        except linux_unavailable as e:
            self.lg_disk_info.pop("image", None)
            self.warnings.append(f"Linux disk guest skipped, the fs rows' Linux columns are "
                                 f"empty: {e}")

    def linux_guest(self, icount=False, disk=False, smp2=False):
        """One boot of the Linux guest: the kernel with obj/bench/linux-initramfs.cpio,
        whose /init is tests/bench/linux-bench.c built static, on the same
        machine as Nuthatch's column (the icount pass's, or the timing pass's).
        disk: the disk guest instead (its kernel, modules and ext4 disk;
        /init runs the fs rows only). smp2: the smp2 guest (the same kernel
        on two CPUs; /init runs the two-CPU rows only)."""
        kind = "linux-disk-guest" if disk else "linux-smp2-guest" if smp2 else "linux-guest"
        name = ("icount-" if icount else "") + kind
        info = self.lg_disk_info if disk else self.lg_info
        accel, cpu, extra = (ICOUNT_ACCEL, ICOUNT_CPU, ICOUNT_ARGS) if icount else \
            (self.accel, self.cpu, [])
        mode = "disk " if disk else "smp2 " if smp2 else ""
        # idle=halt on two CPUs: Linux's default idle waits in MWAIT and is
        # woken by a write to the line it monitors, which QEMU's TCG does
        # not implement (the sleeping CPU then waits for its next interrupt,
        # tens of milliseconds); HLT is woken by the IPI, as Nuthatch's is.
        idle = "idle=halt " if smp2 else ""
        append = (f"{LINUX_APPEND} {idle}{self.o.linux_append} -- {mode}"
                  f"{self.o.hz}").replace("  ", " ")
        if not smp2:
            info["append"] = append
        log(f"Linux {mode}guest ({accel}"
            f"{' ' + ' '.join(extra) if extra else ''}) ...")
        r = qemu_run(self.o.qemu, accel, cpu, info["kernel"], append, ncpu=2 if smp2 else 1,
                     initrd=DISK_INITRAMFS if disk else INITRAMFS,
                     timeout=self.o.linux_timeout, marker="linux-guest start", name=name,
                     extra=extra, disk=info["image"] if disk else None)
        self.runs += 1
        why = "; ".join(DISK_LINE.findall(r.serial)[-1:])
        if not r.ok():
            self.errors.append(f"{name}: {r.error}{' (' + why + ')' if why else ''} "
                               f"(log: {LOGDIR}/{name}.serial.log)")
        elif "bench: linux-guest done" not in r.serial:
            self.errors.append(f"{name}: ended without finishing (log: {LOGDIR}/{name}.serial.log)")
        m = RELEASE_LINE.search(r.serial)
        if m:
            info["release"] = m.group(1)
        vulns = dict(VULN_LINE.findall(r.serial))
        if vulns:
            info["vulnerabilities"] = vulns
        if r.marker_s is not None:
            self.extra[name + "-boot-to-init"] = r.marker_s
        self.extra[name + "-total"] = r.seconds
        return r

    def run_linux_guest(self):
        if self.lg_info.get("kernel"):
            r = self.linux_guest(False)
            if r.ok():
                self.lg, self.lg_counts, self.lg_tsc = parse_linux(r.serial, fastest=True)
        if self.lg_disk_info.get("image"):
            r = self.linux_guest(False, True)
            if r.ok():
                values, counts, _ = parse_linux(r.serial, fastest=True)
                self.lg.update(values)
                self.lg_counts.update(counts)
        if self.lg_info.get("kernel"):
            r = self.linux_guest(False, False, True)
            if r.ok():
                values, counts, _ = parse_linux(r.serial, fastest=True)
                self.lg.update(values)
                self.lg_counts.update(counts)

    # -- table --------------------------------------------------------------

    def rows(self):
        nt = sorted(self.nut_tsc)[len(self.nut_tsc) // 2] if self.nut_tsc else None
        # Both guests read the same virtual TSC (QEMU's, same accelerator,
        # same host), so one rate converts both, and the ns ratio is the
        # cycle ratio. The Linux guest's figure (200 ms against its clock)
        # is the steadier; Nuthatch's boot-time calibration drifts when the
        # host is loaded.
        gt = self.lg_tsc or nt
        if nt and self.lg_tsc and abs(nt - self.lg_tsc) > 0.05 * self.lg_tsc:
            self.warnings.append(f"Nuthatch calibrated its TSC at {nt} MHz, the Linux guest "
                                 f"measured {self.lg_tsc} MHz on the same QEMU (a loaded "
                                 "host?); both ns columns use the Linux guest's")
        self.guest_tsc = gt
        hz = self.o.hz
        sides = {
            # side: (values, counts, TSC MHz or None for instruction counts, Nuthatch?)
            "nut_insns": (self.insns, self.insns_counts, None, True),
            "lg_insns": (self.lg_insns, self.lg_insns_counts, None, False),
            "nut_ns": (self.nut, self.nut_counts, gt, True),
            "lg_ns": (self.lg, self.lg_counts, gt, False),
            "native_ns": (self.linux, self.linux_counts, self.linux_tsc, False),
        }
        out = []
        for op, nut_figure, linux_figure, target in ROWS:
            row = {"operation": op.format(hz=hz), "target_ratio": target}
            row["fs"] = nut_figure in FS_KEYS
            row["smp"] = nut_figure in SMP_KEYS
            if row["fs"] and self.fs_root and self.fs_root != "disk":
                row["operation"] += f" [Nuthatch: {self.fs_root}]"
            for side, (values, counts, mhz, nuthatch) in sides.items():
                figure = nut_figure if nuthatch else linux_figure
                v = figure_of(figure, values, counts, nuthatch, self.warnings, SIDE_NAMES[side])
                if mhz is not None:
                    row[side.replace("_ns", "_cycles")] = v
                    v = v * 1000 / mhz if v is not None and mhz else None
                row[side] = v
            row["insns_ratio"] = ratio(row["nut_insns"], row["lg_insns"])
            row["ns_ratio"] = ratio(row["nut_ns"], row["lg_ns"])
            row["native_ratio"] = ratio(row["nut_ns"], row["native_ns"])
            row["linux_twin"] = linux_figure is not None
            row["target"] = verdict(target, row["insns_ratio"], row["ns_ratio"], row["smp"])
            if row["fs"] and self.fs_root != "disk":
                row["target"] = "n/a"       # not Nuthatch's disk: nothing to judge
            out.append(row)
        return out, nt

    def print_table(self, rows, nt):
        accel = self.accel.upper()

        def num(v, digits=0):
            return "-" if v is None else f"{v:,.{digits}f}"

        def rat(v):
            return "-" if v is None else f"{v:.2f}x"

        table = [("operation", "Nuthatch insns", "Linux-guest insns", "ratio",
                  f"Nuthatch {accel} ns", f"Linux-guest {accel} ns", "ratio", "native Linux ns",
                  "target (insns and ns)")]
        for r in rows:
            if not r["linux_twin"]:
                target = "no Linux twin"
            elif r["target_ratio"] is None:
                target = ""
            else:
                target = f"<= {r['target_ratio']}x {r['target']}"
            table.append((r["operation"], num(r["nut_insns"]), num(r["lg_insns"]),
                          rat(r["insns_ratio"]), num(r["nut_ns"]), num(r["lg_ns"]),
                          rat(r["ns_ratio"]), num(r["native_ns"]), target))
        print()
        print(f"Nuthatch and a Linux guest ({self.lg_info.get('release', 'not run')}) on the same "
              f"QEMU machine; ratio = Nuthatch / Linux guest (below 1: Nuthatch is cheaper)")
        print("insns: guest instructions per operation under TCG -icount shift=0 "
              "(deterministic: the same on any host for this build and QEMU)")
        print(f"{accel} ns: guest TSC cycles / the guests' TSC rate ({self.guest_tsc or '?'} MHz); "
              f"native Linux: this host ({self.linux_tsc or '?'} MHz), for reference only")
        print("\n".join(format_table(table)))
        b = self.extra
        for accel_name in ("tcg", "kvm"):
            fl, nu = b.get(f"boot-floor-{accel_name}"), b.get(f"boot-nuthatch-{accel_name}")
            if fl is None or nu is None:
                continue
            over = nu - fl
            line = (f"boot to 1st user insn ({accel_name}): {nu * 1000:.0f} ms, QEMU floor "
                    f"{fl * 1000:.0f} ms, {over * 1000:+.0f} ms")
            if accel_name == "tcg":
                line += f" (target <= +100 ms: {'met' if over <= 0.1 else 'missed'})"
            print(line)
        if "linux-guest-boot-to-init" in b:
            print(f"Linux guest boot to /init ({self.accel}): "
                  f"{b['linux-guest-boot-to-init'] * 1000:.0f} ms")
        if "make-check" in b:
            print(f"make check (wall): {b['make-check']:.1f} s, {b['make-check-summary']}")
        vulns = self.lg_info.get("vulnerabilities")
        if vulns:
            on = [f"{k} ({v.split(':', 1)[1].strip()})" for k, v in sorted(vulns.items())
                  if v.startswith("Mitigation")]
            print(f"Linux guest command line: {self.lg_info.get('append')}; mitigations on: "
                  + ("; ".join(on) if on else "none"))
        if self.accel == "tcg":
            print(f"note: under TCG the ns columns measure QEMU's emulator running each kernel's "
                  "code; the insns columns do not depend on the host at all")
        if any(r.get("smp") for r in rows):
            print("note: the 2-CPU row boots both kernels with -smp 2 (the Linux smp2 guest) and "
                  "has no insns figures: under -icount QEMU runs the CPUs round robin, a CPU "
                  "spinning for the other's answer counting a whole time slice; its target is "
                  "judged on the ns ratio alone")
        if any(r.get("fs") for r in rows):
            print(f"note: fs rows: Nuthatch on {self.fs_root or '?'}, Linux "
                  f"({self.lg_disk_info.get('release', 'not run')}) on ext4 (data=ordered) on the "
                  "same emulated AHCI disk; their insns columns also count the ticks the guest "
                  "sat idle waiting for the disk (the virtual clock runs in host time while the "
                  "CPU is halted), so they are not pure instruction counts and vary between runs")
            if self.fs_root and self.fs_root != "disk":
                print(f"note: Nuthatch's fs rows ran on its {self.fs_root} (no disk file system as "
                      "root in this tree or no obj/disk.img): they measure no disk at all")
        for w in self.warnings:
            print(f"note: {w}")
        for e in self.errors:
            print(f"error: {e}")
        print(f"results: {RESULTS}")


SIDE_NAMES = {"nut_insns": "Nuthatch (icount)", "lg_insns": "Linux guest (icount)",
              "nut_ns": "Nuthatch (timing)", "lg_ns": "Linux guest (timing)",
              "native_ns": "native Linux"}

# One line per row of the table: operation (`{hz}` is --hz), Nuthatch's
# figure, the Linux programs' figure (None: no Linux twin), target ratio
# (None: none). A figure is the NAME of a `bench: NAME median_cycles N`
# line, a tuple of names (their sum), or TICK (cost per timer event: the
# compute loop with the fast timer minus without, over the extra events).
# Adding a row: a Nuthatch program user/p-bench-NAME.cc printing that line
# (found by name), a function in tests/bench/linux-bench.c printing the
# same NAME (listed in its `benchmarks`), and a line here.
TICK = "tick"
ROWS = [
    ("null syscall (getpid)", "syscall-getpid", "syscall-getpid", 0.25),
    ("yield switch, 1 CPU", "yield-switch", "yield-switch", 0.25),
    ("fork + exit + waitpid", "fork-exit-waitpid", "fork-exit-waitpid", 0.5),
    ("fork + exec + exit + waitpid", "fork-exec-exit-waitpid", "fork-exec-exit-waitpid", 0.5),
    ("thread create + join (uthread / pthread)", "thread-create-join", "thread-create-join",
     0.5),
    ("user-thread switch (uthread / swapcontext)", "uthread-switch", "uthread-switch", 0.5),
    ("kernel thread create + join (clone + texit / clone + exit + futex)",
     "kthread-create-join", "kthread-create-join", 0.5),
    ("user thread woken on the other CPU, 2 CPUs (pool / pthread cond)",
     "uthread-wake-other", "uthread-wake-other", 0.5),
    ("pipe ping-pong, per round trip", "pipe-pingpong", "pipe-pingpong", 0.5),
    ("pipe throughput, per 64 KiB", "pipe-throughput", "pipe-throughput", 0.5),
    ("act: entry -> handler", "act-entry", None, None),
    ("act: handler -> resumed, fast", "act-fast", None, None),
    ("act: handler -> resumed, exact", "act-exact", None, None),
    ("act fast round trip / signal", ("act-entry", "act-fast"), "signal-roundtrip", 0.25),
    ("act exact round trip / signal", ("act-entry", "act-exact"), "signal-roundtrip", 0.5),
    ("cost per tick at hz={hz}", TICK, TICK, 0.5),
    # Provisional targets (docs/benchmarks.md): the large-file rows at least
    # as fast as ext4 on the same disk, the small-file row twice as fast
    # (chickadeefs: one flat directory, no allocation groups or htree).
    ("file write 8 MiB + sync, per 64 KiB", "fs-write", "fs-write", 1.0),
    ("file read 8 MiB cold, per 64 KiB", "fs-read", "fs-read", 1.0),
    ("small file create+write+unlink, per file", "fs-meta", "fs-meta", 0.5),
]
# The compute loop's names on each side: (without timer, with), and the
# matching event counts.
TICK_KEYS = {True: ("compute-lo", "compute-hi", "compute-lo", "compute-hi"),
             False: ("compute-loop", "compute-loop-timer", "compute-loop-signals",
                     "compute-loop-timer-signals")}


def figure_of(figure, values, counts, nuthatch, warnings=None, what=""):
    """One row's figure from one side's parsed values, or None."""
    if figure is None:
        return None
    if figure == TICK:
        lo, hi, clo, chi = TICK_KEYS[nuthatch]
        if None in (values.get(lo), values.get(hi), counts.get(clo), counts.get(chi)) \
                or counts[chi] <= counts[clo]:
            return None
        if values[hi] <= values[lo]:
            if warnings is not None:
                warnings.append(f"{what}: compute loop no slower with the timer (host noise?)")
            return None
        return (values[hi] - values[lo]) // (counts[chi] - counts[clo])
    if isinstance(figure, tuple):
        parts = [values.get(k) for k in figure]
        return None if None in parts else sum(parts)
    return values.get(figure)


def ratio(a, b):
    return a / b if a is not None and b else None


def verdict(target, insns_ratio, ns_ratio, ns_only=False):
    """A target is met when both ratios are at or below it; n/a when either is missing.
    ns_only: a 2-CPU row, which has no insns figures (SMP_PROGRAMS)."""
    if target is None:
        return None
    if ns_only:
        return "n/a" if ns_ratio is None else "met" if ns_ratio <= target else "missed"
    if insns_ratio is None or ns_ratio is None:
        return "n/a"
    return "met" if insns_ratio <= target and ns_ratio <= target else "missed"


def parse_linux(text, fastest):
    """(values, counts, TSC MHz) from linux-bench's output, native or from the
    guest's serial console. fastest: the compute loops' fastest trial (least
    host noise, for timing) instead of their median."""
    values, counts = {}, {}
    for m in BENCH_LINE.finditer(text):
        values[m.group(1)] = int(m.group(2))
    if fastest:
        for m in MIN_LINE.finditer(text):
            if m.group(1).startswith("compute-loop"):
                values[m.group(1)] = int(m.group(2))
    for m in COUNT_LINE.finditer(text):
        counts[m.group(1)] = int(m.group(2))
    m = LINUX_TSC_LINE.search(text)
    return values, counts, float(m.group(1)) if m else None


def format_table(table):
    """Lines of an aligned text table: first column left, others right."""
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    lines = []
    for n, row in enumerate(table):
        lines.append("  ".join(cell.ljust(widths[k]) if k == 0 else cell.rjust(widths[k])
                               for k, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


class linux_unavailable(Exception):
    pass


def run_quiet(args, cwd=None):
    return subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)


def kernel_package(apt_cache="apt-cache", packages=None):
    """The first of packages (LINUX_PACKAGES) the package lists know, followed
    through its dependencies to the versioned package that holds the image."""
    for name in packages or LINUX_PACKAGES:
        seen = []
        while name and name not in seen and len(seen) < 4:
            seen.append(name)
            r = run_quiet([apt_cache, "depends", "--important", name])
            if r.returncode != 0 or not r.stdout.strip():
                break
            deps = re.findall(r"^\s*Depends: (linux-image-\S+)$", r.stdout, re.M)
            if not deps:
                return name     # holds the image itself
            name = deps[0]
    return None


def modinfo(data):
    """{key: [values]} of a kernel module's .modinfo section (the
    NUL-separated key=value strings modinfo(8) prints), from the ELF bytes."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def section(i):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        return name, offset, size
    _, stroff, _ = section(shstrndx)
    out = {}
    for i in range(shnum):
        name, offset, size = section(i)
        if data[stroff + name:data.index(b"\0", stroff + name)] != b".modinfo":
            continue
        for item in data[offset:offset + size].split(b"\0"):
            key, eq, value = item.decode("utf-8", "replace").partition("=")
            if eq:
                out.setdefault(key, []).append(value)
    return out


def module_name(name):
    """A module's canonical name: the file name without .ko, '-' as '_'."""
    return os.path.basename(name).removesuffix(".ko").replace("-", "_")


def module_order(roots, info, aliases):
    """The modules to load for roots, each after what it needs: its
    `depends`, and before those its soft `pre:` dependencies (named by
    alias, such as crypto-crc32c for ext4's checksums: every module with
    that alias, as modprobe loads them, say crc32c_generic and the faster
    crc32c_intel). info: name -> modinfo dict; aliases: alias -> [names].
    A root that is not a module is taken to be built in, and left out."""
    order, seen = [], set()

    def visit(name):
        if name in seen or name not in info:
            return
        seen.add(name)
        for soft in info[name].get("softdep", []):
            words = soft.split()
            pre = words[words.index("pre:") + 1:] if "pre:" in words else []
            for word in pre:
                if word.endswith(":"):
                    break
                for provider in aliases.get(word, [module_name(word)]):
                    visit(provider)
        for dep in info[name].get("depends", []):
            for d in dep.split(","):
                if d:
                    visit(module_name(d))
        order.append(name)
    for root in roots:
        visit(module_name(root))
    return order


def extract_modules(deb, cache, roots):
    """Unpack the modules roots need (module_order) from the kernel package
    deb into cache/modules/NN-NAME.ko, numbered in load order."""
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        r = subprocess.run(["tar", "-x", "-C", tmp, "--wildcards", "./lib/modules/*.ko"],
                           stdin=tar.stdout, capture_output=True, text=True)
        tar.stdout.close()
        tar.wait()
        if r.returncode != 0:
            raise linux_unavailable(f"{os.path.basename(deb)}: no modules: {r.stderr.strip()}")
        paths, info, aliases = {}, {}, {}
        for d, _, files in os.walk(tmp):
            for f in files:
                if f.endswith(".ko"):
                    name = module_name(f)
                    paths[name] = os.path.join(d, f)
                    with open(paths[name], "rb") as fh:
                        info[name] = modinfo(fh.read())
                    for a in info[name].get("alias", []):
                        aliases.setdefault(a, []).append(name)
        for names in aliases.values():
            names.sort()                # the same order whatever the directory order
        order = module_order(roots, info, aliases)
        out = os.path.join(cache, "modules")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for n, name in enumerate(order, start=1):
            shutil.copyfile(paths[name], os.path.join(out, f"{n:02d}-{name}.ko"))
    return order


def cached_modules(cache):
    d = os.path.join(cache, "modules")
    return [os.path.join(d, f) for f in sorted(os.listdir(d))] if os.path.isdir(d) else []


def fetch_linux_kernel(cache, packages=None, modules=()):
    """{kernel, package[, modules]}: the image from the distribution's kernel
    package (the first of packages, LINUX_PACKAGES by default), downloaded
    (apt-get download, no root needed) and unpacked once into cache; later
    runs reuse it. With modules (names), also those modules and what they
    need, in load order (extract_modules). Raises linux_unavailable with
    the reason."""
    found = sorted(f for f in os.listdir(cache) if f.startswith("vmlinuz-")) \
        if os.path.isdir(os.path.join(cache)) else []
    stamp = os.path.join(cache, "package")
    modules_done = os.path.join(cache, "modules.done")
    if found and os.path.exists(stamp) and (not modules or os.path.exists(modules_done)):
        with open(stamp) as f:
            got = {"kernel": os.path.join(cache, found[-1]), "package": f.read().strip()}
        if modules:
            got["modules"] = cached_modules(cache)
        return got
    for tool in ("apt-get", "apt-cache", "dpkg-deb"):
        if not any(os.access(os.path.join(d, tool), os.X_OK)
                   for d in os.environ.get("PATH", "").split(os.pathsep)):
            raise linux_unavailable(f"no {tool} (not a Debian/Ubuntu system)")
    packages = packages or LINUX_PACKAGES
    package = kernel_package(packages=packages)
    if package is None and os.geteuid() == 0:
        run_quiet(["apt-get", "update", "-qq"])       # fresh machines have no lists yet
        package = kernel_package(packages=packages)
    if package is None:
        raise linux_unavailable("the package lists know none of " + ", ".join(packages))
    os.makedirs(cache, exist_ok=True)
    log(f"fetching the Linux guest's kernel: apt-get download {package} ...")
    for f in os.listdir(cache):
        if f.endswith(".deb"):
            os.remove(os.path.join(cache, f))
    r = run_quiet(["apt-get", "download", "-q", package], cwd=cache)
    debs = [f for f in os.listdir(cache) if f.endswith(".deb")]
    if r.returncode != 0 or not debs:
        last = (r.stderr.strip().splitlines() or ["no message"])[-1]
        raise linux_unavailable(f"apt-get download {package} failed: {last}")
    deb = os.path.join(cache, debs[0])
    # `dpkg -x` of only the image: the package's modules (~100 MB) are not needed.
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    r = subprocess.run(["tar", "-x", "-C", cache, "--wildcards", "--strip-components=2",
                        "./boot/vmlinuz-*"], stdin=tar.stdout, capture_output=True, text=True)
    tar.stdout.close()
    tar.wait()
    found = sorted(f for f in os.listdir(cache) if f.startswith("vmlinuz-"))
    if r.returncode != 0 or not found:
        os.remove(deb)
        raise linux_unavailable(f"{debs[0]} holds no boot/vmlinuz-*: {r.stderr.strip()}")
    got = {"kernel": os.path.join(cache, found[-1]), "package": debs[0][:-4]}
    if modules:
        log(f"unpacking the modules {', '.join(modules)} need from {debs[0]} ...")
        try:
            extract_modules(deb, cache, modules)
        finally:
            os.remove(deb)
        with open(modules_done, "w") as f:
            f.write("\n")
        got["modules"] = cached_modules(cache)
    else:
        os.remove(deb)
    with open(stamp, "w") as f:
        f.write(debs[0][:-4] + "\n")
    return got


def disk_initramfs(base, modules, out):
    """The disk guest's initramfs: the ordinary one (base: /init and its
    files) followed by a second newc archive holding /modules/NN-NAME.ko.
    Linux unpacks concatenated archives one after the other."""
    with open(base, "rb") as f:
        data = f.read()
    entries = [mkcpio.directory("modules")]
    for path in modules:
        with open(path, "rb") as f:
            entries.append(mkcpio.regular_file("modules/" + os.path.basename(path), f.read(),
                                               mode=0o644))
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data + mkcpio.archive(entries))
    os.replace(tmp, out)


def make_ext4(path, size):
    """A fresh ext4 file system of size bytes in path, 4 KiB blocks like
    chickadeefs, its inode tables and journal written now (no lazy
    initialisation: the guest's kernel would otherwise finish it in the
    background during the benchmark). Raises linux_unavailable."""
    tool = shutil.which("mkfs.ext4") or shutil.which("mkfs.ext4", path="/sbin:/usr/sbin")
    if not tool:
        raise linux_unavailable("no mkfs.ext4 (e2fsprogs) for the Linux disk guest's image")
    if os.path.exists(path):
        os.remove(path)
    with open(path, "wb") as f:
        f.truncate(size)
    r = run_quiet([tool, "-q", "-F", "-b", "4096", "-L", "nhbench",
                   "-E", "lazy_itable_init=0,lazy_journal_init=0", path])
    if r.returncode != 0:
        raise linux_unavailable(f"mkfs.ext4 failed: {r.stderr.strip()}")


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


def reprint(options):
    """The table again from results.json's raw figures (rows recomputed with
    this version of ROWS and the conversions)."""
    with open(RESULTS) as f:
        saved = json.load(f)
    raw = saved["raw"]
    options.hz = saved.get("timer_hz_high", options.hz)
    b = bench(options)
    b.accel, b.cpu = saved["accel"], saved["cpu_model"]
    b.nut, b.nut_counts = raw["nuthatch"], raw["nuthatch_counts"]
    b.insns, b.insns_counts = raw["nuthatch_insns"], raw["nuthatch_insns_counts"]
    b.linux, b.linux_counts = raw["linux"], raw["linux_counts"]
    b.lg, b.lg_counts = raw.get("linux_guest", {}), raw.get("linux_guest_counts", {})
    b.lg_insns = raw.get("linux_guest_insns", {})
    b.lg_insns_counts = raw.get("linux_guest_insns_counts", {})
    b.extra, b.lg_info = raw["seconds"], saved.get("linux_guest", {})
    b.lg_disk_info, b.fs_root = saved.get("linux_disk_guest", {}), saved.get("nuthatch_fs_root")
    nt = saved.get("nuthatch_calibrated_tsc_mhz", saved.get("guest_tsc_mhz"))
    b.nut_tsc = [nt] if nt else []
    b.lg_tsc, b.linux_tsc = saved.get("linux_guest_tsc_mhz"), saved.get("host_tsc_mhz")
    b.print_table(b.rows()[0], nt)
    print(f"(from the run of {saved['date']}, {saved['machine']['cpu']})")
    return 0


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
    parser.add_argument("--linux-kernel", default="",
                        help="the Linux guest's kernel image (default: from the distribution's "
                             "package, cached in obj/bench/linux-kernel); 'none' skips the guest")
    parser.add_argument("--linux-append", default="",
                        help="extra words for the Linux guest's command line "
                             "(e.g. mitigations=off)")
    parser.add_argument("--linux-timeout", type=int, default=300,
                        help="seconds for one Linux guest boot")
    parser.add_argument("--reprint", action="store_true",
                        help="print the table of the last run (obj/bench/results.json) again")
    options = parser.parse_args()
    os.chdir(ROOT)
    if options.reprint:
        return reprint(options)
    os.makedirs(LOGDIR, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    for path in (KERNEL, FLOOR, LINUX, INITRAMFS):
        if not os.path.exists(path):
            sys.exit(f"bench: {path} is missing (run `make bench`)")
    started = time.monotonic()
    b = bench(options)
    b.choose_accel()
    b.find_linux_kernel()
    b.find_linux_disk_guest()
    programs = b.programs()
    phases = {}
    steps = [("linux", b.run_linux), ("timing", lambda: b.run_guest_benchmarks(programs)),
             ("linux-guest", b.run_linux_guest), ("boot", b.boot_times),
             ("icount", lambda: b.run_icount_benchmarks(programs))]
    if options.check:
        steps.append(("make-check", b.check_time))
    for phase, step in steps:
        t = time.monotonic()
        step()
        phases[phase] = round(time.monotonic() - t, 1)
    rows, nt = b.rows()
    qemu_version = subprocess.run([options.qemu, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[:1]
    version = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True).stdout.strip()
    result = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "machine": machine(), "qemu": qemu_version[0] if qemu_version else "",
              "nuthatch_version": version, "accel": b.accel, "cpu_model": b.cpu,
              "guest_tsc_mhz": b.guest_tsc, "nuthatch_calibrated_tsc_mhz": nt,
              "linux_guest_tsc_mhz": b.lg_tsc, "host_tsc_mhz": b.linux_tsc,
              "timer_hz_high": options.hz, "linux_guest": b.lg_info,
              "linux_disk_guest": b.lg_disk_info, "nuthatch_fs_root": b.fs_root,
              "insns_qemu_args": ["-accel", ICOUNT_ACCEL, "-cpu", ICOUNT_CPU, *ICOUNT_ARGS],
              "warnings": b.warnings, "errors": b.errors, "rows": rows,
              "raw": {"nuthatch": b.nut, "nuthatch_counts": b.nut_counts, "linux": b.linux,
                      "linux_counts": b.linux_counts, "nuthatch_insns": b.insns,
                      "nuthatch_insns_counts": b.insns_counts, "linux_guest": b.lg,
                      "linux_guest_counts": b.lg_counts, "linux_guest_insns": b.lg_insns,
                      "linux_guest_insns_counts": b.lg_insns_counts, "seconds": b.extra},
              "phases_s": phases, "elapsed_s": round(time.monotonic() - started, 1)}
    with open(RESULTS, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    b.print_table(rows, nt)
    print(f"({result['elapsed_s']} s: " + ", ".join(f"{k} {v} s" for k, v in phases.items()) +
          f"; {result['date']}, {result['machine']['cpu']})")
    return 1 if b.errors else 0


if __name__ == "__main__":
    sys.exit(main())
