#!/usr/bin/env python3
"""qemucmd.py — the one place that says how Nuthatch's QEMU is started: the
machine (q35, memory, CPUs, accelerator, isa-debug-exit, debug console),
the UEFI firmware's path, and whether /dev/kvm is hardware-assisted KVM.
The Makefile (through the command line below), the test harness and the
benchmarks (by importing it) all build their QEMU command lines from here.

    qemucmd.py machine [--mem 128M] [--ncpu 1] [--accel tcg|kvm|auto] [--debugcon FILE]
                       [--disk FILE [--snapshot]]
        prints the machine's QEMU arguments, shell-quoted, on one line (not
        the QEMU binary, nor display, serial or what to boot); on a bad knob
        prints one line starting "error:" and exits 1. --disk attaches FILE
        (a raw image, or any QEMU file name such as blkdebug:CONF:IMAGE) as a
        SATA disk on the q35 machine's AHCI port 0; --snapshot keeps the
        guest's writes in a temporary overlay, so FILE never changes
    qemucmd.py ovmf         prints the UEFI firmware's path ($OVMF, else Debian's)
    qemucmd.py kvm-problem  prints why /dev/kvm is not usable hardware KVM
                            (exit 1), or nothing (exit 0) when it is

Easy to get wrong: /dev/kvm existing is not enough. PVM's kvm_pvm module
also provides it, runs guests at CPL 3 in the lower half only and so would
emulate Nuthatch's higher-half kernel one instruction at a time; only vmx
or svm among the CPU flags (and no kvm_pvm) means hardware-assisted KVM.
The isa-debug-exit device is how the kernel reports a verdict (QEMU exits
with (value << 1) | 1: 33 pass, 35 fail), so every command line has it.
"""

import argparse
import os
import re
import shlex
import sys

DEFAULT_OVMF = "/usr/share/ovmf/OVMF.fd"
ISA_DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
ACCELS = ("tcg", "kvm", "auto")


def ovmf():
    """The UEFI firmware image: $OVMF if set, else Debian's ovmf package's."""
    return os.environ.get("OVMF") or DEFAULT_OVMF


def cpu_flags():
    """The CPU feature flags /proc/cpuinfo lists (every CPU's, merged)."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return set()
    return {flag for line in re.findall(r"^flags\s*:(.*)$", text, re.M) for flag in line.split()}


def kvm_problem():
    """None where /dev/kvm looks like hardware-assisted KVM (usable by us,
    vmx or svm among the CPU flags, not PVM); else why it is not."""
    if not os.path.exists("/dev/kvm"):
        return "there is no /dev/kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm is not readable and writable by this user"
    hardware = cpu_flags() & {"vmx", "svm"}
    if os.path.isdir("/sys/module/kvm_pvm"):
        return ("/dev/kvm here is PVM (kvm_pvm" + ("" if hardware else ", no vmx/svm") +
                "): it runs guests at CPL 3 in the lower half of the address space only, so "
                "Nuthatch's higher-half kernel would be emulated instruction by instruction")
    if not hardware:
        return ("/dev/kvm is not hardware-assisted (no vmx or svm in /proc/cpuinfo flags): "
                "Nuthatch would not run natively under it")
    return None


class knob_error(Exception):
    pass


def accel_args(accel, cpu=None):
    """-accel/-cpu for tcg, kvm (refused where KVM is not hardware-assisted)
    or auto (KVM with TCG as QEMU's fallback where KVM is hardware-assisted,
    else TCG). cpu overrides the CPU model of tcg and kvm."""
    if accel == "tcg":
        return ["-accel", "tcg", "-cpu", cpu or "max"]
    if accel == "kvm":
        problem = kvm_problem()
        if problem:
            raise knob_error(f"ACCEL=kvm: {problem}; use ACCEL=tcg or ACCEL=auto")
        return ["-accel", "kvm", "-cpu", cpu or "host"]
    if accel == "auto":
        if kvm_problem():
            return ["-accel", "tcg", "-cpu", "max"]
        return ["-accel", "kvm", "-accel", "tcg", "-cpu", "max"]
    raise knob_error(f"ACCEL must be tcg, kvm or auto, not '{accel}'")


def disk_args(path, snapshot=False):
    """A raw disk image (or QEMU file name, e.g. blkdebug:CONF:IMAGE) on
    the built-in AHCI controller's first port (q35's bus ide.0). With
    snapshot the guest's writes go to a temporary overlay, never to path."""
    if not path:
        return []
    # In QEMU's option syntax a comma inside a value is written twice.
    drive = f"file={path.replace(',', ',,')},if=none,id=nh-disk,format=raw"
    if snapshot:
        drive += ",snapshot=on"
    return ["-drive", drive, "-device", "ide-hd,drive=nh-disk,bus=ide.0"]


def machine_args(mem="128M", ncpu=1, accel="tcg", cpu=None, debugcon=None, extra=(),
                 disk=None, snapshot=False):
    """The machine's arguments (no binary, display, serial or boot media).
    accel "kvm" with an explicit cpu is not checked against kvm_problem():
    the benchmark's probe decides that itself. disk: see disk_args."""
    if accel == "kvm" and cpu:
        accel_part = ["-accel", "kvm", "-cpu", cpu]
    else:
        accel_part = accel_args(accel, cpu)
    args = ["-M", "q35", "-m", str(mem), "-smp", str(ncpu), *accel_part, *extra,
            "-no-reboot", *ISA_DEBUG_EXIT, *disk_args(disk, snapshot)]
    if debugcon:
        args += ["-debugcon", "file:" + debugcon]
    return args


def main(argv):
    parser = argparse.ArgumentParser(description="Nuthatch's QEMU command line.")
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("machine")
    m.add_argument("--mem", default="128M")
    m.add_argument("--ncpu", default="1")
    m.add_argument("--accel", default="tcg")
    m.add_argument("--debugcon")
    m.add_argument("--disk", default="")
    m.add_argument("--snapshot", action="store_true")
    sub.add_parser("ovmf")
    sub.add_parser("kvm-problem")
    o = parser.parse_args(argv)
    if o.what == "machine":
        try:
            print(shlex.join(machine_args(o.mem, o.ncpu, o.accel, debugcon=o.debugcon,
                                          disk=o.disk, snapshot=o.snapshot)))
        except knob_error as e:
            print(f"error: {e}")
            return 1
    elif o.what == "ovmf":
        print(ovmf())
    else:
        problem = kvm_problem()
        if problem:
            print(problem)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
