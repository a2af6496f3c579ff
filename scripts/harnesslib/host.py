"""host.py — the GoogleTest unit tests: build obj/host/unit-tests through
make, run it with a JSON report, one outcome per test case. Also the
Python unit tests of the tools (tests/host/*_test.py, unittest), one
outcome per file, named host/NAME_test.py.

Easy to get wrong: a crash (or a sanitizer report) ends the binary before
it writes its report, so a missing report is a failure of its own.
"""

import fnmatch
import json
import os
import shlex
import subprocess
import time

from .common import LOGDIR, OBJ, first_line_matching, outcome, read_text
from .spec import selected


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
