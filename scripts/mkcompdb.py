#!/usr/bin/env python3
"""mkcompdb.py OUT GROUP [-- GROUP]... — write compile_commands.json.

Each GROUP is: "COMPILER FLAGS..." OBJDIR SOURCE...; every SOURCE becomes an
entry compiled with those flags into OBJDIR/SOURCE-without-suffix.o, as the
Makefile does. The Makefile passes its own flag variables, so the file cannot
drift from the build.

Easy to get wrong: a source built twice (lib/ is compiled for the kernel, for
user programs and for the host tests) gets only its first entry, because
language servers take one set of flags per file; and OUT is rewritten only
when its content changes, so editors watching it do not reload on every make.
"""

import json
import os
import shlex
import sys

# Dependency-file flags mean nothing to a language server.
DROPPED = {"-MMD", "-MP"}


def groups(args):
    group = []
    for arg in args:
        if arg == "--":
            yield group
            group = []
        else:
            group.append(arg)
    yield group


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    entries, seen = [], set()
    for group in groups(sys.argv[2:]):
        if len(group) < 2:
            continue
        command = [w for w in shlex.split(group[0]) if w not in DROPPED]
        objdir = group[1]
        for source in group[2:]:
            if source in seen:
                continue
            seen.add(source)
            obj = os.path.join(objdir, os.path.splitext(source)[0] + ".o")
            entries.append({"directory": root, "file": source,
                            "arguments": command + ["-c", source, "-o", obj],
                            "output": obj})
    text = json.dumps(entries, indent=1) + "\n"
    try:
        with open(out, encoding="utf-8") as f:
            if f.read() == text:
                return 0
    except OSError:
        pass
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(out + ".tmp", out)
    print(f"  COMPDB  {out} ({len(entries)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
