#!/usr/bin/env python3
"""mkcpio.py — write an uncompressed "newc" cpio archive, the format Linux
unpacks as an initramfs (no root needed: device nodes are only headers).

    mkcpio.py OUT.cpio init=obj/bench/linux-bench-static [dir=dev] [char=dev/console:5:1]

As a module: write_cpio(path, entries) with entries from directory(),
char_device() and regular_file().

Easy to get wrong: every header is 110 ASCII bytes of 8-digit hex fields,
and both the header+name and the file data are padded with zeros to a
multiple of 4 bytes; the name's length counts its terminating NUL; the
archive ends with an entry named TRAILER!!!. Linux creates entries in
archive order, so a directory must come before what it holds. Modification
times are 0, so the same inputs give the same bytes.
"""

import os
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def directory(name, mode=0o755):
    return {"name": name, "mode": stat.S_IFDIR | mode, "data": b"", "rdev": (0, 0)}


def char_device(name, major, minor, mode=0o600):
    return {"name": name, "mode": stat.S_IFCHR | mode, "data": b"", "rdev": (major, minor)}


def regular_file(name, data, mode=0o755):
    return {"name": name, "mode": stat.S_IFREG | mode, "data": data, "rdev": (0, 0)}


def pad4(n):
    return (4 - n % 4) % 4


def entry_bytes(ino, e):
    name = e["name"].encode() + b"\0"
    data = e["data"]
    nlink = 2 if stat.S_ISDIR(e["mode"]) else 1
    fields = [ino, e["mode"], 0, 0, nlink, 0, len(data), 0, 0, e["rdev"][0], e["rdev"][1],
              len(name), 0]
    for value in fields:
        if not 0 <= value <= 0xFFFFFFFF:
            raise ValueError(f"cpio: field {value} of {e['name']!r} does not fit 32 bits")
    header = MAGIC + b"".join(b"%08X" % v for v in fields)
    out = header + name + b"\0" * pad4(len(header) + len(name))
    return out + data + b"\0" * pad4(len(data))


def archive(entries):
    """The archive's bytes: entries in order, then the trailer."""
    names = set()
    out = bytearray()
    for ino, e in enumerate(entries, start=1):
        name = e["name"]
        if not name or name.startswith("/") or ".." in name.split("/") or name in names:
            raise ValueError(f"cpio: bad or repeated name {name!r}")
        parent = os.path.dirname(name)
        if parent and parent not in names:
            raise ValueError(f"cpio: {name!r} comes before its directory {parent!r}")
        names.add(name)
        out += entry_bytes(ino, e)
    out += entry_bytes(0, {"name": TRAILER, "mode": 0, "data": b"", "rdev": (0, 0)})
    return bytes(out)


def write_cpio(path, entries):
    data = archive(entries)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: mkcpio.py OUT.cpio [dir=NAME] [char=NAME:MAJOR:MINOR] [NAME=FILE]...")
    entries = []
    for arg in argv[1:]:
        key, _, value = arg.partition("=")
        if key == "dir":
            entries.append(directory(value))
        elif key == "char":
            name, major, minor = value.split(":")
            entries.append(char_device(name, int(major), int(minor)))
        else:
            with open(value, "rb") as f:
                entries.append(regular_file(key, f.read()))
    write_cpio(argv[0], entries)


if __name__ == "__main__":
    main(sys.argv[1:])
