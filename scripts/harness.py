#!/usr/bin/env python3
r"""harness.py — find Nuthatch's tests, run them in parallel, report verdicts.

Kinds of test, each one file:
  tests/kernel/NAME.cc   in-kernel test, booted with `test=NAME harness`
  tests/user/p-NAME.cc   user program, booted with `run=NAME harness`; its
                         test name is NAME (`p-NAME` selects it too). If it
                         should pass it must print a line ending in
                         `succeeded!`, `expect` lines or not, unless it says
                         `succeeded: no`
  tests/boot/NAME.test   a boot path (GRUB ISO, UEFI, gdb ...); `key: value`
                         lines, `#` comments
  tests/host/*.cc        GoogleTest cases, one report line per case
  tests/tools/test_*.py  Python unittest modules about the Makefile, the
                         build outputs and this harness, named
                         tools/MODULE.CLASS.METHOD, one report line per case

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
  succeeded yes|no   user tests: whether a line ending in `succeeded!` is
                     required (default yes when result is pass)
  input BYTES        typed on COM1 before the machine starts (Python escapes:
                     \r \n \t \xNN \\); COM1 is then QEMU's stdio through a
                     mux, as in `make run`, so Ctrl-A (\x01) is its escape
  input-after REGEX  send `input` only once the serial log matches REGEX
  disk yes|FILE      attach a disk on the AHCI controller, always as a
                     snapshot (the file never changes): yes is obj/disk.img;
                     else a path, or blkdebug:CONF:IMAGE (QEMU's error
                     injection); no directive (or `no`): no disk
  lab NAME POINTS    the test judges lab NAME (scripts/harnesslib/labs.py) and
                     is worth POINTS in `--grade` (make grade); docs/labs/
Only in .test files: `ktest: NAME` or `program: NAME` picks what to boot and
inherits that test file's directives (the .test file's own come after).

Regexes are Python `re` patterns in MULTILINE mode, matched against the
serial log with terminal escape sequences and carriage returns removed.

The work happens in scripts/harnesslib/: spec.py (discovery, directives),
boot.py (one QEMU run and its verdict), host.py (GoogleTest), tools.py and
unitrun.py (tool tests), common.py.
Easy to get wrong: the summary must stay the last line printed; scripts and
CI read it there.
"""

import argparse
import concurrent.futures
import os
import signal
import sys
import threading

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
from harnesslib.boot import run_boot                                   # noqa: E402
from harnesslib.common import (KERNEL, LOGDIR, ROOT, clean_serial, outcome,  # noqa: E402
                               read_text, run_context)
from harnesslib.host import host_tests_wanted, run_host               # noqa: E402
from harnesslib.spec import close_names, discover, missing_requirements, selected  # noqa: E402
from harnesslib.tools import run_tools, tool_modules, tools_wanted  # noqa: E402
from harnesslib import grade                                        # noqa: E402

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


def run_jobs(ctx, out, jobs):
    """Run jobs on the pool, report each result; returns every outcome, or
    None when interrupted."""
    results = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(out.jobs, 1))
    try:
        futures = [pool.submit(job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            batch = future.result()
            results.extend(batch)
            out.report(batch)
    except KeyboardInterrupt:
        ctx.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        print("harness: interrupted", file=sys.stderr)
        return None
    pool.shutdown()
    return results


def run_grade(ctx, out, specs, options):
    """--grade: the tests of the labs named, then one line per test with its
    points, a `lab NAME: S/M` line per lab, and the JSON record."""
    try:
        labs = grade.wanted_labs(options.names)
    except ValueError as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    broken = [s for s in specs if s.error and s.scalars.get("lab")]
    for s in broken:
        print(f"harness: {s.error}", file=sys.stderr)
    chosen = grade.lab_specs(specs, labs)
    empty = [lab for lab, tests in chosen.items() if not tests]
    if broken or empty:
        if empty:
            print(f"harness: no test has a lab directive for {' '.join(empty)}", file=sys.stderr)
        return 2
    jobs, now = grade.grade_jobs(ctx, [s for t in chosen.values() for s in t],
                                 options.first_failure)
    out.report(now)
    results = run_jobs(ctx, out, jobs)
    if results is None:
        return 130
    record = grade.score(chosen, now + results)
    grade.write_record(record, options.grade_file)
    print("----", flush=True)
    for line in grade.report_lines(record):
        print(line, flush=True)
    print(f"harness: grade written to {options.grade_file}", file=sys.stderr)
    return 0


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
    parser.add_argument("--grade", action="store_true",
                        help="names are labs (none: all): run their tests, print the score")
    parser.add_argument("--grade-file", default=os.path.join("obj", "grade.json"),
                        help="where --grade writes its JSON record")
    parser.add_argument("--first-failure", action="store_true",
                        help="--grade: a test's CPU counts one by one, up to its first failure")
    options = parser.parse_args()
    os.chdir(ROOT)
    os.makedirs(LOGDIR, exist_ok=True)

    specs = discover()
    if options.list:
        for spec in specs:
            print(f"{spec.name:20} {spec.kind:7} {spec.path}")
        for module in tool_modules():
            print(f"{'tools/' + module:20} {'tools':7} tests/tools/{module}.py")
        return 0
    ctx = run_context(options.qemu, options.make)
    out = reporter(options.verbose)
    out.jobs = options.jobs
    if options.grade:
        return run_grade(ctx, out, specs, options)
    jobs, now = boot_jobs(ctx, specs, options.names)
    if tools_wanted(options.names):
        for module in tool_modules():
            jobs.append(lambda m=module: run_tools(ctx, m, options.names))
    if host_tests_wanted(options.names):
        jobs.insert(0, lambda: run_host(ctx, options.names))   # longest: start first
    out.report(now)
    if not jobs and not now:
        names = [spec.name for spec in specs]
        near = sorted({n for p in options.names for n in close_names(names, p)})
        hint = f"; close names: {' '.join(near)}" if near else ""
        print(f"harness: no test matches {' '.join(options.names)}{hint} (all: --list)",
              file=sys.stderr)
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
