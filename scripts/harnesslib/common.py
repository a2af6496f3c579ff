"""common.py — what every part of the harness shares: paths, outcomes, the
run context (live processes, built ISOs, gdb ports) and log-text helpers.

Easy to get wrong: runs happen on worker threads, so anything shared lives
in run_context behind its lock, and every process goes through start() and
finish() so that an interrupted harness can kill what is still running.
"""

import hashlib
import os
import re
import socket
import subprocess
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OBJ = "obj"
LOGDIR = os.path.join(OBJ, "test-logs")
KERNEL = os.path.join(OBJ, "kernel.elf")
OVMF = "/usr/share/ovmf/OVMF.fd"
GDB_SCRIPT = os.path.join("scripts", "gdb", "nuthatch.gdb")
EXIT_PASS, EXIT_FAIL = 33, 35

ANSI_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")


class test_error(Exception):
    """A test file that cannot be understood (reported as a failure)."""


class outcome:
    def __init__(self, status, name, ncpu=None, reason="", log="", seconds=0.0, logs=()):
        self.status = status        # "PASS", "FAIL", "SKIP"
        self.name = name
        self.ncpu = ncpu
        self.reason = reason
        self.log = log
        self.seconds = seconds
        self.logs = list(logs)      # (title, path) for --verbose

    def line(self):
        label = self.name if self.ncpu is None else f"{self.name} [{self.ncpu}]"
        if self.status == "PASS":
            return f"PASS {label} ({self.seconds:.1f} s)"
        if self.status == "SKIP":
            return f"SKIP {self.name}: {self.reason}"
        return f"FAIL {label}: {self.reason} — log: {self.log}"


class run_context:
    """What runs share: the QEMU binary, built ISOs, ports, live processes."""

    def __init__(self, qemu, make):
        self.qemu = qemu
        self.make = make
        self.lock = threading.Lock()
        self.isos = {}              # cmdline -> (lock, path or None)
        self.ports = set()
        self.live = set()
        self.stopping = False

    def start(self, args, **kwargs):
        with self.lock:
            if self.stopping:
                raise KeyboardInterrupt
            kwargs.setdefault("stdin", subprocess.DEVNULL)
            proc = subprocess.Popen(args, **kwargs)
            self.live.add(proc)
            return proc

    def finish(self, proc, timeout=None):
        """Wait for proc (killing it on timeout); its status, or None on timeout."""
        try:
            return proc.wait(timeout=max(timeout, 0) if timeout is not None else None)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
        finally:
            with self.lock:
                self.live.discard(proc)

    def kill_all(self):
        with self.lock:
            self.stopping = True
            for proc in self.live:
                proc.kill()

    def free_port(self):
        with self.lock:
            while True:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    port = s.getsockname()[1]
                if port not in self.ports:
                    self.ports.add(port)
                    return port

    def iso_for(self, cmdline):
        """The GRUB ISO that boots the kernel with cmdline, built once per run."""
        with self.lock:
            entry = self.isos.setdefault(cmdline, [threading.Lock(), None])
        with entry[0]:
            if entry[1] is None:
                key = hashlib.sha1(cmdline.encode()).hexdigest()[:12]
                path = os.path.join(LOGDIR, "iso", key + ".iso")
                result = subprocess.run(["scripts/mkiso.sh", KERNEL, cmdline, path],
                                        stdin=subprocess.DEVNULL, capture_output=True, text=True)
                if result.returncode != 0:
                    last = (result.stderr.strip().splitlines() or ["no message"])[-1]
                    raise test_error(f"building the GRUB ISO failed: {last}")
                entry[1] = path
            return entry[1]


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def clean_serial(text):
    return ANSI_ESCAPE.sub("", text).replace("\r", "")


def first_line_matching(text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line):
            return line.strip()
    return None


def last_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else None
