#!/usr/bin/env python3
"""check-labs.py — proof that the labs are real (`make check-labs`, CI).

1. The reference tree (this one, built) scores full marks in every lab.
2. For each lab L, in order: its student tree (scripts/handout.py) is
   written to a temporary directory, built (no warnings: the kernel and
   runtime build with -Werror, and the build output is searched too), and
   graded with its own harness: every earlier lab must score full marks,
   and every test of L must fail (`--first-failure`: a test's CPU counts
   run one by one up to the first failure). A test of L that passes on its
   own stubbed tree does not test L, and fails this check.

Each student tree starts from a copy of the reference tree's obj/ (the
objects of unchanged sources are the same; make rebuilds whatever a stub
changed, and every file that includes it), which saves a whole kernel
build per lab; `--clean-builds` builds each tree from nothing instead.

Easy to get wrong: the student trees' builds and harnesses must run with
a clean environment (no MAKEFLAGS from the make that started us), each in
its own directory, and a failure of one lab must not hide the others: all
labs are checked, then the summary decides.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
from harnesslib.labs import LABS   # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A user test that builds with warnings on purpose (user programs show them).
EXPECTED_WARNINGS = ("tests/user/p-warning-builds.cc",)
OBJ_SKIP = ("test-logs", "check-labs", "bench", "grade.json", "host")


def clean_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def run(args, cwd, log, timeout):
    start = time.time()
    with open(log, "w", encoding="utf-8") as f:
        try:
            rc = subprocess.run(args, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=clean_env(),
                                timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    return rc, time.time() - start


def grade(tree, labs, options, json_path, log, first_failure=False):
    args = [sys.executable, "scripts/harness.py", "--grade", "--jobs", str(options.jobs),
            "--qemu", options.qemu, "--grade-file", json_path] + labs
    if first_failure:
        args.insert(3, "--first-failure")
    rc, secs = run(args, tree, log, options.timeout)
    try:
        with open(json_path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        record = None
    return rc, secs, record


class checker:
    def __init__(self):
        self.problems = []

    def fail(self, what):
        self.problems.append(what)
        print(f"  FAIL {what}", flush=True)

    def full_marks(self, record, labs, where, log):
        if not record:
            self.fail(f"{where}: no grade record (log: {log})")
            return
        for lab in labs:
            entry = record["labs"].get(lab)
            if not entry or entry["max"] == 0:
                self.fail(f"{where}: lab {lab} has no tests")
            elif entry["score"] != entry["max"]:
                bad = [n for n, t in entry["tests"].items() if t["status"] != "PASS"]
                self.fail(f"{where}: lab {lab} scored {entry['score']}/{entry['max']} "
                          f"(not passing: {' '.join(bad)}; log: {log})")
            else:
                print(f"  ok   {where}: lab {lab} {entry['score']}/{entry['max']}", flush=True)

    def all_fail(self, record, lab, where, log):
        if not record or lab not in record["labs"] or not record["labs"][lab]["tests"]:
            self.fail(f"{where}: no grade record for lab {lab} (log: {log})")
            return
        tests = record["labs"][lab]["tests"]
        passing = [n for n, t in tests.items() if t["status"] == "PASS"]
        skipped = [n for n, t in tests.items() if t["status"] == "SKIP"]
        if passing:
            self.fail(f"{where}: tests of lab {lab} pass on its own student tree: "
                      f"{' '.join(passing)} (they do not test the lab)")
        if skipped:
            self.fail(f"{where}: tests of lab {lab} were skipped: {' '.join(skipped)}")
        if not passing and not skipped:
            print(f"  ok   {where}: all {len(tests)} tests of lab {lab} fail "
                  f"({record['labs'][lab]['score']}/{record['labs'][lab]['max']})", flush=True)


def check_markers(tree, lab, c, where):
    """The student tree has no BEGIN/STUB/END lines left, a `// LAB NAME:`
    note for this lab and the later ones only."""
    later = LABS[LABS.index(lab):]
    seen = set()
    for folder, _, files in os.walk(tree):
        if "/obj" in folder[len(tree):] or folder[len(tree):].startswith("/obj"):
            continue
        for name in files:
            if not name.endswith((".cc", ".hh", ".S", ".h")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.match(r"\s*// LAB ([a-z0-9_-]+)( BEGIN| STUB| END|:)", line)
                    if not m:
                        continue
                    rel = os.path.relpath(path, tree)
                    if m[2] != ":":
                        c.fail(f"{where}: marker left in {rel}: {line.strip()}")
                    elif m[1] not in later:
                        c.fail(f"{where}: note of finished lab {m[1]} in {rel}")
                    else:
                        seen.add(m[1])
    if lab not in seen:
        c.fail(f"{where}: the tree has no `// LAB {lab}:` note: nothing is stubbed")


def build(tree, options, log):
    if not options.clean_builds and os.path.isdir(os.path.join(ROOT, "obj")):
        shutil.copytree(os.path.join(ROOT, "obj"), os.path.join(tree, "obj"), symlinks=True,
                        ignore=lambda d, names: [n for n in names if n in OBJ_SKIP
                                                 and d == os.path.join(ROOT, "obj")])
    rc, secs = run(["make", f"-j{options.jobs}", "obj/kernel.elf", "user-programs"],
                   tree, log, options.timeout)
    with open(log, encoding="utf-8", errors="replace") as f:
        warnings = [l.rstrip() for l in f if re.search(r"\bwarning:", l)
                    and not l.startswith(EXPECTED_WARNINGS)]
    return rc, secs, warnings


def main():
    parser = argparse.ArgumentParser(description="Check that every lab's tests test it.")
    parser.add_argument("labs", nargs="*", help="labs to check (default all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-x86_64"))
    parser.add_argument("--timeout", type=float, default=1800, help="per build or grade")
    parser.add_argument("--keep", action="store_true", help="keep the student trees")
    parser.add_argument("--clean-builds", action="store_true",
                        help="build each student tree from nothing")
    options = parser.parse_args()
    labs = options.labs or LABS
    unknown = [l for l in labs if l not in LABS]
    if unknown:
        print(f"check-labs: no lab {' '.join(unknown)} (labs: {' '.join(LABS)})", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    logdir = os.path.join(ROOT, "obj", "check-labs")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    c = checker()
    start = time.time()

    print("check-labs: reference tree", flush=True)
    log = os.path.join(logdir, "reference.grade.log")
    rc, secs, record = grade(ROOT, labs, options, os.path.join(logdir, "reference.json"), log)
    print(f"  (graded in {secs:.0f} s)", flush=True)
    c.full_marks(record, labs, "reference", log)

    work = tempfile.mkdtemp(prefix="nuthatch-labs-")
    try:
        for lab in labs:
            where = f"handout {lab}"
            print(f"check-labs: {where}", flush=True)
            tree = os.path.join(work, lab)
            rc, secs = run([sys.executable, "scripts/handout.py", lab, tree], ROOT,
                           os.path.join(logdir, f"{lab}.handout.log"), 120)
            if rc != 0:
                c.fail(f"{where}: handout.py failed (log: obj/check-labs/{lab}.handout.log)")
                continue
            check_markers(tree, lab, c, where)
            log = os.path.join(logdir, f"{lab}.build.log")
            rc, secs, warnings = build(tree, options, log)
            if rc != 0:
                c.fail(f"{where}: build failed (log: {log})")
                continue
            print(f"  ok   {where}: built in {secs:.0f} s", flush=True)
            for w in warnings[:5]:
                c.fail(f"{where}: build warning: {w}")
            earlier = LABS[:LABS.index(lab)]
            if earlier:
                log = os.path.join(logdir, f"{lab}.earlier.log")
                rc, secs, record = grade(tree, earlier, options,
                                         os.path.join(logdir, f"{lab}.earlier.json"), log)
                print(f"  (earlier labs graded in {secs:.0f} s)", flush=True)
                c.full_marks(record, earlier, where, log)
            log = os.path.join(logdir, f"{lab}.own.log")
            rc, secs, record = grade(tree, [lab], options,
                                     os.path.join(logdir, f"{lab}.own.json"), log,
                                     first_failure=True)
            print(f"  (own lab graded in {secs:.0f} s)", flush=True)
            c.all_fail(record, lab, where, log)
            if not options.keep:
                shutil.rmtree(tree, ignore_errors=True)
    finally:
        if options.keep:
            print(f"check-labs: student trees kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    total = time.time() - start
    if c.problems:
        print(f"check-labs: {len(c.problems)} problems in {total:.0f} s "
              f"(logs: obj/check-labs/)", flush=True)
        return 1
    print(f"check-labs: {len(labs)} labs checked in {total:.0f} s: each lab's tests fail "
          f"on its own student tree, earlier labs and the reference score full marks", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
