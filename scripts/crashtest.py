#!/usr/bin/env python3
"""crashtest.py — crash tests for the disk file system's journal
(docs/journal.md): boot the workload p-crashwork on a fresh copy of the
disk image, crash the machine at a random moment, check the image with
obj/chkfsck, boot the checker p-crashcheck on the same image and tell it
what the workload had synced, and report each trial.

    crashtest.py [--trials N] [--seed S] [--only I] [--mode kill|diskfail|both]
                 [--ncpu N] [--cmdline WORDS] [--keep DIR] [--timeout SECONDS]
    crashtest.py --memfs-selftest [--seed S]

--ncpu N boots the guests with N CPUs, and the workload then runs
min(N, 4) processes at once, each with its own files and reports.
--cmdline adds kernel command-line words to every boot (`make crashtest
BUFCACHE=8` passes bufcache=8: the smallest buffer cache).
Two ways to crash: `kill` sends SIGKILL to QEMU a random time after the
workload started (anywhere in its run, which trial 0 measures); `diskfail`
boots with `diskfail=N` (kernel/dev/faultdisk.cc), so every block write
after the N-th is silently dropped — a crash exactly between two writes —
and lets the workload finish. `both` alternates. Trial 0 never crashes: it
measures the run (seconds, block writes) the random choices are drawn from.
Every choice comes from --seed (printed; random if not given), so
`--seed S --only I` replays trial I exactly. Exit status 0 when every trial
passed.

What the workload prints (user/p-crashwork.cc) is turned into the
checker's input by durable_state(): the files listed at the last complete
`durable` report must read back exactly (size and CRC-32C), files it
reported absent must be absent, and files named by a `touch` line after
that report may be in any state (but must read without error).

--memfs-selftest needs no disk: it runs the workload to the end on the
memory file system, then the workload and the checker in one boot (through
the shell) with the expectation computed from the first run — the
programs' and this script's own logic, end to end, without a crash.

Easy to get wrong: the image is attached writable and not as a snapshot
(the crash must hit the real file); the serial log of a killed QEMU can end
in the middle of a line or of a durable report, and only complete reports
count.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemucmd  # noqa: E402

KERNEL = os.path.join(ROOT, "obj", "kernel.elf")
IMAGE = os.path.join(ROOT, "obj", "disk.img")
CHKFSCK = os.path.join(ROOT, "obj", "chkfsck")
QEMU = "qemu-system-x86_64"
EXIT_PASS = 33
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[()][0-9A-Za-z]|[=>])")


# ---- what the workload's log says is durable ----

class state:
    def __init__(self):
        self.durable = None     # {name: (size, crc)} at the last complete report, or None
        self.report = -1        # its number
        self.flux = set()       # names touched since that report
        self.names = set()      # every name the workload mentioned
        self.done = False

    def checker_input(self):
        """The lines p-crashcheck reads (without the final `end`)."""
        lines = []
        if self.durable is None:
            return lines
        for name in sorted(self.names):
            if name in self.flux:
                lines.append(f"any {name}")
            elif name in self.durable:
                size, crc = self.durable[name]
                lines.append(f"expect {name} {size} {crc}")
            else:
                lines.append(f"absent {name}")
        return lines


def before_cut(text):
    """The serial log up to the line where faultdisk began dropping writes
    (diskfail mode): a sync that returned after it made nothing durable,
    so later `durable` reports do not count."""
    m = re.search(r"^.*faultdisk: write budget spent", text, re.MULTILINE)
    return text[:m.start()] if m else text


class workers_state:
    """Several workers' states (p-crashwork with P > 1: lines tagged pI):
    each worker's files are its own, so the checker's input is the union of
    theirs; a worker with no complete report yet contributes nothing."""

    def __init__(self, by_tag):
        self.by_tag = by_tag
        self.done = False
        reported = {t: st for t, st in by_tag.items() if st.durable is not None}
        self.durable = None
        if reported:
            self.durable = {}
            for st in reported.values():
                self.durable.update(st.durable)
        self.report = " ".join(f"{t}:{st.report}" for t, st in sorted(reported.items())) or -1
        self.flux = set().union(*(st.flux for st in by_tag.values()))
        self.names = set().union(*(st.names for st in by_tag.values()))

    def checker_input(self):
        lines = []
        for _, st in sorted(self.by_tag.items()):
            lines += st.checker_input()
        return lines


def durable_state(text):
    """Parses p-crashwork's output (possibly cut off anywhere): a state,
    or a workers_state when its lines carry worker tags."""
    states = {}
    pending = {}
    done = False
    complete_lines = text.replace("\r", "").split("\n")
    if not text.endswith("\n"):
        complete_lines = complete_lines[:-1]       # a cut-off last line says nothing
    for line in complete_lines:
        m = re.search(r"crashwork: (?:(p\d+) )?(\w+)(.*)$", ANSI.sub("", line))
        if not m:
            continue
        tag, word, rest = m.group(1) or "", m.group(2), m.group(3).split()
        if word == "done":
            done = True
            continue
        st = states.setdefault(tag, state())
        if word == "touch":
            st.flux.update(rest)
            st.names.update(rest)
        elif word == "durable" and rest:
            pending[tag] = (int(rest[0]), {})
        elif word == "file" and pending.get(tag) is not None and len(rest) == 3:
            pending[tag][1][rest[0]] = (int(rest[1]), rest[2].lower())
            st.names.add(rest[0])
        elif word == "end" and pending.get(tag) is not None and rest \
                and int(rest[0]) == pending[tag][0]:
            st.report, st.durable = pending[tag]
            st.flux = set()
            pending[tag] = None
    tagged = {t: st for t, st in states.items() if t}
    if tagged:
        result = workers_state(tagged)
    else:
        result = states.get("", state())
    result.done = done
    return result


# ---- booting ----

def disk_args(image):
    if hasattr(qemucmd, "disk_args"):
        return qemucmd.disk_args(image)
    return ["-drive", f"file={image},if=none,id=nhdisk,format=raw",
            "-device", "ide-hd,drive=nhdisk,bus=ide.0"]


def boot(cmdline, image, ncpu, workdir, tag, stdin_text="", kill_after=None,
         start_pattern=None, timeout=120, respond=None):
    """Boots the kernel with `stdin_text` typed on the serial console;
    returns (serial text, exit status or None if killed/timed out, seconds
    since start_pattern appeared, debugcon text). respond: (pattern, fn):
    once the serial log matches pattern, fn(serial text) is typed too."""
    serial_path = os.path.join(workdir, f"{tag}.serial.log")
    debug_path = os.path.join(workdir, f"{tag}.kernel.log")
    input_path = os.path.join(workdir, f"{tag}.input")
    with open(input_path, "w") as f:
        f.write(stdin_text)
    args = [QEMU, *qemucmd.machine_args("128M", ncpu, "tcg", debugcon=debug_path),
            "-display", "none", "-monitor", "none",
            "-chardev", "stdio,id=nh-serial,mux=on,signal=off", "-serial", "chardev:nh-serial",
            "-kernel", KERNEL, "-append", cmdline]
    if image:
        args += disk_args(image)
    with open(serial_path, "wb") as out:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
    proc.stdin.write(stdin_text.encode())
    proc.stdin.flush()
    deadline = time.monotonic() + timeout
    started = None
    status = None
    try:
        while True:
            status = proc.poll()
            now = time.monotonic()
            if status is not None or now > deadline:
                break
            if started is None and start_pattern:
                if re.search(start_pattern, read(serial_path)):
                    started = now
            if started is not None and kill_after is not None and now - started >= kill_after:
                break
            if respond and re.search(respond[0], read(serial_path)):
                text = respond[1](ANSI.sub("", read(serial_path)).replace("\r", ""))
                with open(input_path, "a") as f:
                    f.write(text)
                proc.stdin.write(text.encode())
                proc.stdin.flush()
                respond = None
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            status = None
        proc.stdin.close()
    ran = time.monotonic() - started if started is not None else 0.0
    return ANSI.sub("", read(serial_path)).replace("\r", ""), status, ran, read(debug_path)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def fsck(image, strict=False):
    r = subprocess.run([CHKFSCK] + (["-S"] if strict else []) + [image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def block_writes(debug_text):
    counts = re.findall(r"faultdisk: (\d+) block writes passed", debug_text)
    return int(counts[-1]) if counts else None


# ---- trials ----

class trial_result:
    def __init__(self, index, seed):
        self.index, self.seed = index, seed
        self.ok = True
        self.words = []

    def fail(self, why):
        self.ok = False
        self.words.append("FAIL: " + why)


def workers(o):
    """p-crashwork's worker processes: one per CPU, at most 4."""
    return max(1, min(4, o.ncpu))


def run_trial(i, seed, mode, o, workdir, calibration):
    """Trial i. calibration: (seconds, block writes) of trial 0, or None."""
    rng = random.Random(seed)
    res = trial_result(i, seed)
    work_seed = rng.randrange(1, 2**31)
    image = os.path.join(workdir, f"trial-{i}.img")
    subprocess.run(["cp", "--sparse=always", IMAGE, image], check=True)
    cmdline = ("harness run=crashwork " + o.cmdline).strip()
    kill_after = None
    if i == 0:
        cmdline += " diskfail=2147483647"       # counts writes, drops none
        res.words.append(f"workload seed {work_seed}, no crash (calibration)")
    elif mode == "kill":
        kill_after = rng.uniform(0, calibration[0] * 1.05)
        res.words.append(f"workload seed {work_seed}, killed {kill_after:.3f} s after start")
    else:
        n = rng.randrange(0, max(1, calibration[1]))
        cmdline += f" diskfail={n}"
        res.words.append(f"workload seed {work_seed}, writes dropped after block write {n}")
    log, status, ran, debug = boot(cmdline, image, o.ncpu, workdir, f"trial-{i}-work",
                                   f"{work_seed} {workers(o)}\n", kill_after, r"crashwork: start",
                                   o.timeout)
    st = durable_state(before_cut(log))
    if i == 0:
        writes = block_writes(debug)
        if not st.done or status != EXIT_PASS:
            res.fail(f"the workload did not finish (exit {status}); see {workdir}/trial-0-work.serial.log")
            return res, None
        calibration = (ran, writes or 0)
        res.words.append(f"ran {ran:.2f} s, {writes} block writes")
    elif mode == "diskfail" and not re.search(r"faultdisk: write budget spent", debug + log):
        res.words.append("the budget outlasted the run")
    res.words.append(f"durable report {st.report}" if st.durable is not None else "nothing synced")

    if o.keep:
        shutil.copyfile(image, os.path.join(workdir, f"trial-{i}-crash.img"))
    code, out = fsck(image, strict=True)     # -S: as strict as Chickadee's checker
    replayed = re.findall(r"replayed transaction", out)
    if code != 0:
        res.fail("chkfsck after the crash: " + " | ".join(l for l in out.splitlines() if "error" in l)[:300])
        return res, calibration
    res.words.append(f"fsck clean ({len(replayed)} to replay)")

    lines = st.checker_input()
    log2, status2, _, _ = boot(("harness run=crashcheck " + o.cmdline).strip(), image, o.ncpu,
                               workdir, f"trial-{i}-check",
                               "\n".join(lines + ["end"]) + "\n", timeout=o.timeout)
    m = re.search(r"crashcheck: .*succeeded!", log2)
    if status2 != EXIT_PASS or not m:
        bad = [l for l in log2.splitlines() if l.startswith("crashcheck:") or "PANIC" in l]
        res.fail("checker: " + (" | ".join(bad)[:400] or f"exit {status2}, no verdict"))
        return res, calibration
    rm = re.search(r"journal: \S+ replayed (\d+) transaction", log2)
    res.words.append(f"mount replayed {rm.group(1) if rm else 0}")
    res.words.append(m.group(0).replace(": succeeded!", "").replace("crashcheck: ", "check: "))
    code, out = fsck(image)
    if code != 0 or "nothing to replay" not in out:
        res.fail("chkfsck after the checker's boot: " + out.strip().splitlines()[-1])
    return res, calibration


def memfs_selftest(o, workdir):
    """One boot of the shell: the workload to the end, then the checker
    twice with what its log says is durable — once with one CRC changed
    (it must fail), once as it is (it must pass)."""
    seed = o.seed % 1000 + 1
    out = {}

    def answer(serial):
        st = durable_state(serial)
        good = st.checker_input()
        out["state"] = st
        bad = list(good)
        for k, line in enumerate(bad):
            if line.startswith("expect "):
                w = line.split()
                bad[k] = f"expect {w[1]} {w[2]} {int(w[3], 16) ^ 1:08x}"
                break
        return ("crashcheck\n" + "\n".join(bad + ["end"]) + "\n"
                + "crashcheck\n" + "\n".join(good + ["end"]) + "\nexit\n")

    log, status, _, _ = boot("harness run=sh", None, o.ncpu, workdir, "selftest", f"crashwork\n{seed} {workers(o)}\n",
                             timeout=o.timeout, respond=(r"crashwork: done", answer))
    st = out.get("state")
    where = f"log: {workdir}/selftest.serial.log"
    if st is None or not st.done or st.durable is None:
        print(f"selftest: the workload did not finish (exit {status}); {where}")
        return 1
    if not re.search(r"crashcheck: FAILED: 1 problem", log):
        print(f"selftest: the checker did not notice a wrong CRC; {where}")
        return 1
    m = re.search(r"crashcheck: .*succeeded!", log)
    if status != EXIT_PASS or not m:
        print(f"selftest: the checker failed on the true state (exit {status}); {where}")
        return 1
    print(f"selftest: seed {seed}, {len(st.durable)} files durable at report {st.report}; "
          f"a wrong CRC is caught; {m.group(0)}")
    return 0


def main(argv):
    p = argparse.ArgumentParser(description="Crash tests for the disk file system's journal.")
    p.add_argument("--trials", type=int, default=10, help="crash trials after the calibration run")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--only", type=int, default=None, help="run trial I only (with trial 0 first)")
    p.add_argument("--mode", choices=("kill", "diskfail", "both"), default="both")
    p.add_argument("--ncpu", type=int, default=1,
                   help="CPUs of the guest; the workload runs one process per CPU (at most 4)")
    p.add_argument("--cmdline", default="",
                   help="extra kernel command-line words for every boot (e.g. bufcache=8)")
    p.add_argument("--keep", help="keep images and logs in this directory "
                   "(trial-I-crash.img: the image as the crash left it)")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--memfs-selftest", action="store_true")
    o = p.parse_args(argv)
    if o.seed is None:
        o.seed = random.SystemRandom().randrange(1, 2**31)
    workdir = o.keep or tempfile.mkdtemp(prefix="nuthatch-crash-")
    os.makedirs(workdir, exist_ok=True)
    failed_runs = []            # a failure keeps the logs
    try:
        if o.memfs_selftest:
            status = memfs_selftest(o, workdir)
            if status:
                failed_runs.append("selftest")
            return status
        for path in (KERNEL, IMAGE, CHKFSCK):
            if not os.path.exists(path):
                print(f"crashtest: {path} is missing (run make first)")
                return 2
        print(f"crashtest: seed {o.seed}, {o.trials} trials, mode {o.mode}, {o.ncpu} CPU(s), "
              f"{workers(o)} worker(s) (replay one: --seed {o.seed} --ncpu {o.ncpu} --only I)",
              flush=True)
        indices = [0] + ([o.only] if o.only else list(range(1, o.trials + 1)))
        calibration = None
        passed = failed = 0
        for i in indices:
            mode = o.mode if o.mode != "both" else ("kill" if i % 2 else "diskfail")
            seed = (o.seed * 1000003 + i) & 0xFFFFFFFF
            res, cal = run_trial(i, seed, mode, o, workdir, calibration)
            calibration = calibration or cal
            print(f"trial {i}: {'pass' if res.ok else 'FAIL'}: " + "; ".join(res.words), flush=True)
            passed += res.ok
            failed += not res.ok
            if not res.ok:
                failed_runs.append(i)
            if calibration is None:
                print("crashtest: no calibration run, stopping")
                failed_runs.append(i)
                break
        kept = f"; logs and images in {workdir}" if o.keep or failed_runs else ""
        print(f"crashtest: {passed} passed, {failed} failed (seed {o.seed}{kept})")
        return 0 if failed == 0 and passed == len(indices) else 1
    finally:
        if not o.keep and os.path.isdir(workdir) and not failed_runs:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
