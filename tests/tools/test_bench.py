"""test_bench.py — unit tests of the benchmark's own code: the cpio writer
that packs the Linux guest's initramfs (scripts/mkcpio.py), and the parts
of scripts/bench.py that turn `bench:` lines into table rows and verdicts.
Run by `make check` as the tool tests tools/test_bench.*.

Easy to get wrong: reading the archive back with our own reader alone
would only prove the writer agrees with itself, so where GNU cpio is
installed it lists and extracts the archive too.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import bench    # noqa: E402
import mkcpio   # noqa: E402


def read_newc(data):
    """[(name, mode, rdevmajor, rdevminor, bytes)] of a newc archive, checking
    the magic, the 4-byte alignment and the trailer on the way."""
    out, pos = [], 0
    while True:
        assert pos % 4 == 0, f"header at {pos} not 4-aligned"
        header = data[pos:pos + 110]
        assert header[:6] == b"070701", f"bad magic at {pos}: {header[:6]!r}"
        f = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, filesize, rmaj, rmin, namesize = f[1], f[6], f[9], f[10], f[11]
        name_end = pos + 110 + namesize
        assert data[name_end - 1] == 0, "name not NUL-terminated"
        name = data[pos + 110:name_end - 1].decode()
        start = name_end + (4 - name_end % 4) % 4
        body = data[start:start + filesize]
        pos = start + filesize + (4 - filesize % 4) % 4
        if name == "TRAILER!!!":
            assert pos == len(data), "bytes after the trailer"
            return out
        out.append((name, mode, rmaj, rmin, body))


ENTRIES = [mkcpio.directory("dev"), mkcpio.char_device("dev/console", 5, 1),
           mkcpio.regular_file("init", b"\x7fELF and five")]


class cpio_test(unittest.TestCase):
    def test_round_trip(self):
        got = read_newc(mkcpio.archive(ENTRIES))
        self.assertEqual([g[0] for g in got], ["dev", "dev/console", "init"])
        self.assertTrue(stat.S_ISDIR(got[0][1]))
        self.assertTrue(stat.S_ISCHR(got[1][1]))
        self.assertEqual(got[1][2:4], (5, 1))
        self.assertEqual(got[2][1], stat.S_IFREG | 0o755)
        self.assertEqual(got[2][4], b"\x7fELF and five")

    def test_padding_for_every_name_and_size(self):
        for n in range(1, 9):
            for size in range(0, 9):
                entries = [mkcpio.regular_file("x" * n, bytes(range(size)))]
                got = read_newc(mkcpio.archive(entries))
                self.assertEqual(got[0][0], "x" * n)
                self.assertEqual(got[0][4], bytes(range(size)))

    def test_deterministic(self):
        self.assertEqual(mkcpio.archive(ENTRIES), mkcpio.archive(ENTRIES))

    def test_refuses_bad_names(self):
        for bad in ([mkcpio.regular_file("dev/console", b"")],       # before its directory
                    [mkcpio.regular_file("/init", b"")],
                    [mkcpio.regular_file("a/../b", b"")],
                    [mkcpio.regular_file("init", b""), mkcpio.regular_file("init", b"")]):
            with self.assertRaises(ValueError):
                mkcpio.archive(bad)

    @unittest.skipUnless(shutil.which("cpio"), "GNU cpio is not installed")
    def test_gnu_cpio_reads_it(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "a.cpio")
            mkcpio.write_cpio(path, ENTRIES)
            listing = subprocess.run(["cpio", "-itv"], stdin=open(path, "rb"),
                                     capture_output=True, text=True, check=True).stdout
            self.assertRegex(listing, r"(?m)^c.* 5, +1 .*dev/console$")
            out = os.path.join(d, "out")
            os.mkdir(out)
            subprocess.run(["cpio", "-id", "--quiet", "--no-absolute-filenames"],
                           stdin=open(path, "rb"), cwd=out, check=True,
                           capture_output=True)
            with open(os.path.join(out, "init"), "rb") as f:
                self.assertEqual(f.read(), b"\x7fELF and five")


SERIAL = """\
[    0.000000] a kernel line
bench: linux-guest start, argc 3, timer 10000 Hz
bench: linux-release 6.1.0-57-cloud-amd64
bench: linux-vulnerability spectre_v2: Mitigation: Retpolines; STIBP: disabled
bench: linux-vulnerability meltdown: Not affected
bench: tsc-mhz 2299.3
bench: syscall-getpid median_cycles 322 trials 9 iters 20000 min 320 max 330
bench: compute-loop median_cycles 1000 trials 7 iters 1 min 900 max 1100
bench: compute-loop-signals median_count 0 sink 128
bench: compute-loop-timer median_cycles 5000 trials 7 iters 1 min 4900 max 5100
bench: compute-loop-timer-signals median_count 40 sink 128
"""


class parse_test(unittest.TestCase):
    def test_parse_linux(self):
        values, counts, mhz = bench.parse_linux(SERIAL, fastest=False)
        self.assertEqual(values["syscall-getpid"], 322)
        self.assertEqual(values["compute-loop"], 1000)
        self.assertEqual(counts["compute-loop-timer-signals"], 40)
        self.assertEqual(mhz, 2299.3)
        fast, _, _ = bench.parse_linux(SERIAL, fastest=True)
        self.assertEqual(fast["compute-loop"], 900)           # the fastest trial
        self.assertEqual(fast["syscall-getpid"], 322)         # medians elsewhere
        self.assertEqual(dict(bench.VULN_LINE.findall(SERIAL))["spectre_v2"],
                         "Mitigation: Retpolines; STIBP: disabled")

    def test_tick_figure(self):
        values, counts, _ = bench.parse_linux(SERIAL, fastest=False)
        # (5000 - 1000) cycles over 40 more signals
        self.assertEqual(bench.figure_of(bench.TICK, values, counts, False), 100)
        counts["compute-loop-timer-signals"] = 0
        self.assertIsNone(bench.figure_of(bench.TICK, values, counts, False))

    def test_sum_and_missing(self):
        values = {"act-entry": 500, "act-fast": 120}
        self.assertEqual(bench.figure_of(("act-entry", "act-fast"), values, {}, True), 620)
        self.assertIsNone(bench.figure_of(("act-entry", "act-exact"), values, {}, True))
        self.assertIsNone(bench.figure_of(None, values, {}, True))

    def test_verdict_needs_both_ratios(self):
        self.assertEqual(bench.verdict(0.5, 0.4, 0.5), "met")
        self.assertEqual(bench.verdict(0.5, 0.4, 0.6), "missed")
        self.assertEqual(bench.verdict(0.5, 0.6, 0.4), "missed")
        self.assertEqual(bench.verdict(0.5, None, 0.4), "n/a")
        self.assertIsNone(bench.verdict(None, 0.1, 0.1))

    def test_two_cpu_rows_are_judged_on_ns_alone(self):
        """The 2-CPU rows have no insns figures (no icount pass): their
        verdict is the ns ratio's, and each is booted on its CPU count."""
        self.assertEqual(bench.verdict(0.5, None, 0.4, ns_only=True), "met")
        self.assertEqual(bench.verdict(0.5, None, 0.6, ns_only=True), "missed")
        self.assertEqual(bench.verdict(0.5, None, None, ns_only=True), "n/a")
        smp_rows = [r for r in bench.ROWS if r[1] in bench.SMP_KEYS]
        self.assertEqual(len(smp_rows), len(bench.SMP_KEYS))
        self.assertEqual(bench.SMP_PROGRAMS.get("bench-uthread-pool"), 2)

    def test_every_row_names_figures_both_sides_print(self):
        """Each row's names exist: Nuthatch's in a user/p-bench-*.cc or
        p-act-bench, Linux's in tests/bench/linux-bench.c."""
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

        def text(*parts):
            with open(os.path.join(root, *parts)) as f:
                return f.read()
        nuthatch = "".join(text("user", f) for f in os.listdir(os.path.join(root, "user"))
                           if f.startswith("p-bench-"))
        linux = text("tests", "bench", "linux-bench.c")
        for op, nut, lin, _ in bench.ROWS:
            for name in (nut if isinstance(nut, tuple) else (nut,)):
                if name != bench.TICK and not name.startswith("act-"):
                    self.assertIn(f'"{name}"', nuthatch, op)
            for name in (lin if isinstance(lin, tuple) else (lin,)):
                if name not in (None, bench.TICK):
                    self.assertIn(f'"{name}"', linux, op)


class fs_rows_test(unittest.TestCase):
    """The file-system rows: the Linux disk guest's modules (read from each
    module's .modinfo, ordered dependencies first), its initramfs, its
    ext4 image, and the label of rows Nuthatch ran on its memory file
    system."""

    @unittest.skipUnless(shutil.which("gcc"), "no gcc to build a module-like object")
    def test_modinfo_reads_the_section(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "m.c")
            with open(src, "w") as f:
                f.write('__attribute__((section(".modinfo"), used)) static const char m[] =\n'
                        '    "license=GPL\\0depends=jbd2,mbcache,crc16\\0"\n'
                        '    "softdep=pre: crypto-crc32c\\0alias=fs-ext4\\0alias=ext3";\n'
                        'const char not_modinfo[] = "depends=wrong";\n')
            obj = os.path.join(d, "m.ko")
            subprocess.run(["gcc", "-c", "-o", obj, src], check=True)
            with open(obj, "rb") as f:
                info = bench.modinfo(f.read())
        self.assertEqual(info["depends"], ["jbd2,mbcache,crc16"])
        self.assertEqual(info["softdep"], ["pre: crypto-crc32c"])
        self.assertEqual(info["alias"], ["fs-ext4", "ext3"])
        with self.assertRaises(ValueError):
            bench.modinfo(b"not an ELF file at all")

    def test_module_order(self):
        info = {
            "ahci": {"depends": ["libahci,libata"]},
            "libahci": {"depends": ["libata"]},
            "libata": {"depends": ["scsi_mod"]},
            "scsi_mod": {"depends": [""]},
            "ext4": {"depends": ["jbd2,mbcache"], "softdep": ["pre: crypto-crc32c post: x"]},
            "jbd2": {"softdep": ["pre: crypto-crc32c"]},
            "mbcache": {},
            "crc32c_generic": {},
            "crc32c_intel": {},
            "x": {},
            "crc_t10dif": {"depends": ["crct10dif-common"]},
            "crct10dif_common": {},
        }
        aliases = {"crypto-crc32c": ["crc32c_generic", "crc32c_intel"]}
        order = bench.module_order(["ahci", "sd_mod", "ext4", "crc-t10dif"], info, aliases)
        # sd_mod is not a module here: built in, left out; "post:" is not loaded
        self.assertEqual(order, ["scsi_mod", "libata", "libahci", "ahci", "crc32c_generic",
                                 "crc32c_intel", "jbd2", "mbcache", "ext4", "crct10dif_common",
                                 "crc_t10dif"])

    def test_disk_initramfs_appends_the_modules(self):
        with tempfile.TemporaryDirectory() as d:
            base = os.path.join(d, "base.cpio")
            mkcpio.write_cpio(base, ENTRIES)
            mods = []
            for name, body in (("01-libata.ko", b"one"), ("02-ahci.ko", b"second")):
                mods.append(os.path.join(d, name))
                with open(mods[-1], "wb") as f:
                    f.write(body)
            out = os.path.join(d, "disk.cpio")
            bench.disk_initramfs(base, mods, out)
            with open(base, "rb") as f:
                first = f.read()
            with open(out, "rb") as f:
                data = f.read()
        self.assertTrue(data.startswith(first))
        self.assertEqual([g[0] for g in read_newc(first)], ["dev", "dev/console", "init"])
        got = read_newc(data[len(first):])
        self.assertEqual([(g[0], g[4]) for g in got],
                         [("modules", b""), ("modules/01-libata.ko", b"one"),
                          ("modules/02-ahci.ko", b"second")])

    @unittest.skipUnless(shutil.which("mkfs.ext4") or os.path.exists("/sbin/mkfs.ext4")
                         or os.path.exists("/usr/sbin/mkfs.ext4"), "no mkfs.ext4 (e2fsprogs)")
    def test_make_ext4(self):
        with tempfile.TemporaryDirectory() as d:
            img = os.path.join(d, "x.img")
            with open(img, "wb") as f:
                f.write(b"old contents")
            bench.make_ext4(img, 8 << 20)
            self.assertEqual(os.path.getsize(img), 8 << 20)
            with open(img, "rb") as f:
                f.seek(1024)
                sb = f.read(1024)
        self.assertEqual(sb[56:58], b"\x53\xef")                   # ext2/3/4 magic
        self.assertEqual(int.from_bytes(sb[24:28], "little"), 2)    # 1024 << 2: 4 KiB blocks

    def test_memfs_rows_are_labelled(self):
        class options:
            hz = 10000
        b = bench.bench(options)
        b.insns = {"fs-write": 100, "syscall-getpid": 10}
        b.lg_insns = {"fs-write": 400, "syscall-getpid": 20}
        b.fs_root = "memfs"
        rows = {r["operation"]: r for r in b.rows()[0]}
        self.assertIn("file write 8 MiB + sync, per 64 KiB [Nuthatch: memfs]", rows)
        memfs = rows["file write 8 MiB + sync, per 64 KiB [Nuthatch: memfs]"]
        self.assertEqual(memfs["insns_ratio"], 0.25)
        self.assertEqual(memfs["target"], "n/a")        # a memfs row meets no disk target
        self.assertIn("null syscall (getpid)", rows)
        b.fs_root = "disk"
        b.nut, b.lg, b.lg_tsc = {"fs-write": 100}, {"fs-write": 400}, 1000.0
        rows = {r["operation"]: r for r in b.rows()[0]}
        self.assertEqual(rows["file write 8 MiB + sync, per 64 KiB"]["target"], "met")


class programs_test(unittest.TestCase):
    def test_boots_programs_not_listings(self):
        """Every obj/user/bench-* program but the boot marker and the
        compute loop (booted twice apart) is booted once; the .asm listings
        beside them are not programs."""
        class options:
            hz = 10000
            act_hz = 1000
        saved = os.getcwd()
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, bench.OBJ, "user"))
            for name in ("bench-boot", "bench-compute", "bench-pipe", "bench-pipe.asm",
                         "bench-yield", "bench-yield.asm", "act-bench", "true"):
                open(os.path.join(d, bench.OBJ, "user", name), "w").close()
            os.chdir(d)
            try:
                runs = bench.bench(options).programs()
            finally:
                os.chdir(saved)
        self.assertEqual([r[0] for r in runs], ["bench-pipe", "bench-yield", "bench-compute",
                                                "bench-compute", "act-bench"])


class kernel_test(unittest.TestCase):
    def test_cached_kernel_is_reused_without_apt(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "vmlinuz-6.1.0-test"), "wb") as f:
                f.write(b"image")
            with open(os.path.join(d, "package"), "w") as f:
                f.write("linux-image-test_1_amd64\n")
            saved = os.environ.get("PATH")
            os.environ["PATH"] = d          # no apt-get: must not be needed
            try:
                got = bench.fetch_linux_kernel(d)
            finally:
                os.environ["PATH"] = saved
            self.assertEqual(got, {"kernel": os.path.join(d, "vmlinuz-6.1.0-test"),
                                   "package": "linux-image-test_1_amd64"})

    def test_cached_kernel_with_modules_is_reused_without_apt(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("vmlinuz-6.1.0-test", "modules.done"):
                open(os.path.join(d, name), "w").close()
            with open(os.path.join(d, "package"), "w") as f:
                f.write("linux-image-test_1_amd64\n")
            os.mkdir(os.path.join(d, "modules"))
            for name in ("02-ahci.ko", "01-libata.ko"):
                open(os.path.join(d, "modules", name), "w").close()
            saved = os.environ.get("PATH")
            os.environ["PATH"] = d
            try:
                got = bench.fetch_linux_kernel(d, ["linux-image-test"], ["ahci"])
                os.remove(os.path.join(d, "modules.done"))     # unpacking never finished
                with self.assertRaisesRegex(bench.linux_unavailable, "no apt-get"):
                    bench.fetch_linux_kernel(d, ["linux-image-test"], ["ahci"])
            finally:
                os.environ["PATH"] = saved
            self.assertEqual(got["modules"], [os.path.join(d, "modules", "01-libata.ko"),
                                              os.path.join(d, "modules", "02-ahci.ko")])

    def test_no_apt_is_a_clear_skip(self):
        with tempfile.TemporaryDirectory() as d:
            saved = os.environ.get("PATH")
            os.environ["PATH"] = d
            try:
                with self.assertRaisesRegex(bench.linux_unavailable, "no apt-get"):
                    bench.fetch_linux_kernel(os.path.join(d, "cache"))
            finally:
                os.environ["PATH"] = saved

    def test_knobs(self):
        class options:
            linux_kernel = "none"
        b = bench.bench(options)
        b.find_linux_kernel()
        self.assertNotIn("kernel", b.lg_info)
        self.assertTrue(any("LINUX_KERNEL=none" in w for w in b.warnings))
        options.linux_kernel = "/nonexistent/bzImage"
        b = bench.bench(options)
        b.find_linux_kernel()
        self.assertNotIn("kernel", b.lg_info)
        self.assertTrue(any("no such file" in e for e in b.errors))


if __name__ == "__main__":
    unittest.main()
