"""test_make.py — what the Makefile promises a student beyond building: the
run targets stop at once, with a one-line hint, on a program that does not
exist, on run-graphic without a display and on `make gdb` with no QEMU
waiting; the OPT and WERROR knobs reach the compiler; `make` writes
compile_commands.json with each file's real flags and the listings
obj/kernel.asm and obj/user/NAME.asm with the source interleaved; the
kernel's hot paths are laid out together (boot/kernel.ld).

Easy to get wrong: make check has built everything before these run, so they
only read build outputs and start `make` for targets that must fail before
building or booting anything. The child make gets our MAKEFLAGS minus the
jobserver (its descriptors are not passed on), so OPT=-Og and the like
still apply and nothing is rebuilt.
"""

import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make(*args, env=None, timeout=20):
    """Run make in the tree: (status, stdout + stderr, seconds). On a timeout
    the whole process group goes (a QEMU that a broken target started too)."""
    env = dict(os.environ if env is None else env)
    flags = env.get("MAKEFLAGS", "").split()
    env["MAKEFLAGS"] = " ".join(f for f in flags
                                if not f.startswith(("--jobserver", "-j")) and f != "j")
    env.pop("MAKELEVEL", None)
    start = time.monotonic()
    proc = subprocess.Popen(["make", "--no-print-directory", *args], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"make {' '.join(args)} still running after {timeout} s: {out[-300:]}")
    return proc.returncode, out, time.monotonic() - start


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        return f.read()


class run_hints(unittest.TestCase):
    def test_run_nosuch_stops_at_once(self):
        for target in ("run-nosuch", "run-gdb-nosuch", "gdb-nosuch"):
            status, out, seconds = make(target)
            self.assertNotEqual(status, 0, out)
            self.assertIn("no program nosuch", out)
            self.assertNotIn("Booting", out)            # QEMU never started
            self.assertNotIn("  CXX", out)              # nothing built
            self.assertLess(seconds, 10, out)

    def test_p_prefix_hint(self):
        status, out, _ = make("run-p-hello")
        self.assertNotEqual(status, 0, out)
        self.assertIn("program names drop the p-: say hello", out)

    def test_run_graphic_without_display(self):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        status, out, seconds = make("run-graphic", env=env)
        self.assertNotEqual(status, 0, out)
        self.assertIn("run-graphic needs a display", out)
        self.assertIn("make run-console", out)
        self.assertLess(seconds, 10, out)

    def test_gdb_without_qemu_fails_fast(self):
        with socket.socket() as s:      # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # -o: never rebuild the images gdb would load, whatever the flags.
        status, out, seconds = make("gdb", f"GDBPORT={port}", "-o", "obj/kernel.elf",
                                    "-o", "obj/user/hello")
        self.assertNotEqual(status, 0, out)
        self.assertIn(f"nothing listens on localhost:{port}", out)
        self.assertIn("make run-gdb", out)
        self.assertLess(seconds, 10, out)

    def test_gdb_sees_a_listener(self):
        # The port check must not refuse a port that is in fact listening
        # (the normal case: make run-gdb in the other terminal).
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            result = subprocess.run([os.path.join(ROOT, "scripts", "gdb", "listening.sh"),
                                     str(port)], timeout=10)
            self.assertEqual(result.returncode, 0)


class run_console(unittest.TestCase):
    """make run-console in a pseudo-terminal (pty.fork makes make a session
    and process-group leader, so a failure can kill QEMU with it): it says how to leave, and
    that way (Alt-2, which a terminal sends as Esc and 2 at once, then
    `quit`) does leave."""

    @unittest.skipUnless(shutil.which("qemu-system-x86_64"), "QEMU is not installed")
    def test_leaving_run_console(self):
        env = dict(os.environ, TERM="xterm")
        env["MAKEFLAGS"] = " ".join(f for f in env.get("MAKEFLAGS", "").split()
                                    if not f.startswith(("--jobserver", "-j")))
        env.pop("MAKELEVEL", None)
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(ROOT)
            os.execvpe("make", ["make", "--no-print-directory", "run-console",
                                "-o", "obj/kernel.elf", "NCPU=1",
                                "LOG=obj/test-logs/tools-run-console.kernel.log"], env)
        out = bytearray()

        def read_until(marker, seconds):
            deadline = time.monotonic() + seconds
            while marker not in out and time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    try:
                        out.extend(os.read(fd, 65536))
                    except OSError:         # the other side closed: make is done
                        return False
            return marker in out

        try:
            self.assertTrue(read_until(b"nuthatch> ", 90), bytes(out[-400:]))
            self.assertIn(b"Alt-2", out)
            self.assertIn(b"poweroff", out)
            os.write(fd, b"\x1b2")                     # Alt-2: QEMU's monitor
            self.assertTrue(read_until(b"(qemu)", 20), bytes(out[-400:]))
            os.write(fd, b"quit\r")
            read_until(b"never printed", 20)            # until make closes the terminal
            deadline = time.monotonic() + 10
            finished, status = os.waitpid(pid, os.WNOHANG)
            while not finished and time.monotonic() < deadline:
                time.sleep(0.1)
                finished, status = os.waitpid(pid, os.WNOHANG)
            self.assertEqual(finished, pid, "make run-console still running after quit")
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
            pid = None
        finally:
            if pid:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(fd)


class knobs(unittest.TestCase):
    def compile_line(self, *args):
        status, out, _ = make("-n", "-W", "kernel/core/main.cc", "obj/k/kernel/core/main.o", *args)
        self.assertEqual(status, 0, out)
        lines = [l for l in out.splitlines() if " -c kernel/core/main.cc" in l]
        self.assertTrue(lines, out)
        return lines[0].split()

    def test_opt(self):
        self.assertIn("-Og", self.compile_line("OPT=-Og"))
        self.assertIn("-O1", self.compile_line("OPT=-O1"))

    def test_werror(self):
        self.assertIn("-Werror", self.compile_line("WERROR=1"))
        self.assertNotIn("-Werror", self.compile_line("WERROR=0"))


class outputs(unittest.TestCase):
    def entries(self):
        with open(os.path.join(ROOT, "compile_commands.json"), encoding="utf-8") as f:
            data = json.load(f)
        self.assertIsInstance(data, list)
        return {e["file"]: e for e in data}

    def test_compile_commands(self):
        entries = self.entries()
        for entry in entries.values():
            self.assertEqual(set(entry) >= {"directory", "file", "arguments"}, True, entry)
        kernel = entries["kernel/core/main.cc"]["arguments"]
        for flag in ("-ffreestanding", "-mcmodel=kernel", "-mno-red-zone", "-Ikernel/core"):
            self.assertIn(flag, kernel)
        user = entries["user/p-hello.cc"]["arguments"]
        for flag in ("-ffreestanding", "-DNUTHATCH_USER=1", "-Iuser"):
            self.assertIn(flag, user)
        self.assertNotIn("-mcmodel=kernel", user)
        host = [e for f, e in entries.items() if f.startswith("tests/host/")]
        self.assertTrue(host)
        self.assertIn("-fsanitize=address,undefined", host[0]["arguments"])
        self.assertNotIn("-ffreestanding", host[0]["arguments"])
        # The flags are the build's: the same optimisation level as obj/k/.flags.
        built = read("obj/k/.flags").split()
        self.assertEqual([f for f in kernel if re.fullmatch(r"-O.*", f)],
                         [f for f in built if re.fullmatch(r"-O.*", f)])
        self.assertTrue(os.path.isabs(entries["kernel/core/main.cc"]["directory"]))

    def test_listings(self):
        kernel = read("obj/kernel.asm")
        self.assertIn("<kernel_start", kernel)
        # Source lines interleaved with the instructions.
        self.assertRegex(kernel, r"\nvoid kernel_start\(|\nextern \"C\" .*kernel_start\(")
        hello = read("obj/user/hello.asm")
        self.assertIn("<process_main()>:", hello)
        self.assertIn('console_printf(CS_WHITE "hello from PID', hello)
        self.assertGreater(os.path.getmtime(os.path.join(ROOT, "obj/user/hello.asm")),
                           os.path.getmtime(os.path.join(ROOT, "obj/user/hello")) - 1)



class layout(unittest.TestCase):
    # The system-call, timer-tick/activation and yield/schedule paths, which
    # boot/kernel.ld gathers in .text.hot: after a page-table switch they
    # should refill two pages of kernel text, not a dozen.
    HOT = ("syscall_entry", "syscall_fast_getpid", "syscall_handler", "exception_common",
           "exception_return", "exception_handler", "return_to_user(proc*, regstate*)",
           "proc_yield",
           "proc::yield()", "proc::resume()", "cpustate::schedule()",
           "set_pagetable(x86_64_pagetable*)", "timer_tick()",
           "activation_return_to_user(proc*, regstate*)",
           "activation_resume(proc*, regstate*, unsigned long)")

    def test_hot_paths_share_two_pages(self):
        out = subprocess.run(["nm", "-nC", "-S", os.path.join(ROOT, "obj", "kernel.elf")],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        spans = {}
        for line in out.splitlines():
            m = re.match(r"([0-9a-f]+) (?:([0-9a-f]+) )?[tT] (.+)$", line)
            if m and m.group(3) in self.HOT:
                start = int(m.group(1), 16)
                spans[m.group(3)] = (start, start + int(m.group(2) or "1", 16))
        self.assertEqual(set(spans), set(self.HOT), "hot functions missing from obj/kernel.elf")
        low = min(a for a, _ in spans.values())
        high = max(b for _, b in spans.values())
        self.assertLessEqual(high - low, 2 * 4096,
                             "hot paths spread over "
                             + ", ".join(f"{n} {a:#x}" for n, (a, _) in sorted(spans.items(),
                                                                          key=lambda x: x[1])))


if __name__ == "__main__":
    unittest.main()
