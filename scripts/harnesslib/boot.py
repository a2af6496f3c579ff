"""boot.py — one QEMU boot of one test at one CPU count, and its verdict.

Easy to get wrong: QEMU's exit status is the kernel's verdict only when the
kernel wrote to isa-debug-exit (33 pass, 35 fail). Every other status means
the run ended some other way (power-off, triple fault, QEMU error), and that
is a failure whatever the test expected.
"""

import os
import re
import shlex
import subprocess
import threading
import time

import qemucmd

from .spec import disk_missing
from .common import (EXIT_FAIL, EXIT_PASS, GDB_SCRIPT, KERNEL, LOGDIR, OBJ, clean_serial,
                     first_line_matching, last_line, outcome, read_text, test_error)


def no_verdict_reason(status, serial, qemu_err, qemu_debug):
    if status is None:
        return None
    if status == 0:
        if "Triple fault" in qemu_debug:
            return "triple fault (QEMU reset the CPU and exited 0, no verdict)"
        return "QEMU exited 0 without a verdict (the guest powered off or reset)"
    if status < 0:
        return f"QEMU was killed by signal {-status}"
    message = last_line(qemu_err)
    return f"QEMU exited {status}, not a harness verdict" + (f": {message}" if message else "")


def judge(spec, status, timed_out, serial, qemu_err, qemu_debug, gdb_text, gdb_problem):
    """The reasons a run failed (empty list: it passed)."""
    reasons = []
    if gdb_problem:
        reasons.append(gdb_problem)     # QEMU was stopped for it: no verdict
    elif timed_out:
        tail = last_line(serial)
        reasons.append(f"timed out after {spec.timeout:g} s"
                       + (f", last output: {tail!r}" if tail else ", no output"))
    elif status in (EXIT_PASS, EXIT_FAIL):
        got = "pass" if status == EXIT_PASS else "fail"
        if got != spec.scalars["result"]:
            if got == "fail":
                why = first_line_matching(serial, r"PANIC|[Aa]ssert")
                reasons.append("kernel reported failure" + (f": {why}" if why else ""))
            else:
                reasons.append("kernel reported pass, but this test expects failure")
    else:
        reasons.append(no_verdict_reason(status, serial, qemu_err, qemu_debug))
    if reasons:
        return reasons      # missing output is a consequence, not news
    for pattern in spec.lists["expect"]:
        if not re.search(pattern, serial, re.MULTILINE):
            reasons.append(f"missing expected output /{pattern}/")
    for pattern in spec.lists["reject"]:
        m = re.search(pattern, serial, re.MULTILINE)
        if m:
            reasons.append(f"rejected output /{pattern}/ seen: {m.group(0).strip()!r}")
    if spec.scalars["gdb"]:
        for pattern in spec.lists["gdb-expect"]:
            if not re.search(pattern, gdb_text, re.MULTILINE):
                reasons.append(f"gdb output lacks /{pattern}/")
    return reasons


def qemu_command(ctx, spec, ncpu, logs):
    s = spec.scalars
    # With `input:`, COM1 is QEMU's stdio through a mux, as in `make run`
    # (-serial mon:stdio): stdin is a file holding the input, present from
    # the first instant, and stdout is the serial log (run_boot sets both).
    if spec.input:
        serial = ["-chardev", "stdio,id=nh-serial,mux=on,signal=off",
                  "-serial", "chardev:nh-serial"]
    else:
        serial = ["-serial", "file:" + logs["serial"]]
    missing = disk_missing(spec.disk)
    if missing:
        raise test_error(f"disk: {', '.join(missing)} does not exist (run make)")
    disk, snapshot = spec.disk, True
    if spec.fsck:
        # A private copy the kernel writes for real (sparse: cheap).
        disk, snapshot = logs["disk"], False
        subprocess.run(["cp", "--sparse=always", spec.disk, disk], check=True)
    args = [ctx.qemu, *qemucmd.machine_args(s["mem"], ncpu, "tcg", debugcon=logs["kernel"],
                                            disk=disk, snapshot=snapshot),
            "-display", "none", "-monitor", "none", *serial,
            "-d", "cpu_reset", "-D", logs["qemu-debug"]]
    if s["boot"] == "kernel":
        args += ["-kernel", KERNEL, "-append", spec.cmdline()]
    else:
        args += ["-cdrom", ctx.iso_for(spec.cmdline())]
        if s["boot"] == "uefi":
            # No NIC: OVMF would load a network driver for it (~0.4 s).
            args += ["-bios", qemucmd.ovmf(), "-nic", "none"]
    return args + shlex.split(s["qemu"])


def fsck_problem(image, log):
    """`fsck: yes`: obj/chkfsck on the disk the run left behind. None if it
    is clean (warnings allowed), else a reason (the image is kept)."""
    with open(log, "w") as out:
        status = subprocess.run([CHKFSCK, image], stdout=out, stderr=subprocess.STDOUT).returncode
    if status == 0:
        return None
    said = first_line_matching(read_text(log), r"error") or last_line(read_text(log))
    return f"chkfsck found the disk unclean (exit {status}): {said!r}"


def type_when_seen(qemu, serial_log, pattern, data, deadline):
    """`input-after`: write `data` to QEMU's stdin once the serial log
    matches `pattern`; the pipe stays open (no end of file) until QEMU
    ends."""
    while qemu.poll() is None and time.monotonic() < deadline:
        if re.search(pattern, clean_serial(read_text(serial_log)), re.MULTILINE):
            try:
                qemu.stdin.write(data)
                qemu.stdin.flush()
            except OSError:
                pass
            return
        time.sleep(0.05)


CHKFSCK = os.path.join(OBJ, "chkfsck")


def run_boot(ctx, spec, ncpu):
    stem = os.path.join(LOGDIR, f"{spec.name}-{ncpu}")
    logs = {k: f"{stem}.{k}.log" for k in ("serial", "kernel", "qemu", "qemu-debug", "gdb",
                                           "input", "fsck")}
    logs["disk"] = f"{stem}.disk.img"
    for path in logs.values():
        if os.path.exists(path):
            os.remove(path)
    start = time.monotonic()
    deadline = start + spec.timeout
    try:
        args = qemu_command(ctx, spec, ncpu, logs)
    except test_error as e:
        return outcome("FAIL", spec.name, ncpu, str(e), spec.path)
    gdb_file = spec.scalars["gdb"]
    port = ctx.free_port() if gdb_file else None
    if gdb_file:
        args += ["-S", "-gdb", f"tcp:127.0.0.1:{port}"]
    gdb_problem = None
    if spec.input and spec.scalars["input-after"]:
        with open(logs["input"], "wb") as f:
            f.write(spec.input)
        with open(logs["qemu"], "w") as qemu_err, open(logs["serial"], "wb") as out:
            qemu = ctx.start(args, stdin=subprocess.PIPE, stdout=out, stderr=qemu_err)
        threading.Thread(target=type_when_seen, daemon=True,
                         args=(qemu, logs["serial"], spec.scalars["input-after"],
                               spec.input, deadline)).start()
    elif spec.input:
        with open(logs["input"], "wb") as f:
            f.write(spec.input)
        with open(logs["qemu"], "w") as qemu_err, open(logs["serial"], "wb") as out, \
                open(logs["input"], "rb") as stdin:
            qemu = ctx.start(args, stdin=stdin, stdout=out, stderr=qemu_err)
    else:
        with open(logs["qemu"], "w") as qemu_err:
            qemu = ctx.start(args, stdout=qemu_err, stderr=subprocess.STDOUT)
    if gdb_file:
        with open(logs["gdb"], "w") as gdb_out:
            gdb = ctx.start(["gdb", "-q", "-batch", "-nx", "-ix", GDB_SCRIPT,
                             "-ex", f"nuthatch-connect {port}", "-x", gdb_file, KERNEL],
                            stdout=gdb_out, stderr=subprocess.STDOUT)
        gdb_status = ctx.finish(gdb, deadline - time.monotonic())
        if gdb_status != 0:
            gdb_problem = ("gdb did not finish" if gdb_status is None
                           else f"gdb exited {gdb_status}")
            text = read_text(logs["gdb"])
            said = (first_line_matching(text, r"not defined|[Ee]rror|Cannot|No symbol|refused")
                    or last_line(text))
            gdb_problem += f": {said!r}" if said else ""
            qemu.kill()
    status = ctx.finish(qemu, deadline - time.monotonic())
    seconds = time.monotonic() - start
    serial = clean_serial(read_text(logs["serial"]))
    reasons = judge(spec, status, status is None and not gdb_problem, serial,
                    read_text(logs["qemu"]), read_text(logs["qemu-debug"]),
                    read_text(logs["gdb"]), gdb_problem)
    shown = [("serial console", logs["serial"]), ("kernel log (debugcon)", logs["kernel"]),
             ("QEMU messages", logs["qemu"])]
    if gdb_file:
        shown.append(("gdb", logs["gdb"]))
    if spec.fsck and status is not None:
        problem = fsck_problem(logs["disk"], logs["fsck"])
        if problem:
            reasons.append(problem)
            shown.append(("chkfsck", logs["fsck"]))
        else:
            os.remove(logs["disk"])
    main_log = logs["serial"]
    if reasons and reasons[0].startswith("gdb"):
        main_log = logs["gdb"]
    elif status not in (EXIT_PASS, EXIT_FAIL, None, 0) and read_text(logs["qemu"]).strip():
        main_log = logs["qemu"]
    if reasons:
        return outcome("FAIL", spec.name, ncpu, "; ".join(reasons[:3]), main_log, seconds, shown)
    return outcome("PASS", spec.name, ncpu, seconds=seconds, logs=shown)
