"""test_crash.py — the crash tests' own logic (scripts/crashtest.py): what
p-crashwork's log says is durable (durable_state), for logs cut off
anywhere, with one worker or several interleaved; and the workload and
checker programs end to end on the memory file system (crashtest.py
--memfs-selftest: one boot, the checker must catch a wrong CRC and pass on
the true state; once more with four workers on 4 CPUs); and the short
crash test on the disk (two trials, 1 CPU; `make crashtest NCPU=4` runs
the 4-CPU trials). Run by `make check` as the tool tests
tools/test_crash.*.

Each case's timeouts fit inside the harness's limit for the whole module
(scripts/harnesslib/tools.py), so a hang fails the case that hung.

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


    def test_reports_after_the_write_cut_do_not_count(self):
        text = LOG + ("faultdisk: write budget spent at block 40: dropping every write from now on\n"
                      "crashwork: durable 2\ncrashwork: end 2\n")
        st = crashtest.durable_state(crashtest.before_cut(text))
        self.assertEqual(st.report, 1)
        self.assertEqual(st.flux, {"cw2", "cw3", "cw4"})
        self.assertEqual(crashtest.before_cut(LOG), LOG)

    def test_workers_are_tracked_apart(self):
        # Two workers (p-crashwork with P = 2), their lines interleaved; p1's
        # second report is cut off, p0's is complete.
        text = ("crashwork: start 9\n"
                "crashwork: p0 durable 0\ncrashwork: p1 durable 0\n"
                "crashwork: p0 end 0\ncrashwork: p1 end 0\n"
                "crashwork: p0 touch cw0_1\ncrashwork: p1 touch cw1_2\n"
                "crashwork: p1 durable 1\ncrashwork: p0 durable 1\n"
                "crashwork: p1 file cw1_2 7 0000000a\n"
                "crashwork: p0 file cw0_1 3 0000000b\ncrashwork: p0 end 1\n"
                "crashwork: p0 touch cw0_4 cw0_1\n")
        st = crashtest.durable_state(text)
        self.assertEqual(st.durable, {"cw0_1": (3, "0000000b")})
        self.assertEqual(st.flux, {"cw0_4", "cw0_1", "cw1_2"})
        self.assertEqual(st.checker_input(), ["any cw0_1", "any cw0_4", "any cw1_2"])
        st = crashtest.durable_state(text + "crashwork: p1 end 1\ncrashwork: done\n")
        self.assertTrue(st.done)
        self.assertEqual(st.checker_input(),
                         ["any cw0_1", "any cw0_4", "expect cw1_2 7 0000000a"])
        self.assertEqual(st.report, "p0:1 p1:1")
        # A worker with no complete report checks nothing of its own.
        st = crashtest.durable_state("crashwork: p0 durable 0\ncrashwork: p0 end 0\n"
                                     "crashwork: p1 touch cw1_0\n")
        self.assertEqual(st.checker_input(), [])


class MemfsSelftest(unittest.TestCase):
    def test_workload_and_checker_on_memfs(self):
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "crashtest.py"),
                            "--memfs-selftest", "--seed", "41", "--timeout", "45"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("a wrong CRC is caught", r.stdout)
        self.assertIn("succeeded!", r.stdout)

    def test_four_workers_on_memfs(self):
        # --ncpu 4: four workload processes at once, their lines interleaved.
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "crashtest.py"),
                            "--memfs-selftest", "--seed", "41", "--ncpu", "4", "--timeout", "45"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("a wrong CRC is caught", r.stdout)
        self.assertRegex(r.stdout, r"report p0:\d+ p1:\d+ p2:\d+ p3:\d+")


class CrashTrials(unittest.TestCase):
    """The short version of `make crashtest`: the calibration run, one
    kill and one diskfail trial on the disk file system."""

    def test_two_trials(self):
        for path in ("obj/disk.img", "obj/chkfsck", "obj/kernel.elf"):
            self.assertTrue(os.path.exists(os.path.join(ROOT, path)), f"{path} missing: run make")
        r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "crashtest.py"),
                            "--trials", "2", "--seed", "8", "--timeout", "30"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=200)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("3 passed, 0 failed", r.stdout)
        self.assertIn("killed", r.stdout)
        self.assertIn("writes dropped after block write", r.stdout)


if __name__ == "__main__":
    unittest.main()
