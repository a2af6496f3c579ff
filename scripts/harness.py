#!/usr/bin/env python3
"""harness.py — find Nuthatch's tests, run them in parallel, report verdicts.

Kinds of test, each one file:
  tests/kernel/NAME.cc   in-kernel test, booted with `test=NAME harness`
  tests/user/p-NAME.cc   user program, booted with `run=NAME harness`; unless
                         it says otherwise (any `expect`, or `result: fail`)
                         it must print a line ending in `succeeded!`
  tests/boot/NAME.test   a boot path (GRUB ISO, UEFI, gdb ...); `key: value`
                         lines, `#` comments
  tests/host/*.cc        GoogleTest cases, one report line per case

Directives, in `//! key: value` lines of a .cc file or in a .test file:
  expect REGEX       must appear in the serial output (repeatable)
  reject REGEX       must not appear in it (repeatable)
  result pass|fail   the verdict the kernel should give (default pass)
  ncpu N...          CPU counts to boot with, one run each (default 1 4)
  timeout SECONDS    per run (default 30)
  mem SIZE           guest memory (default 128M)
  boot kernel|iso|uefi  qemu -kernel, GRUB ISO under BIOS, or under OVMF
  cmdline WORDS      extra kernel command-line words
  qemu ARGS          extra QEMU arguments
  requires TOOLS     tools that must exist, else the test is skipped
  gdb FILE           gdb commands (path relative to the test file) run in
                     batch mode against QEMU started stopped; the harness
                     connects first with scripts/gdb/nuthatch.gdb
  gdb-expect REGEX   must appear in gdb's output (repeatable)
Only in .test files: `ktest: NAME` or `program: NAME` picks what to boot and
inherits that test file's directives (the .test file's own come after).

Regexes are Python `re` patterns in MULTILINE mode, matched against the
serial log with terminal escape sequences and carriage returns removed.

Easy to get wrong: QEMU's exit status is the kernel's verdict only when the
kernel wrote to isa-debug-exit (33 pass, 35 fail). Every other status means
the run ended some other way (power-off, reset, QEMU error), and that is a
failure whatever the test expected.
"""

import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OBJ = "obj"
LOGDIR = os.path.join(OBJ, "test-logs")
KERNEL = os.path.join(OBJ, "kernel.elf")
OVMF = "/usr/share/ovmf/OVMF.fd"
GDB_SCRIPT = os.path.join("scripts", "gdb", "nuthatch.gdb")

EXIT_PASS, EXIT_FAIL = 33, 35
LIST_KEYS = {"expect", "reject", "gdb-expect"}
SCALAR_KEYS = {"result", "ncpu", "timeout", "mem", "boot", "cmdline", "qemu",
               "requires", "gdb"}
TEST_FILE_KEYS = {"ktest", "program"}
DEFAULTS = {"result": "pass", "ncpu": "1 4", "timeout": "30", "mem": "128M",
            "boot": "kernel", "cmdline": "", "qemu": "", "requires": "",
            "gdb": ""}

# Requirements that are not commands on PATH.
RESOURCES = {
    "ovmf": lambda: os.path.exists(OVMF),
    "grub-pc": lambda: os.path.isdir("/usr/lib/grub/i386-pc"),
    "grub-efi": lambda: os.path.isdir("/usr/lib/grub/x86_64-efi"),
}
BOOT_REQUIRES = {
    "kernel": [],
    "iso": ["grub-mkrescue", "xorriso", "grub-pc"],
    "uefi": ["grub-mkrescue", "xorriso", "mformat", "grub-efi", "ovmf"],
}

ANSI_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")


class test_error(Exception):
    """A test file that cannot be understood (reported as a failure)."""


# ---------------------------------------------------------------------------
# Discovery

class test_spec:
    def __init__(self, name, kind, path):
        self.name = name
        self.kind = kind            # "kernel", "user", "boot"
        self.path = path
        self.base_cmdline = "harness"
        self.lists = {k: [] for k in LIST_KEYS}
        self.scalars = dict(DEFAULTS)
        self.error = None

    def apply(self, key, value, where):
        if key in LIST_KEYS:
            try:
                re.compile(value)
            except re.error as e:
                raise test_error(f"{where}: bad regex for {key}: {e}")
            self.lists[key].append(value)
        elif key in SCALAR_KEYS:
            self.scalars[key] = value
        else:
            raise test_error(f"{where}: unknown directive '{key}'")

    def check(self):
        s = self.scalars
        if s["result"] not in ("pass", "fail"):
            raise test_error(f"{self.path}: result must be pass or fail")
        if s["boot"] not in BOOT_REQUIRES:
            raise test_error(f"{self.path}: boot must be kernel, iso or uefi")
        try:
            self.ncpus = [int(n) for n in s["ncpu"].split()]
            self.timeout = float(s["timeout"])
        except ValueError:
            raise test_error(f"{self.path}: ncpu and timeout must be numbers")
        if not self.ncpus:
            raise test_error(f"{self.path}: ncpu lists no CPU counts")

    def cmdline(self):
        return " ".join(w for w in (self.base_cmdline, self.scalars["cmdline"]) if w)


def split_directive(line, where):
    key, sep, value = line.partition(":")
    if not sep:
        raise test_error(f"{where}: expected 'key: value', got '{line}'")
    return key.strip(), value.strip()


def read_source_directives(spec, path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("//! "):
                key, value = split_directive(line[4:].strip(), f"{path}:{number}")
                spec.apply(key, value, f"{path}:{number}")


def load_source_test(name, kind, path, cmdline):
    spec = test_spec(name, kind, path)
    spec.base_cmdline = cmdline
    try:
        read_source_directives(spec, path)
        spec.check()
    except (test_error, OSError) as e:
        spec.error = str(e)
    return spec


def load_boot_test(path):
    name = os.path.basename(path)[:-len(".test")]
    spec = test_spec(name, "boot", path)
    try:
        with open(path, encoding="utf-8") as f:
            lines = [(n, l.strip()) for n, l in enumerate(f, 1)]
        for number, line in lines:
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{number}"
            key, value = split_directive(line, where)
            if key == "ktest":
                spec.base_cmdline = f"test={value} harness"
                read_source_directives(spec, os.path.join("tests", "kernel", value + ".cc"))
            elif key == "program":
                spec.base_cmdline = f"run={value} harness"
                read_source_directives(spec, os.path.join("tests", "user", f"p-{value}.cc"))
            else:
                spec.apply(key, value, where)
        if spec.scalars["gdb"]:
            spec.scalars["gdb"] = os.path.join(os.path.dirname(path), spec.scalars["gdb"])
        spec.check()
    except (test_error, OSError) as e:
        spec.error = str(e)
    return spec


def discover():
    def files(folder, pattern):
        folder = os.path.join("tests", folder)
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                      if fnmatch.fnmatch(f, pattern))

    specs = []
    for path in files("kernel", "*.cc"):
        name = os.path.basename(path)[:-3]
        specs.append(load_source_test(name, "kernel", path, f"test={name} harness"))
    for path in files("user", "p-*.cc"):
        name = os.path.basename(path)[2:-3]
        spec = load_source_test(name, "user", path, f"run={name} harness")
        if not spec.lists["expect"] and spec.scalars["result"] == "pass":
            spec.lists["expect"].append(r"succeeded!$")
        specs.append(spec)
    for path in files("boot", "*.test"):
        specs.append(load_boot_test(path))
    seen = {}
    for spec in specs:
        if spec.name in seen:
            spec.error = f"test name '{spec.name}' also used by {seen[spec.name]}"
        seen[spec.name] = spec.path
    return specs


def selected(name, patterns):
    """A name is selected by an exact name, a glob, or a group prefix
    (`host` selects every `host/...` test)."""
    if not patterns:
        return True
    return any(name == p or fnmatch.fnmatchcase(name, p) or name.startswith(p + "/")
               for p in patterns)


def missing_requirements(spec):
    wanted = BOOT_REQUIRES[spec.scalars["boot"]] + spec.scalars["requires"].split()
    if spec.scalars["gdb"]:
        wanted.append("gdb")
    missing = []
    for tool in wanted:
        present = RESOURCES[tool]() if tool in RESOURCES else shutil.which(tool)
        if not present and tool not in missing:
            missing.append(tool)
    return missing


# ---------------------------------------------------------------------------
# Running one boot

class outcome:
    def __init__(self, status, name, ncpu=None, reason="", log="", seconds=0.0, logs=()):
        self.status = status        # "PASS", "FAIL", "SKIP"
        self.name = name
        self.ncpu = ncpu
        self.reason = reason
        self.log = log
        self.seconds = seconds
        self.logs = list(logs)      # (title, path) for --verbose

    def line(self):
        label = self.name if self.ncpu is None else f"{self.name} [{self.ncpu}]"
        if self.status == "PASS":
            return f"PASS {label} ({self.seconds:.1f} s)"
        if self.status == "SKIP":
            return f"SKIP {self.name}: {self.reason}"
        return f"FAIL {label}: {self.reason} — log: {self.log}"


class run_context:
    """What runs share: the QEMU binary, built ISOs, ports, live processes."""

    def __init__(self, qemu, make):
        self.qemu = qemu
        self.make = make
        self.lock = threading.Lock()
        self.isos = {}              # cmdline -> (lock, path or None)
        self.ports = set()
        self.live = set()
        self.stopping = False

    def start(self, args, **kwargs):
        with self.lock:
            if self.stopping:
                raise KeyboardInterrupt
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, **kwargs)
            self.live.add(proc)
            return proc

    def finish(self, proc, timeout=None):
        """Wait for proc (killing it on timeout); its status, or None on timeout."""
        try:
            return proc.wait(timeout=max(timeout, 0) if timeout is not None else None)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
        finally:
            with self.lock:
                self.live.discard(proc)

    def kill_all(self):
        with self.lock:
            self.stopping = True
            for proc in self.live:
                proc.kill()

    def free_port(self):
        with self.lock:
            while True:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    port = s.getsockname()[1]
                if port not in self.ports:
                    self.ports.add(port)
                    return port

    def iso_for(self, cmdline):
        """The GRUB ISO that boots the kernel with cmdline, built once per run."""
        with self.lock:
            entry = self.isos.setdefault(cmdline, [threading.Lock(), None])
        with entry[0]:
            if entry[1] is None:
                key = hashlib.sha1(cmdline.encode()).hexdigest()[:12]
                path = os.path.join(LOGDIR, "iso", key + ".iso")
                result = subprocess.run(["scripts/mkiso.sh", KERNEL, cmdline, path],
                                        stdin=subprocess.DEVNULL, capture_output=True, text=True)
                if result.returncode != 0:
                    last = (result.stderr.strip().splitlines() or ["no message"])[-1]
                    raise test_error(f"building the GRUB ISO failed: {last}")
                entry[1] = path
            return entry[1]


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def clean_serial(text):
    return ANSI_ESCAPE.sub("", text).replace("\r", "")


def first_line_matching(text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line):
            return line.strip()
    return None


def last_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else None


def no_verdict_reason(status, serial, qemu_err, qemu_debug):
    if status is None:
        return None
    if status == 0:
        if "Triple fault" in qemu_debug:
            return "triple fault (QEMU reset the CPU and exited 0, no verdict)"
        return "QEMU exited 0 without a verdict (the guest powered off or reset)"
    if status < 0:
        return f"QEMU was killed by signal {-status}"
    message = last_line(qemu_err)
    return f"QEMU exited {status}, not a harness verdict" + (f": {message}" if message else "")


def judge(spec, status, timed_out, serial, qemu_err, qemu_debug, gdb_text, gdb_problem):
    """The reasons a run failed (empty list: it passed)."""
    reasons = []
    if gdb_problem:
        reasons.append(gdb_problem)     # QEMU was stopped for it: no verdict
    elif timed_out:
        tail = last_line(serial)
        reasons.append(f"timed out after {spec.timeout:g} s"
                       + (f", last output: {tail!r}" if tail else ", no output"))
    elif status in (EXIT_PASS, EXIT_FAIL):
        got = "pass" if status == EXIT_PASS else "fail"
        if got != spec.scalars["result"]:
            if got == "fail":
                why = first_line_matching(serial, r"PANIC|[Aa]ssert")
                reasons.append("kernel reported failure" + (f": {why}" if why else ""))
            else:
                reasons.append("kernel reported pass, but this test expects failure")
    else:
        reasons.append(no_verdict_reason(status, serial, qemu_err, qemu_debug))
    if reasons:
        return reasons      # missing output is a consequence, not news
    for pattern in spec.lists["expect"]:
        if not re.search(pattern, serial, re.MULTILINE):
            reasons.append(f"missing expected output /{pattern}/")
    for pattern in spec.lists["reject"]:
        m = re.search(pattern, serial, re.MULTILINE)
        if m:
            reasons.append(f"rejected output /{pattern}/ seen: {m.group(0).strip()!r}")
    if spec.scalars["gdb"]:
        for pattern in spec.lists["gdb-expect"]:
            if not re.search(pattern, gdb_text, re.MULTILINE):
                reasons.append(f"gdb output lacks /{pattern}/")
    return reasons


def qemu_command(ctx, spec, ncpu, logs):
    s = spec.scalars
    args = [ctx.qemu, "-M", "q35", "-m", s["mem"], "-smp", str(ncpu),
            "-accel", "tcg", "-cpu", "max", "-no-reboot", "-display", "none",
            "-monitor", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-serial", "file:" + logs["serial"], "-debugcon", "file:" + logs["kernel"],
            "-d", "cpu_reset", "-D", logs["qemu-debug"]]
    if s["boot"] == "kernel":
        args += ["-kernel", KERNEL, "-append", spec.cmdline()]
    else:
        args += ["-cdrom", ctx.iso_for(spec.cmdline())]
        if s["boot"] == "uefi":
            args += ["-bios", OVMF]
    return args + shlex.split(s["qemu"])


def run_boot(ctx, spec, ncpu):
    stem = os.path.join(LOGDIR, f"{spec.name}-{ncpu}")
    logs = {k: f"{stem}.{k}.log" for k in ("serial", "kernel", "qemu", "qemu-debug", "gdb")}
    for path in logs.values():
        if os.path.exists(path):
            os.remove(path)
    start = time.monotonic()
    deadline = start + spec.timeout
    try:
        args = qemu_command(ctx, spec, ncpu, logs)
    except test_error as e:
        return outcome("FAIL", spec.name, ncpu, str(e), spec.path)
    gdb_file = spec.scalars["gdb"]
    port = ctx.free_port() if gdb_file else None
    if gdb_file:
        args += ["-S", "-gdb", f"tcp:127.0.0.1:{port}"]
    gdb_problem = None
    with open(logs["qemu"], "w") as qemu_err:
        qemu = ctx.start(args, stdout=qemu_err, stderr=subprocess.STDOUT)
    if gdb_file:
        with open(logs["gdb"], "w") as gdb_out:
            gdb = ctx.start(["gdb", "-q", "-batch", "-nx", "-ix", GDB_SCRIPT,
                             "-ex", f"nuthatch-connect {port}", "-x", gdb_file, KERNEL],
                            stdout=gdb_out, stderr=subprocess.STDOUT)
        gdb_status = ctx.finish(gdb, deadline - time.monotonic())
        if gdb_status != 0:
            gdb_problem = ("gdb did not finish" if gdb_status is None
                           else f"gdb exited {gdb_status}")
            qemu.kill()
    status = ctx.finish(qemu, deadline - time.monotonic())
    seconds = time.monotonic() - start
    serial = clean_serial(read_text(logs["serial"]))
    reasons = judge(spec, status, status is None and not gdb_problem, serial,
                    read_text(logs["qemu"]), read_text(logs["qemu-debug"]),
                    read_text(logs["gdb"]), gdb_problem)
    shown = [("serial console", logs["serial"]), ("kernel log (debugcon)", logs["kernel"]),
             ("QEMU messages", logs["qemu"])]
    if gdb_file:
        shown.append(("gdb", logs["gdb"]))
    main_log = logs["serial"]
    if reasons and reasons[0].startswith("gdb"):
        main_log = logs["gdb"]
    elif status not in (EXIT_PASS, EXIT_FAIL, None, 0) and read_text(logs["qemu"]).strip():
        main_log = logs["qemu"]
    if reasons:
        return outcome("FAIL", spec.name, ncpu, "; ".join(reasons[:3]), main_log, seconds, shown)
    return outcome("PASS", spec.name, ncpu, seconds=seconds, logs=shown)


# ---------------------------------------------------------------------------
# Host unit tests

def host_tests_wanted(patterns):
    return not patterns or any(p == "host" or p.startswith("host/")
                               or fnmatch.fnmatchcase("host/", p) for p in patterns)


def make_command(ctx, target):
    command = shlex.split(ctx.make) + ["--no-print-directory", target]
    # Under `make check` the jobserver is inherited; run directly, use the cores.
    if "jobserver" not in os.environ.get("MAKEFLAGS", ""):
        command.insert(1, f"-j{os.cpu_count() or 2}")
    return command


def run_host(ctx, patterns):
    """Build and run the GoogleTest binary; one outcome per selected case."""
    sources = os.listdir("tests/host") if os.path.isdir("tests/host") else []
    if not any(f.endswith(".cc") for f in sources):
        return [outcome("SKIP", "host", reason="no host unit tests (tests/host/*.cc)")]
    if not os.path.exists("/usr/include/gtest/gtest.h"):
        return [outcome("SKIP", "host", reason="GoogleTest is not installed (libgtest-dev)")]
    build_log = os.path.join(LOGDIR, "host-build.log")
    run_log = os.path.join(LOGDIR, "host-tests.log")
    report = os.path.join(LOGDIR, "host-tests.json")
    start = time.monotonic()
    with open(build_log, "w") as out:
        build = ctx.start(make_command(ctx, os.path.join(OBJ, "host", "unit-tests")),
                          stdout=out, stderr=subprocess.STDOUT)
    if ctx.finish(build, 600) != 0:
        why = first_line_matching(read_text(build_log), r"error") or "see the log"
        return [outcome("FAIL", "host", reason=f"build failed: {why}", log=build_log,
                        logs=[("host build", build_log)])]
    if os.path.exists(report):
        os.remove(report)
    with open(run_log, "w") as out:
        proc = ctx.start([os.path.join(OBJ, "host", "unit-tests"), "--gtest_output=json:" + report],
                         stdout=out, stderr=subprocess.STDOUT)
    status = ctx.finish(proc, 120)
    shown = [("host unit tests", run_log)]
    try:
        with open(report, encoding="utf-8") as f:
            suites = json.load(f)["testsuites"]
    except (OSError, ValueError, KeyError):
        what = "timed out" if status is None else f"exited {status} without a report"
        why = first_line_matching(read_text(run_log), r"SUMMARY:|ERROR:|terminate called")
        what += f" ({why})" if why else ""
        return [outcome("FAIL", "host", reason=f"unit-tests {what}", log=run_log, logs=shown)]
    results = []
    for suite in suites:
        for case in suite.get("testsuite", []):
            name = f"host/{suite['name']}.{case['name']}"
            if not selected(name, patterns):
                continue
            seconds = float(case.get("time", "0s").rstrip("s") or 0)
            failures = case.get("failures", [])
            if failures:
                words = failures[0].get("failure", "").split()
                reason = " ".join(words) or "failed"
                if len(reason) > 160:
                    reason = reason[:157] + "..."
                results.append(outcome("FAIL", name, reason=reason, log=run_log, logs=shown))
            elif case.get("result") == "SKIPPED":
                results.append(outcome("SKIP", name, reason="skipped by the test"))
            else:
                results.append(outcome("PASS", name, seconds=seconds, logs=shown))
    if status != 0 and not any(r.status == "FAIL" for r in results):
        what = "timed out" if status is None else f"exited {status}"
        results.append(outcome("FAIL", "host", reason=f"unit-tests {what} (crash or sanitizer report?)",
                               log=run_log, logs=shown))
    if not results and not patterns:
        results.append(outcome("SKIP", "host", reason="the unit-test binary has no test cases"))
    return results


# ---------------------------------------------------------------------------
# Reporting and main

class reporter:
    def __init__(self, verbose):
        self.verbose = verbose
        self.lock = threading.Lock()
        self.counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        self.shown = set()          # logs shared by several outcomes: print once

    def report(self, results):
        with self.lock:
            for r in results:
                self.counts[r.status] += 1
                print(r.line(), flush=True)
                if self.verbose:
                    self.show_logs(r)

    def show_logs(self, r):
        printed = False
        for title, path in r.logs:
            text = read_text(path)
            if not text.strip() or path in self.shown:
                continue
            self.shown.add(path)
            printed = True
            if "serial" in title:
                text = clean_serial(text)
            print(f"---- {title}: {path} ----")
            print(text.rstrip("\n"))
        if printed:
            print("----", flush=True)

    def summary(self):
        c = self.counts
        line = f"{c['PASS']} passed, {c['FAIL']} failed"
        if c["SKIP"]:
            line += f", {c['SKIP']} skipped"
        return line


def boot_jobs(ctx, specs, patterns):
    """(function, args) for each boot run; outcomes decided now go to `now`."""
    jobs, now = [], []
    for spec in specs:
        if not selected(spec.name, patterns):
            continue
        if spec.error:
            now.append(outcome("FAIL", spec.name, reason=spec.error, log=spec.path))
            continue
        missing = missing_requirements(spec)
        if missing:
            now.append(outcome("SKIP", spec.name, reason="missing " + ", ".join(missing)))
            continue
        if not os.path.exists(KERNEL):
            now.append(outcome("FAIL", spec.name, reason=f"{KERNEL} is missing (run make)",
                               log=KERNEL))
            continue
        for ncpu in spec.ncpus:
            jobs.append((lambda s=spec, n=ncpu: [run_boot(ctx, s, n)]))
    return jobs, now


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, interrupted)     # CI timeouts: still kill QEMU
    parser = argparse.ArgumentParser(description="Run Nuthatch's tests.")
    parser.add_argument("names", nargs="*", help="test names, globs, or groups (host)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--make", default="make", help="make command for host tests")
    parser.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-x86_64"))
    parser.add_argument("--verbose", "-v", action="store_true", help="print each run's logs")
    parser.add_argument("--list", action="store_true", help="list the tests and exit")
    options = parser.parse_args()
    os.chdir(ROOT)
    os.makedirs(LOGDIR, exist_ok=True)

    specs = discover()
    if options.list:
        for spec in specs:
            print(f"{spec.name:20} {spec.kind:7} {spec.path}")
        return 0
    ctx = run_context(options.qemu, options.make)
    out = reporter(options.verbose)
    jobs, now = boot_jobs(ctx, specs, options.names)
    if host_tests_wanted(options.names):
        jobs.insert(0, lambda: run_host(ctx, options.names))   # longest: start first
    out.report(now)
    if not jobs and not now:
        print(f"harness: no test matches {' '.join(options.names)} (try --list)", file=sys.stderr)
        print(out.summary())
        return 2
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(options.jobs, 1))
    try:
        futures = [pool.submit(job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            out.report(future.result())
    except KeyboardInterrupt:
        ctx.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        print("harness: interrupted", file=sys.stderr)
        return 130
    pool.shutdown()
    print(out.summary(), flush=True)
    return 1 if out.counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
