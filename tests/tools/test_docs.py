"""test_docs.py — docs/first-program.md stays true to the tree: its example
is user/p-first.cc exactly (tests/boot/first.test runs that program), its
system-call table has one row per row of include/abi/syscalls.def, and a
call is marked E_NOSYS there exactly when its kernel handler only returns
E_NOSYS. The README links to the guide.

Easy to get wrong: when a call gets implemented (or added to the table),
this test fails until the guide's table says so; that is its purpose.
"""

import glob
import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join("docs", "first-program.md")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def syscall_rows():
    """name -> kind for every SYSCALL(...) row of the table."""
    rows = {}
    for m in re.finditer(r"^SYSCALL\(\s*\w+\s*,\s*(\w+)\s*,\s*\d+\s*,\s*(\w+)", read(
            os.path.join("include", "abi", "syscalls.def")), re.MULTILINE):
        rows[m.group(1)] = m.group(2)
    return rows


def nosys_handlers():
    """Names whose kernel handler is nothing but `return E_NOSYS;`."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "kernel", "**", "*.cc"), recursive=True):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        names |= set(re.findall(r"\bsyscall_(\w+)\([^)]*\)\s*\{\s*return E_NOSYS;\s*\}", text))
    return names


def guide_table():
    """name -> 'returns' text of each row of the guide's system-call table."""
    text = read(GUIDE)
    section = text.split("## System calls", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for m in re.finditer(r"^\| `sys_(\w+)\(.*?\)` \| (.*) \|$", section, re.MULTILINE):
        rows[m.group(1)] = m.group(2)
    return rows


class first_program(unittest.TestCase):
    def test_example_is_the_program(self):
        text = read(GUIDE)
        section = text.split("## The first program", 1)[1]
        block = re.search(r"```c\+\+\n(.*?)```", section, re.DOTALL)
        self.assertIsNotNone(block)
        self.assertEqual(block.group(1), read(os.path.join("user", "p-first.cc")),
                         "docs/first-program.md and user/p-first.cc differ")

    def test_readme_links_the_guide(self):
        self.assertIn("(docs/first-program.md)", read("README.md"))


class syscall_table(unittest.TestCase):
    def test_one_row_per_syscall(self):
        table, rows = guide_table(), syscall_rows()
        self.assertTrue(rows)
        self.assertEqual(sorted(set(rows) - set(table)), [],
                         "in syscalls.def but not in the guide's table")
        self.assertEqual(sorted(set(table) - set(rows)), [],
                         "in the guide's table but not in syscalls.def")

    def test_nosys_marks_match_the_kernel(self):
        table, nosys = guide_table(), nosys_handlers()
        self.assertTrue(nosys <= set(table), nosys - set(table))
        marked = {name for name, returns in table.items() if "E_NOSYS" in returns}
        self.assertEqual(sorted(nosys - marked), [],
                         "the kernel returns E_NOSYS but the guide does not say so")
        self.assertEqual(sorted(marked - nosys), [],
                         "the guide says E_NOSYS but the kernel implements these")


if __name__ == "__main__":
    unittest.main()
