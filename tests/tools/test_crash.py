"""test_crash.py — the crash tests' own logic (scripts/crashtest.py): what
p-crashwork's log says is durable (durable_state), for logs cut off
anywhere; and the workload and checker programs end to end on the memory
file system (crashtest.py --memfs-selftest: one boot, the checker must
catch a wrong CRC and pass on the true state). Run by `make check` as the
tool tests tools/test_crash.*.

Easy to get wrong: a killed QEMU leaves a log that ends inside a line or
inside a durable report; neither may count.
"""

import os
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import crashtest  # noqa: E402

LOG = """\
Nuthatch booting
crashwork: start 7
crashwork: durable 0
crashwork: end 0
crashwork: touch cw1
crashwork: touch cw2
crashwork: durable 1
crashwork: file cw1 100 0000abcd
crashwork: file cw2 5 DEADBEEF
crashwork: end 1
crashwork: touch cw2 cw4
crashwork: touch cw3
"""


class DurableState(unittest.TestCase):
    def test_last_complete_report_and_flux(self):
        st = crashtest.durable_state(LOG)
        self.assertEqual(st.report, 1)
        self.assertEqual(st.durable, {"cw1": (100, "0000abcd"), "cw2": (5, "deadbeef")})
        self.assertEqual(st.flux, {"cw2", "cw3", "cw4"})
        self.assertFalse(st.done)
        self.assertEqual(st.checker_input(),
                         ["expect cw1 100 0000abcd", "any cw2", "any cw3", "any cw4"])

    def test_report_cut_off_does_not_count(self):
        text = LOG + "crashwork: durable 2\ncrashwork: file cw1 100 0000abcd\n"
        st = crashtest.durable_state(text)
        self.assertEqual(st.report, 1)
        self.assertIn("cw3", st.flux)

    def test_line_cut_off_does_not_count(self):
        st = crashtest.durable_state(LOG + "crashwork: touch cw5")
        self.assertNotIn("cw5", st.flux)
        st = crashtest.durable_state(LOG + "crashwork: durable 2\ncrashwork: end 2")
        self.assertEqual(st.report, 1)

    def test_complete_report_ends_the_flux(self):
        st = crashtest.durable_state(LOG + "crashwork: durable 2\ncrashwork: file cw4 9 00000001\n"
                                     "crashwork: end 2\ncrashwork: done\n")
        self.assertEqual(st.report, 2)
        self.assertEqual(st.flux, set())
        self.assertTrue(st.done)
        self.assertEqual(st.checker_input(), ["absent cw1", "absent cw2", "absent cw3",
                                              "expect cw4 9 00000001"])

    def test_nothing_synced_checks_nothing(self):
        st = crashtest.durable_state("crashwork: start 3\ncrashwork: touch cw0\n")
        self.assertIsNone(st.durable)
        self.assertEqual(st.checker_input(), [])


class MemfsSelftest(unittest.TestCase):
    def test_workload_and_checker_on_memfs(self):
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "crashtest.py"),
                            "--memfs-selftest", "--seed", "41"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("a wrong CRC is caught", r.stdout)
        self.assertIn("succeeded!", r.stdout)


if __name__ == "__main__":
    unittest.main()
