#!/usr/bin/env python3
"""mkinitfs.py — pack user programs and text files into an initfs image.

Usage: mkinitfs.py OUTPUT FILE...   (each file is stored under its base name)

The format is defined in include/abi/initfs.h; keep the two in step.
"""
import os
import struct
import sys

MAGIC = 0x5346544948554E00
VERSION = 1
NAME_MAX = 63
ALIGN = 4096
MAX_FILES = 1024
HEADER = struct.Struct("<QIIQII")        # 32 bytes
ENTRY = struct.Struct("<64sQQII")        # 88 bytes


def crc32c(data, table=[]):
    """CRC-32C as lib/crc32c.cc computes it (crc32c(0, data, len))."""
    if not table:
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
            table.append(c)
    crc = 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: mkinitfs.py OUTPUT FILE...")
    output, paths = argv[1], argv[2:]
    files = []
    for path in sorted(paths, key=os.path.basename):
        name = os.path.basename(path)
        encoded = name.encode()
        if not 1 <= len(encoded) <= NAME_MAX or b"\0" in encoded:
            sys.exit(f"mkinitfs: bad file name {name!r} (1..{NAME_MAX} bytes)")
        if any(n == encoded for n, _ in files):
            sys.exit(f"mkinitfs: two files named {name!r}")
        with open(path, "rb") as f:
            files.append((encoded, f.read()))
    if len(files) > MAX_FILES:
        sys.exit(f"mkinitfs: more than {MAX_FILES} files")

    def align(x):
        return (x + ALIGN - 1) // ALIGN * ALIGN

    offset = align(HEADER.size + ENTRY.size * len(files))
    entries, blobs = [], []
    for name, data in files:
        entries.append(ENTRY.pack(name, offset, len(data), crc32c(data), 0))
        blobs.append((offset, data))
        offset = align(offset + len(data))
    image = bytearray(offset if files else HEADER.size)
    image[0:HEADER.size] = HEADER.pack(MAGIC, VERSION, len(files), len(image),
                                       ENTRY.size, 0)
    for i, entry in enumerate(entries):
        at = HEADER.size + i * ENTRY.size
        image[at:at + ENTRY.size] = entry
    for at, data in blobs:
        image[at:at + len(data)] = data
    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(image)
    os.replace(tmp, output)


if __name__ == "__main__":
    main(sys.argv)
