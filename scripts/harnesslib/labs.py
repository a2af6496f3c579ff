"""labs.py — the course's labs: their order, and the markers in the source
that say which code each lab asks students to write (docs/labs/README.md).

A region in a C++ or assembly source (`//` comments in both) is

    // LAB alloc BEGIN: exercise 1, what to write
    ...the reference code...
    // LAB alloc STUB: a line the handout puts in its place
    // LAB alloc END

with any number of STUB lines (none: the region just disappears). In a
student tree the region of a lab at or after the one handed out becomes its
STUB lines under one `// LAB alloc: exercise 1, what to write` comment; the
region of an earlier lab keeps its code and loses its marker lines.

Easy to get wrong: a STUB line keeps the indentation of its marker, plus
whatever spaces follow `STUB: `; markers must pair up inside one file, and
a region may not contain another (each is checked, with the file and line).
"""

import os
import re

# In order: each lab's handout has this lab and every later one stubbed.
LABS = ["alloc", "proc", "sched", "act", "files", "disk", "threads"]

MARKER = re.compile(r"^(?P<indent>[ \t]*)// LAB (?P<lab>[a-z0-9_-]+) "
                    r"(?P<kind>BEGIN|STUB|END)(?::(?P<text>.*))?$")
# Which files may hold markers.
MARKED_SUFFIXES = (".cc", ".hh", ".S", ".h")


class lab_error(Exception):
    pass


def regions(path, lines):
    """The marked regions of one file: a list of dicts with lab, begin and
    end line indexes, the BEGIN text, the stub lines (indented)."""
    found, open_region = [], None
    for i, line in enumerate(lines):
        m = MARKER.match(line.rstrip("\n"))
        if not m:
            if "// LAB " in line and re.search(r"// LAB [a-z0-9_-]+ (BEGIN|STUB|END)", line):
                raise lab_error(f"{path}:{i + 1}: LAB marker must be alone on its line")
            continue
        lab, kind, where = m["lab"], m["kind"], f"{path}:{i + 1}"
        if lab not in LABS:
            raise lab_error(f"{where}: unknown lab '{lab}' (labs: {' '.join(LABS)})")
        if kind == "BEGIN":
            if open_region:
                raise lab_error(f"{where}: BEGIN inside the region opened at line "
                                f"{open_region['begin'] + 1}")
            open_region = {"lab": lab, "begin": i, "indent": m["indent"],
                           "what": (m["text"] or "").strip(), "stub": []}
            if not open_region["what"]:
                raise lab_error(f"{where}: BEGIN must say what to write")
        else:
            if not open_region or open_region["lab"] != lab:
                raise lab_error(f"{where}: {kind} for lab '{lab}' outside its region")
            if kind == "STUB":
                text = m["text"] or ""
                text = text[1:] if text.startswith(" ") else text
                open_region["stub"].append(m["indent"] + text if text else "")
            else:
                open_region["end"] = i
                found.append(open_region)
                open_region = None
    if open_region:
        raise lab_error(f"{path}:{open_region['begin'] + 1}: region has no END")
    return found


def transform(path, text, lab):
    """The student-tree text of one file for handout `lab`."""
    lines = text.splitlines(keepends=True)
    found = regions(path, lines)
    if not found:
        return text
    cut = LABS.index(lab)
    out, i = [], 0
    for r in found:
        out.extend(lines[i:r["begin"]])
        if LABS.index(r["lab"]) >= cut:
            out.append(f"{r['indent']}// LAB {r['lab']}: {r['what']}\n")
            out.extend(s + "\n" for s in r["stub"])
        else:
            out.extend(l for l in lines[r["begin"] + 1:r["end"]] if not MARKER.match(l.rstrip("\n")))
        i = r["end"] + 1
    out.extend(lines[i:])
    return "".join(out)


def marked_files(root, files):
    """(path, regions) for every file under root that has markers."""
    result = []
    for f in files:
        if not f.endswith(MARKED_SUFFIXES):
            continue
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            found = regions(f, fh.read().splitlines(keepends=True))
        if found:
            result.append((f, found))
    return result
