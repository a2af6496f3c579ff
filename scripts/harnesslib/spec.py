"""spec.py — finding tests and reading their directives (see harness.py for
the list). A test file that cannot be understood becomes a spec with
`error` set, reported as a failure rather than stopping the whole run.

Easy to get wrong: a user test that should pass must print a line ending in
`succeeded!` whatever else it expects (`expect` lines add to that rule, they
do not replace it); only `succeeded: no` turns the rule off.
"""

import difflib
import fnmatch
import os
import re
import shutil

import qemucmd

from .common import OBJ, test_error

LIST_KEYS = {"expect", "reject", "gdb-expect"}
SCALAR_KEYS = {"result", "ncpu", "timeout", "mem", "boot", "cmdline", "qemu",
               "requires", "gdb", "input", "input-after", "succeeded", "lab", "disk", "fsck"}
DEFAULTS = {"result": "pass", "ncpu": "1 4", "timeout": "30", "mem": "128M",
            "boot": "kernel", "cmdline": "", "qemu": "", "requires": "",
            "gdb": "", "input": "", "input-after": "", "succeeded": "", "lab": "",
            "disk": "", "fsck": ""}
# `disk: yes` attaches (a snapshot of) this image.
DEFAULT_DISK = os.path.join(OBJ, "disk.img")
SUCCEEDED_LINE = r"succeeded!$"

# A SAN=1 kernel (every check, poisoned memory) runs this much slower:
# its tests get this much more time.
SAN_SLOWDOWN = 3


def debug_build():
    """Whether user programs were built for debugging (OPT=-Og or -O0): the
    optimisation flag recorded in obj/u/.flags."""
    try:
        with open(os.path.join("obj", "u", ".flags"), encoding="utf-8") as f:
            levels = [w for w in f.read().split() if w.startswith("-O")]
    except OSError:
        return False
    return bool(levels) and levels[-1] in ("-Og", "-O0")


# Requirements that are not commands on PATH.
RESOURCES = {
    "debug-build": debug_build,
    "ovmf": lambda: os.path.exists(qemucmd.ovmf()),
    "grub-pc": lambda: os.path.isdir("/usr/lib/grub/i386-pc"),
    "grub-efi": lambda: os.path.isdir("/usr/lib/grub/x86_64-efi"),
    # The kernel was built with SAN=1 (its flags file says so).
    "san": lambda: "-fsanitize=undefined" in read_flags(os.path.join(OBJ, "k", ".flags")),
}


def read_flags(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""
BOOT_REQUIRES = {
    "kernel": [],
    "iso": ["grub-mkrescue", "xorriso", "grub-pc"],
    "uefi": ["grub-mkrescue", "xorriso", "mformat", "grub-efi", "ovmf"],
}


class test_spec:
    def __init__(self, name, kind, path):
        self.name = name
        self.kind = kind            # "kernel", "user", "boot"
        self.path = path
        self.base_cmdline = "harness"
        self.lists = {k: [] for k in LIST_KEYS}
        self.scalars = dict(DEFAULTS)
        self.error = None
        self.disk = None

    def apply(self, key, value, where):
        if key in LIST_KEYS:
            try:
                re.compile(value)
            except re.error as e:
                raise test_error(f"{where}: bad regex for {key}: {e}")
            self.lists[key].append(value)
        elif key in SCALAR_KEYS:
            self.scalars[key] = value
        else:
            raise test_error(f"{where}: unknown directive '{key}'")

    def check(self):
        s = self.scalars
        if s["result"] not in ("pass", "fail"):
            raise test_error(f"{self.path}: result must be pass or fail")
        if s["boot"] not in BOOT_REQUIRES:
            raise test_error(f"{self.path}: boot must be kernel, iso or uefi")
        if s["succeeded"] not in ("", "yes", "no"):
            raise test_error(f"{self.path}: succeeded must be yes or no")
        try:
            self.ncpus = [int(n) for n in s["ncpu"].split()]
            self.timeout = float(s["timeout"])
            if RESOURCES["san"]():
                self.timeout *= SAN_SLOWDOWN
        except ValueError:
            raise test_error(f"{self.path}: ncpu and timeout must be numbers")
        if not self.ncpus:
            raise test_error(f"{self.path}: ncpu lists no CPU counts")
        if s["input-after"] and not s["input"]:
            raise test_error(f"{self.path}: input-after without input")
        try:
            re.compile(s["input-after"])
        except re.error as e:
            raise test_error(f"{self.path}: bad input-after regex: {e}")
        self.lab, self.points = None, 0
        if s["lab"]:
            from .labs import LABS
            words = s["lab"].split()
            if len(words) != 2 or words[0] not in LABS or not words[1].isdigit() \
                    or int(words[1]) == 0:
                raise test_error(f"{self.path}: lab must be 'NAME POINTS', NAME one of "
                                 f"{' '.join(LABS)} and POINTS a positive integer")
            self.lab, self.points = words[0], int(words[1])
        try:
            self.input = input_bytes(s["input"])
        except (UnicodeError, ValueError) as e:
            raise test_error(f"{self.path}: bad input escape: {e}")
        self.disk = disk_file(s["disk"], self.path)
        # `fsck: yes`: the test runs on a copy of its disk (not a snapshot),
        # which obj/chkfsck must find clean afterwards.
        if s["fsck"] not in ("", "yes", "no"):
            raise test_error(f"{self.path}: fsck must be yes or no")
        self.fsck = s["fsck"] == "yes"
        if self.fsck and (not self.disk or self.disk.startswith("blkdebug:")):
            raise test_error(f"{self.path}: fsck: yes needs a disk: image")

    def cmdline(self):
        return " ".join(w for w in (self.base_cmdline, self.scalars["cmdline"]) if w)


def disk_file(value, where):
    """The QEMU file name a `disk:` directive attaches (always as a
    snapshot: the test never changes it), or None. `yes` is obj/disk.img;
    `no` or nothing, no disk; anything else a path from the top of the tree,
    or blkdebug:CONF:IMAGE (QEMU's error-injecting driver)."""
    if value in ("", "no"):
        return None
    if value == "yes":
        return DEFAULT_DISK
    if value.startswith("blkdebug:"):
        parts = value.split(":")
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise test_error(f"{where}: disk: blkdebug takes blkdebug:CONF:IMAGE")
        return value
    return value


def disk_missing(disk):
    """The files a disk value names that do not exist (checked when the test
    runs: obj/disk.img is built by `make`)."""
    if not disk:
        return []
    paths = disk.split(":")[1:] if disk.startswith("blkdebug:") else [disk]
    return [p for p in paths if not os.path.exists(p)]


def input_bytes(value):
    """The bytes an `input:` directive sends: Python string escapes
    (\\r, \\n, \\t, \\xNN, \\\\) decoded, one byte per character."""
    return value.encode("latin-1").decode("unicode_escape").encode("latin-1")


def split_directive(line, where):
    key, sep, value = line.partition(":")
    if not sep:
        raise test_error(f"{where}: expected 'key: value', got '{line}'")
    return key.strip(), value.strip()


def read_source_directives(spec, path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("//! "):
                key, value = split_directive(line[4:].strip(), f"{path}:{number}")
                spec.apply(key, value, f"{path}:{number}")


def load_source_test(name, kind, path, cmdline):
    spec = test_spec(name, kind, path)
    spec.base_cmdline = cmdline
    try:
        read_source_directives(spec, path)
        spec.check()
    except (test_error, OSError) as e:
        spec.error = str(e)
    return spec


def load_boot_test(path):
    name = os.path.basename(path)[:-len(".test")]
    spec = test_spec(name, "boot", path)
    try:
        with open(path, encoding="utf-8") as f:
            lines = [(n, l.strip()) for n, l in enumerate(f, 1)]
        for number, line in lines:
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{number}"
            key, value = split_directive(line, where)
            if key == "ktest":
                spec.base_cmdline = f"test={value} harness"
                read_source_directives(spec, os.path.join("tests", "kernel", value + ".cc"))
            elif key == "program":
                spec.base_cmdline = f"run={value} harness"
                read_source_directives(spec, os.path.join("tests", "user", f"p-{value}.cc"))
            else:
                spec.apply(key, value, where)
        if spec.scalars["gdb"]:
            spec.scalars["gdb"] = os.path.join(os.path.dirname(path), spec.scalars["gdb"])
        spec.check()
    except (test_error, OSError) as e:
        spec.error = str(e)
    return spec


def discover():
    def files(folder, pattern):
        folder = os.path.join("tests", folder)
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                      if fnmatch.fnmatch(f, pattern))

    specs = []
    for path in files("kernel", "*.cc"):
        name = os.path.basename(path)[:-3]
        specs.append(load_source_test(name, "kernel", path, f"test={name} harness"))
    for path in files("user", "p-*.cc"):
        name = os.path.basename(path)[2:-3]
        spec = load_source_test(name, "user", path, f"run={name} harness")
        # Required by default when the test should pass; `succeeded: yes`
        # also asks it of a test that expects failure, `no` drops it.
        wanted = spec.scalars["succeeded"] or ("yes" if spec.scalars["result"] == "pass" else "no")
        if wanted == "yes" and SUCCEEDED_LINE not in spec.lists["expect"]:
            spec.lists["expect"].append(SUCCEEDED_LINE)
        specs.append(spec)
    for path in files("boot", "*.test"):
        specs.append(load_boot_test(path))
    seen = {}
    for spec in specs:
        if spec.name in seen:
            spec.error = f"test name '{spec.name}' also used by {seen[spec.name]}"
        seen[spec.name] = spec.path
    return specs


def selected(name, patterns):
    """A name is selected by an exact name, a glob, or a group prefix
    (`host` selects every `host/...` test). A user test's file name has a
    `p-` its test name lacks, so `p-forktree` selects `forktree` too."""
    if not patterns:
        return True
    patterns = list(patterns) + [p[2:] for p in patterns if p.startswith("p-")]
    return any(name == p or fnmatch.fnmatchcase(name, p) or name.startswith(p + "/")
               for p in patterns)


def close_names(names, pattern):
    """Test names like `pattern`, for a hint when nothing matches it."""
    bare = pattern[2:] if pattern.startswith("p-") else pattern
    near = [n for n in names if len(bare) >= 3 and (bare in n or n in bare)]
    near += difflib.get_close_matches(bare, names, n=6, cutoff=0.6)
    return sorted(set(near))[:8]


def missing_requirements(spec):
    wanted = BOOT_REQUIRES[spec.scalars["boot"]] + spec.scalars["requires"].split()
    if spec.scalars["gdb"]:
        wanted.append("gdb")
    missing = []
    for tool in wanted:
        present = RESOURCES[tool]() if tool in RESOURCES else shutil.which(tool)
        if not present and tool not in missing:
            missing.append(tool + (" (make check OPT=-Og)" if tool == "debug-build" else ""))
    return missing
