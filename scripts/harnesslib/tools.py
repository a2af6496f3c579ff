"""tools.py — the tool tests: tests/tools/test_*.py, Python `unittest`
modules about the build, the Makefile's run targets and the harness itself.
Each module runs in its own `python3` process (scripts/harnesslib/unitrun.py),
from the top of the tree, and reports one outcome per test case, named
`tools/MODULE.CASE`.

Easy to get wrong: these tests start `make` themselves. They must not
rebuild anything (make check has built everything first) and must not hold
make's jobserver, so the child gets MAKEFLAGS without it (variable
overrides such as OPT=-Og are kept, so the child sees the same build).
"""

import json
import os
import sys

from .common import LOGDIR, outcome

FOLDER = os.path.join("tests", "tools")
# A whole module's time limit. Each module's own subprocess timeouts should
# fire first, so a hang is reported by the case that hung.
TIMEOUT = 240
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unitrun.py")


def tool_modules():
    if not os.path.isdir(FOLDER):
        return []
    return sorted(f[:-3] for f in os.listdir(FOLDER)
                  if f.startswith("test_") and f.endswith(".py"))


def tools_wanted(patterns):
    """No names: every tool test; else only names that start `tools` (or a
    bare glob), so `make check-forktree` starts no Python."""
    return not patterns or any(p.startswith(("tools", "*", "?", "[")) for p in patterns)


def run_tools(ctx, module, patterns):
    report = os.path.join(LOGDIR, f"tools-{module}.json")
    log = os.path.join(LOGDIR, f"tools-{module}.log")
    if os.path.exists(report):
        os.remove(report)
    with open(log, "w") as out:
        proc = ctx.start([sys.executable, RUNNER, os.path.join(FOLDER, module + ".py"), report]
                         + list(patterns), stdout=out, stderr=out)
    status = ctx.finish(proc, TIMEOUT)
    shown = [(f"tool tests {module}", log)]
    try:
        with open(report, encoding="utf-8") as f:
            cases = json.load(f)
    except (OSError, ValueError):
        cases = None
    if status is None:
        # Killed: what finished still counts; the case that was running fails.
        running = running_case(log)
        where = f" in {running}" if running else ""
        timed_out = outcome("FAIL", f"tools/{module}", log=log, logs=shown,
                            reason=f"timed out after {TIMEOUT} s{where}")
        return [timed_out] if cases is None else report_cases(module, cases, log, shown) + [timed_out]
    if cases is None:
        return [outcome("FAIL", f"tools/{module}", reason=f"exited {status} without a report",
                        log=log, logs=shown)]
    results = report_cases(module, cases, log, shown)
    if status != 0 and not any(r.status == "FAIL" for r in results):
        results.append(outcome("FAIL", f"tools/{module}", reason=f"exited {status}", log=log,
                               logs=shown))
    return results


def running_case(log):
    """The last case unitrun.py started, from its log ("start ID" lines)."""
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            starts = [line.split(None, 1)[1].strip() for line in f if line.startswith("start ")]
    except OSError:
        return None
    return starts[-1] if starts else None


def report_cases(module, cases, log, shown):
    results = []
    for case in cases:
        name = f"tools/{module}.{case['name']}"
        if case["status"] == "PASS":
            results.append(outcome("PASS", name, seconds=case["seconds"], logs=shown))
        elif case["status"] == "SKIP":
            results.append(outcome("SKIP", name, reason=case["reason"]))
        else:
            reason = " ".join(case["reason"].split())
            if len(reason) > 200:
                reason = reason[:197] + "..."
            results.append(outcome("FAIL", name, reason=reason, log=log, logs=shown))
    return results

