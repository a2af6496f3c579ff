"""unitrun.py FILE REPORT [PATTERN...] — run the unittest module FILE (a tool
test, see tools.py) and write one JSON record per test case to REPORT:
name (`Class.method`), status PASS/FAIL/SKIP, reason, seconds. With
patterns, only the cases whose `tools/MODULE.Class.method` name they select.

Easy to get wrong: a module that cannot even be imported still has to leave
a report (one FAIL), or the harness could not say why it failed. The report
is rewritten after every case and each case's start is printed, so when the
harness kills a module that runs too long, the cases that finished still
count and the log names the one that was running.
"""

import importlib.util
import json
import os
import sys
import time
import traceback
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harnesslib.spec import selected      # noqa: E402


def cases_of(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from cases_of(item)
        else:
            yield item


class recorder(unittest.TestResult):
    def __init__(self, report):
        super().__init__()
        self.report = report
        self.records = []
        self.started = 0.0

    def startTest(self, test):
        super().startTest(test)
        self.started = time.monotonic()
        print(f"start {test.id()}", flush=True)

    def record(self, test, status, reason=""):
        name = test.id().split(".", 1)[1]       # drop the module name
        self.records.append({"name": name, "status": status, "reason": reason,
                             "seconds": time.monotonic() - self.started})
        self.write()

    def write(self):
        with open(self.report, "w", encoding="utf-8") as f:
            json.dump(self.records, f)

    def addSuccess(self, test):
        self.record(test, "PASS")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.record(test, "FAIL", str(err[1]))
        print(f"FAIL {test.id()}:\n{self._exc_info_to_string(err, test)}", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        self.record(test, "FAIL", f"{err[0].__name__}: {err[1]}")
        print(f"ERROR {test.id()}:\n{self._exc_info_to_string(err, test)}", flush=True)

    def addSkip(self, test, reason):
        self.record(test, "SKIP", reason)


def main():
    path, report, patterns = sys.argv[1], sys.argv[2], sys.argv[3:]
    module_name = os.path.basename(path)[:-3]
    result = recorder(report)
    try:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
        for case in cases_of(suite):
            name = "tools/" + case.id()
            if not patterns or selected(name, patterns) or selected(f"tools/{module_name}", patterns):
                case(result)
    except Exception:
        traceback.print_exc()
        result.records.append({"name": "import", "status": "FAIL", "seconds": 0.0,
                               "reason": traceback.format_exc().strip().splitlines()[-1]})
    result.write()
    return 1 if any(r["status"] == "FAIL" for r in result.records) else 0


if __name__ == "__main__":
    sys.exit(main())
