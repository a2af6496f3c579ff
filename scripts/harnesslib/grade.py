"""grade.py — scores for the labs (`harness.py --grade`, `make grade`).

A test belongs to a lab and is worth points through its `lab: NAME POINTS`
directive: the points live beside the test, nowhere else. A test earns its
points only when every one of its runs (one per CPU count) passes; a
skipped test (a tool missing) earns nothing. The result goes to a JSON file
a course can collect (default obj/grade.json).

With `first_failure`, the runs of one test go one after another and stop at
the first that fails: enough to show that a test fails (make check-labs,
on a lab's own stubbed tree), without booting every CPU count.

Easy to get wrong: the score of a test is decided from all its runs, which
finish in any order; a lab with no test is an error, not a free 0/0.
"""

import datetime
import json
import os
import subprocess

from .boot import run_boot
from .common import KERNEL, ROOT, outcome
from .labs import LABS
from .spec import missing_requirements


def lab_specs(specs, labs):
    chosen = {lab: [] for lab in labs}
    for spec in specs:
        if spec.lab in chosen and not spec.error:
            chosen[spec.lab].append(spec)
    return chosen


# A grade must not depend on how loaded the machine is: a run may take this
# many times its test's timeout (a hung test takes that much longer to fail).
TIMEOUT_SCALE = 3


def grade_jobs(ctx, specs, first_failure):
    """(jobs, now): jobs return lists of outcomes; `now` is decided already."""
    jobs, now = [], []
    for spec in specs:
        if not first_failure:           # a run expected to fail gets no extra time
            spec.timeout *= TIMEOUT_SCALE
        missing = missing_requirements(spec)
        if missing:
            now.append(outcome("SKIP", spec.name, reason="missing " + ", ".join(missing)))
        elif not os.path.exists(KERNEL):
            now.append(outcome("FAIL", spec.name, reason=f"{KERNEL} is missing (run make)"))
        elif first_failure:
            def runs(s=spec):
                results = []
                for n in s.ncpus:
                    results.append(run_boot(ctx, s, n))
                    if results[-1].status != "PASS":
                        break
                return results
            jobs.append(runs)
        else:
            for n in spec.ncpus:
                jobs.append(lambda s=spec, n=n: [run_boot(ctx, s, n)])
    return jobs, now


def version():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def score(chosen, results):
    """The grade record: per lab, per test, the runs and the points."""
    by_name = {}
    for r in results:
        by_name.setdefault(r.name, []).append(r)
    record = {"version": version(),
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "labs": {}, "score": 0, "max": 0}
    for lab, specs in chosen.items():
        tests = {}
        for spec in sorted(specs, key=lambda s: s.name):
            runs = sorted(by_name.get(spec.name, []), key=lambda r: r.ncpu or 0)
            passed = bool(runs) and all(r.status == "PASS" for r in runs) \
                and len(runs) == len(spec.ncpus)
            status = "PASS" if passed else ("SKIP" if runs and runs[0].status == "SKIP" else "FAIL")
            tests[spec.name] = {
                "points": spec.points if passed else 0, "max": spec.points, "status": status,
                "runs": [{"ncpu": r.ncpu, "status": r.status, "reason": r.reason,
                          "seconds": round(r.seconds, 2)} for r in runs]}
        lab_score = sum(t["points"] for t in tests.values())
        lab_max = sum(t["max"] for t in tests.values())
        record["labs"][lab] = {"score": lab_score, "max": lab_max, "tests": tests}
        record["score"] += lab_score
        record["max"] += lab_max
    return record


def report_lines(record):
    lines = []
    for lab, entry in record["labs"].items():
        for name, t in entry["tests"].items():
            why = ""
            if t["status"] != "PASS":
                bad = [r for r in t["runs"] if r["status"] != "PASS"]
                why = (f"  {bad[0]['status']} [{bad[0]['ncpu']}]: {bad[0]['reason']}" if bad
                       and bad[0]["ncpu"] is not None else f"  {t['status']}")
            lines.append(f"{lab:6} {name:24} {t['points']:3}/{t['max']}{why}")
        lines.append(f"lab {lab}: {entry['score']}/{entry['max']}")
    if len(record["labs"]) > 1:
        lines.append(f"grade: {record['score']}/{record['max']}")
    return lines


def write_record(record, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)


def wanted_labs(names):
    """The labs named (all when none); raises ValueError on an unknown one."""
    for n in names:
        if n not in LABS:
            raise ValueError(f"no lab '{n}' (labs: {' '.join(LABS)})")
    return [lab for lab in LABS if not names or lab in names]
