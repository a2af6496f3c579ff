"""test_labs.py — the lab machinery's rules, without QEMU: how a marked
region becomes a student tree's stub or stays complete
(scripts/harnesslib/labs.py), that bad markers are refused with their
place, that the `lab:` directive is checked, that a grade gives a test its
points only when all its runs pass, and that the tree's own markers are
well formed and name every lab.

Easy to get wrong: a handout keeps the indentation of each marker for its
stub lines; an earlier lab's region keeps its code and loses only the
marker lines (STUB lines included).
"""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True
from harnesslib import grade, labs                 # noqa: E402
from harnesslib import spec as harness_spec        # noqa: E402
from harnesslib.common import outcome              # noqa: E402

SOURCE = """int f(int x) {
    // LAB proc BEGIN: exercise 1, return x + 1
    return x + 1;
    // LAB proc STUB: (void) x;
    // LAB proc STUB: return -1;
    // LAB proc END
}
"""


class transform(unittest.TestCase):
    def test_own_lab_is_stubbed(self):
        self.assertEqual(labs.transform("f.cc", SOURCE, "proc"),
                         "int f(int x) {\n    // LAB proc: exercise 1, return x + 1\n"
                         "    (void) x;\n    return -1;\n}\n")

    def test_earlier_lab_handout_stubs_later_lab(self):
        self.assertEqual(labs.transform("f.cc", SOURCE, "alloc"),
                         labs.transform("f.cc", SOURCE, "proc"))

    def test_later_lab_handout_keeps_the_code(self):
        self.assertEqual(labs.transform("f.cc", SOURCE, "sched"),
                         "int f(int x) {\n    return x + 1;\n}\n")

    def test_unmarked_text_unchanged(self):
        text = "int g() { return 0; }\n// LAB proc: a note, not a marker\n"
        self.assertEqual(labs.transform("g.cc", text, "alloc"), text)


class bad_markers(unittest.TestCase):
    def refused(self, text, words):
        with self.assertRaises(labs.lab_error) as caught:
            labs.transform("bad.cc", text, "alloc")
        for w in words:
            self.assertIn(w, str(caught.exception))

    def test_unknown_lab(self):
        self.refused("// LAB nosuch BEGIN: x\n// LAB nosuch END\n", ["bad.cc:1", "nosuch"])

    def test_missing_end(self):
        self.refused("x\n// LAB proc BEGIN: x\ny\n", ["bad.cc:2", "no END"])

    def test_nested(self):
        self.refused("// LAB proc BEGIN: a\n// LAB sched BEGIN: b\n// LAB sched END\n"
                     "// LAB proc END\n", ["bad.cc:2", "inside"])

    def test_end_of_other_lab(self):
        self.refused("// LAB proc BEGIN: a\n// LAB sched END\n", ["bad.cc:2"])

    def test_begin_needs_text(self):
        self.refused("// LAB proc BEGIN:\n// LAB proc END\n", ["say what"])

    def test_marker_after_code(self):
        self.refused("int x; // LAB proc BEGIN: a\n", ["alone"])


class lab_directive(unittest.TestCase):
    def spec_of(self, line):
        old = os.getcwd()
        with tempfile.TemporaryDirectory() as tree:
            os.makedirs(os.path.join(tree, "tests", "kernel"))
            with open(os.path.join(tree, "tests", "kernel", "t.cc"), "w") as f:
                f.write(line + "\n")
            os.chdir(tree)
            try:
                return harness_spec.discover()[0]
            finally:
                os.chdir(old)

    def test_good(self):
        s = self.spec_of("//! lab: sched 20")
        self.assertIsNone(s.error)
        self.assertEqual((s.lab, s.points), ("sched", 20))

    def test_bad(self):
        for bad in ("//! lab: sched", "//! lab: nosuch 5", "//! lab: sched 0",
                    "//! lab: sched ten"):
            self.assertIsNotNone(self.spec_of(bad).error, bad)


class scoring(unittest.TestCase):
    class fake:
        def __init__(self, name, points, ncpus):
            self.name, self.points, self.ncpus = name, points, ncpus

    def test_points_need_every_run(self):
        a, b = self.fake("a", 10, [1, 4]), self.fake("b", 5, [1, 4])
        record = grade.score({"alloc": [a, b]}, [
            outcome("PASS", "a", 1), outcome("PASS", "a", 4),
            outcome("PASS", "b", 1), outcome("FAIL", "b", 4, reason="boom")])
        self.assertEqual(record["labs"]["alloc"]["score"], 10)
        self.assertEqual(record["labs"]["alloc"]["max"], 15)
        lines = grade.report_lines(record)
        self.assertIn("lab alloc: 10/15", lines)
        self.assertTrue(any("boom" in l and l.startswith("alloc  b") for l in lines))

    def test_missing_run_is_no_points(self):
        # --first-failure stops early; a test cut short never scores.
        a = self.fake("a", 10, [1, 4])
        record = grade.score({"proc": [a]}, [outcome("PASS", "a", 1)])
        self.assertEqual(record["labs"]["proc"]["score"], 0)


class this_tree(unittest.TestCase):
    def test_markers_parse_and_every_lab_has_a_region_and_a_test(self):
        listing = subprocess.run([sys.executable, "scripts/handout.py", "--list"], cwd=ROOT,
                                 capture_output=True, text=True)
        self.assertEqual(listing.returncode, 0, listing.stderr)
        named = {line.split()[0] for line in listing.stdout.splitlines()}
        if not named:
            self.skipTest("a student tree: its markers were removed by the handout")
        self.assertEqual(named, set(labs.LABS))
        old = os.getcwd()
        os.chdir(ROOT)
        try:
            specs = harness_spec.discover()
        finally:
            os.chdir(old)
        self.assertEqual({s.lab for s in specs if s.lab}, set(labs.LABS))
        for lab in labs.LABS:
            self.assertTrue(os.path.exists(os.path.join(ROOT, "docs", "labs", lab + ".md")), lab)


if __name__ == "__main__":
    unittest.main()
