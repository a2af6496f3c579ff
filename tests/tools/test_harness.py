"""test_harness.py — the harness's own rules, checked on throw-away test
trees (no QEMU): a user test that should pass must print `succeeded!` even
when it has `expect` lines, unless it says `succeeded: no`; `p-NAME` selects
the user test NAME; a name that matches nothing gets a hint with close names;
`disk:` attaches a disk only when asked, always as a snapshot; a tool
module killed at its time limit keeps the cases it finished and names the
one that hung.

Easy to get wrong: discover() reads `tests/` under the current directory,
so each case works in its own temporary tree and goes back afterwards.
"""

import os
import shlex
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True
from harnesslib import spec as harness_spec      # noqa: E402
from harnesslib import boot as harness_boot      # noqa: E402
from harnesslib import common as harness_common  # noqa: E402
from harnesslib import tools as harness_tools    # noqa: E402
import qemucmd                                   # noqa: E402

SUCCEEDED = r"succeeded!$"


def discover_in(files):
    """discover() over a tree holding only `files` ({path: text})."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tree:
        for path, text in files.items():
            os.makedirs(os.path.join(tree, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(tree, path), "w") as f:
                f.write(text)
        os.chdir(tree)
        try:
            return {s.name: s for s in harness_spec.discover()}
        finally:
            os.chdir(old)


class succeeded_rule(unittest.TestCase):
    def test_plain_user_test_needs_succeeded(self):
        specs = discover_in({"tests/user/p-plain.cc": "void process_main() {}\n"})
        self.assertIsNone(specs["plain"].error)
        self.assertIn(SUCCEEDED, specs["plain"].lists["expect"])

    def test_expect_keeps_succeeded(self):
        # The old harness dropped the rule as soon as a test had an expect line.
        specs = discover_in({"tests/user/p-exp.cc": "//! expect: ^hello$\n"})
        self.assertIsNone(specs["exp"].error)
        self.assertEqual(specs["exp"].lists["expect"], ["^hello$", SUCCEEDED])

    def test_opt_out(self):
        specs = discover_in({"tests/user/p-quiet.cc":
                             "//! expect: ^hello$\n//! succeeded: no\n"})
        self.assertIsNone(specs["quiet"].error)
        self.assertEqual(specs["quiet"].lists["expect"], ["^hello$"])

    def test_expected_failure_does_not_need_it(self):
        specs = discover_in({"tests/user/p-dies.cc": "//! result: fail\n"})
        self.assertNotIn(SUCCEEDED, specs["dies"].lists["expect"])
        specs = discover_in({"tests/user/p-dies.cc": "//! result: fail\n//! succeeded: yes\n"})
        self.assertIn(SUCCEEDED, specs["dies"].lists["expect"])

    def test_bad_value_is_an_error(self):
        specs = discover_in({"tests/user/p-odd.cc": "//! succeeded: maybe\n"})
        self.assertIn("succeeded must be yes or no", specs["odd"].error or "")

    def test_judge_fails_a_run_without_succeeded(self):
        # The verdict itself: the kernel reported pass and the expect line
        # matched, but the program never said it succeeded.
        from harnesslib import boot
        specs = discover_in({"tests/user/p-exp.cc": "//! expect: ^hello$\n"})
        reasons = boot.judge(specs["exp"], 33, False, "hello\n", "", "", "", None)
        self.assertTrue(any("succeeded" in r for r in reasons), reasons)
        reasons = boot.judge(specs["exp"], 33, False, "hello\np-exp succeeded!\n", "", "", "", None)
        self.assertEqual(reasons, [])


class names(unittest.TestCase):
    def test_p_prefix_selects_user_test(self):
        self.assertTrue(harness_spec.selected("forktree", ["p-forktree"]))
        self.assertTrue(harness_spec.selected("forktree", ["p-fork*"]))
        self.assertFalse(harness_spec.selected("forktree", ["p-exec"]))

    def test_no_match_prints_close_names(self):
        result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "harness.py"),
                                 "--jobs", "1", "forktre"], cwd=ROOT, capture_output=True,
                                text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("no test matches forktre", result.stderr)
        self.assertRegex(result.stderr, r"close names: .*\bforktree\b")


class disk_directive(unittest.TestCase):
    def test_no_directive_no_disk(self):
        specs = discover_in({"tests/kernel/plain.cc": "//! expect: x\n"})
        self.assertIsNone(specs["plain"].disk)

    def test_yes_is_the_built_image(self):
        specs = discover_in({"tests/kernel/d.cc": "//! disk: yes\n"})
        self.assertIsNone(specs["d"].error)
        self.assertEqual(specs["d"].disk, os.path.join("obj", "disk.img"))

    def test_blkdebug_needs_conf_and_image(self):
        specs = discover_in({"tests/kernel/b.cc": "//! disk: blkdebug:only-one-part\n"})
        self.assertIn("blkdebug:CONF:IMAGE", specs["b"].error)
        specs = discover_in({"tests/kernel/b.cc": "//! disk: blkdebug:c.conf:img\n"})
        self.assertIsNone(specs["b"].error)
        self.assertEqual(harness_spec.disk_missing(specs["b"].disk), ["c.conf", "img"])

    def test_qemu_gets_a_snapshot(self):
        # Every disk a test attaches is snapshot=on: the image never changes.
        specs = discover_in({"tests/kernel/d.cc": "//! disk: yes\n"})
        image = os.path.join(ROOT, "obj", "disk.img")
        specs["d"].disk = image if os.path.exists(image) else __file__

        class ctx:
            qemu = "qemu-system-x86_64"
        logs = {k: "/dev/null" for k in ("serial", "kernel", "qemu-debug")}
        args = harness_boot.qemu_command(ctx, specs["d"], 1, logs)
        drive = args[args.index("-drive") + 1]
        self.assertIn("snapshot=on", drive.split(","))
        self.assertIn("ide-hd,drive=nh-disk,bus=ide.0", args)

    def test_qemucmd_disk_option(self):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "qemucmd.py"),
                              "machine", "--disk", "a,b.img"], capture_output=True,
                             text=True, check=True).stdout
        args = shlex.split(out)
        # A comma in the file name is doubled (QEMU's option syntax); no
        # --snapshot, no snapshot=on.
        self.assertIn("file=a,,b.img,if=none,id=nh-disk,format=raw", args)
        self.assertEqual(qemucmd.disk_args(""), [])
        self.assertIn("snapshot=on", qemucmd.disk_args("x", snapshot=True)[1])



SLOW_MODULE = """
import time
import unittest

class slow(unittest.TestCase):
    def test_a_quick(self):
        pass

    def test_b_hangs(self):
        time.sleep(60)
"""


class tool_module_timeout(unittest.TestCase):
    def test_finished_cases_count_and_the_hung_one_is_named(self):
        old, old_timeout = os.getcwd(), harness_tools.TIMEOUT
        with tempfile.TemporaryDirectory() as tree:
            os.makedirs(os.path.join(tree, "tests", "tools"))
            os.makedirs(os.path.join(tree, harness_common.LOGDIR))
            with open(os.path.join(tree, "tests", "tools", "test_slow.py"), "w") as f:
                f.write(SLOW_MODULE)
            os.chdir(tree)
            harness_tools.TIMEOUT = 3
            try:
                ctx = harness_common.run_context("qemu", "make")
                results = harness_tools.run_tools(ctx, "test_slow", [])
            finally:
                harness_tools.TIMEOUT = old_timeout
                os.chdir(old)
        got = [(r.status, r.name) for r in results]
        self.assertEqual(got, [("PASS", "tools/test_slow.slow.test_a_quick"),
                               ("FAIL", "tools/test_slow")])
        self.assertIn("timed out after 3 s in test_slow.slow.test_b_hangs", results[1].reason)


if __name__ == "__main__":
    unittest.main()
