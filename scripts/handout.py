#!/usr/bin/env python3
"""handout.py — write a student tree for one lab: `make handout LAB=NAME OUT=DIR`.

Copies the project's files (those git tracks plus new ones it does not
ignore: never obj/, .git or anything .gitignore names) to OUT, with every
region marked for LAB or a later lab replaced by its stub and every earlier
lab's region kept complete, its markers removed (scripts/harnesslib/labs.py,
docs/labs/README.md). `--list` prints the marked regions instead.

Easy to get wrong: OUT must be a new or empty directory (a student tree is
never written over anything), and a file deleted from the working tree but
still in git's index must not be copied.
"""

import argparse
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
from harnesslib.labs import LABS, lab_error, marked_files, transform   # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def project_files():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    files = sorted({f for f in out.decode().split("\0") if f})
    return [f for f in files if os.path.isfile(os.path.join(ROOT, f))
            and not f.startswith(("obj/", ".git/"))]


def write_handout(lab, dest):
    if os.path.exists(dest) and os.listdir(dest):
        raise lab_error(f"{dest} exists and is not empty")
    files = project_files()
    marked = dict(marked_files(ROOT, files))
    stubbed = 0
    for f in files:
        src, dst = os.path.join(ROOT, f), os.path.join(dest, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if f in marked:
            with open(src, encoding="utf-8") as fh:
                text = fh.read()
            with open(dst, "w", encoding="utf-8") as fh:
                fh.write(transform(f, text, lab))
            shutil.copymode(src, dst)
            stubbed += sum(1 for r in marked[f] if LABS.index(r["lab"]) >= LABS.index(lab))
        else:
            shutil.copy2(src, dst)
    return len(files), stubbed


def main():
    parser = argparse.ArgumentParser(description="Write a student tree for one lab.")
    parser.add_argument("lab", nargs="?", help="lab name: " + ", ".join(LABS))
    parser.add_argument("out", nargs="?", help="directory to write (new or empty)")
    parser.add_argument("--list", action="store_true", help="list the marked regions")
    options = parser.parse_args()
    try:
        if options.list:
            rows = [(LABS.index(r["lab"]), f, r) for f, found in marked_files(ROOT, project_files())
                    for r in found]
            for _, f, r in sorted(rows, key=lambda x: (x[0], x[1], x[2]["begin"])):
                print(f"{r['lab']:6} {f}:{r['begin'] + 1}-{r['end'] + 1}  {r['what']}")
            return 0
        if options.lab not in LABS or not options.out:
            parser.error(f"give LAB (one of {' '.join(LABS)}) and OUT")
        nfiles, stubbed = write_handout(options.lab, options.out)
    except lab_error as e:
        print(f"handout: {e}", file=sys.stderr)
        return 1
    print(f"handout: lab {options.lab} in {options.out}: {nfiles} files, "
          f"{stubbed} regions stubbed (labs {' '.join(LABS[LABS.index(options.lab):])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
