#!/usr/bin/env python3
r"""harness.py — find Nuthatch's tests, run them in parallel, report verdicts.

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
  input BYTES        typed on COM1 before the machine starts (Python escapes:
                     \r \n \t \xNN \\); COM1 is then QEMU's stdio through a
                     mux, as in `make run`, so Ctrl-A (\x01) is its escape
Only in .test files: `ktest: NAME` or `program: NAME` picks what to boot and
inherits that test file's directives (the .test file's own come after).

Regexes are Python `re` patterns in MULTILINE mode, matched against the
serial log with terminal escape sequences and carriage returns removed.

The work happens in scripts/harnesslib/: spec.py (discovery, directives),
boot.py (one QEMU run and its verdict), host.py (GoogleTest), common.py.
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
from harnesslib.spec import discover, missing_requirements, selected  # noqa: E402

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
