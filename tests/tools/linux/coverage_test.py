#!/usr/bin/env python3
"""tools/linux/coverage.py: tiers, the worklist's order and bad input, on a tiny module set.

Run by CTest as `linux_coverage`; on its own: python3 tests/tools/linux/coverage_test.py
Each test compiles a few small C files with the system compiler into .ko-like ELF objects
(undefined symbols, a __ksymtab_ export, a .modinfo with depends=) laid out like
lib/modules/<version>/, and runs the tool on them. The set:

  kernel/drivers/misc/liba.ko     exports lib_helper; imports kmalloc_x, printk_x
  kernel/drivers/misc/drv_one.ko  depends on liba; imports lib_helper, printk_x, __fentry__
  kernel/drivers/misc/drv-two.ko  imports printk_x, mutex_x
  kernel/net/other.ko             imports rare_x (not a driver module: never counted)

so the drivers need: liba {kmalloc_x, printk_x}, drv_one {kmalloc_x, printk_x} (liba's
imports count, __fentry__ is toolchain-provided), drv_two {mutex_x, printk_x}.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ.get("AXL_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TOOL = os.path.join(SOURCE_DIR, "tools", "linux", "coverage.py")
CC = os.environ.get("CC") or shutil.which("cc") or "gcc"

MODULES = {
    "kernel/drivers/misc/liba.ko": ("liba", "", ["kmalloc_x", "printk_x"], ["lib_helper"]),
    "kernel/drivers/misc/drv_one.ko": ("drv_one", "liba", ["lib_helper", "printk_x", "__fentry__"], []),
    "kernel/drivers/misc/drv-two.ko": ("drv_two", "", ["printk_x", "mutex_x"], []),
    "kernel/net/other.ko": ("other", "", ["rare_x"], []),
}


def compile_c(source, output):
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
        f.write(source)
    try:
        subprocess.run([CC, "-c", "-O0", "-fno-stack-protector", "-fcf-protection=none", "-o", output, f.name],
                       check=True)
    finally:
        os.unlink(f.name)


def module_source(name, depends, imports, exports):
    lines = [f"extern void {s}(void);" for s in imports]
    lines.append("void init_module(void) {")
    lines += [f"  {s}();" for s in imports]
    lines.append("}")
    for s in exports:
        lines.append(f"void {s}(void) {{}}")
        lines.append(f'const int __ksymtab_{s} __attribute__((section("___ksymtab+{s}"))) = 0;')
    modinfo = f"name={name}\\0depends={depends}"
    lines.append(f'static const char modinfo[] __attribute__((section(".modinfo"), used)) = "{modinfo}";')
    return "\n".join(lines) + "\n"


class CoverageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.module_dir = tempfile.mkdtemp(prefix="coverage-test-modules-")
        for path, spec in MODULES.items():
            full = os.path.join(cls.module_dir, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            compile_c(module_source(*spec), full)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.module_dir)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="coverage-test-")
        self.modules = self.module_dir
        self.build = os.path.join(self.dir, "build")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_tool(self, *args):
        result = subprocess.run([sys.executable, TOOL, "--build", self.build, "--modules", self.modules, *args],
                                capture_output=True, text=True, check=False)
        return result.returncode, result.stdout, result.stderr

    def tier(self, output, name):
        m = re.search(rf"^  {name} +(\d+) ", output, re.M)
        self.assertIsNotNone(m, f"no {name} line in:\n{output}")
        return int(m.group(1))

    def test_only_driver_modules_count_and_dependencies_add_their_imports(self):
        implemented = self.write("impl.txt", "printk_x\n")
        status, out, err = self.run_tool("--implemented", implemented)
        self.assertEqual(status, 0, err)
        self.assertIn("Debian's driver modules: 3 ", out)
        self.assertEqual(self.tier(out, "T1"), 0)  # drv_one needs liba's kmalloc_x too
        implemented = self.write("impl2.txt", "# comment\nprintk_x\nkmalloc_x  # the allocator\n")
        status, out, err = self.run_tool("--implemented", implemented)
        self.assertEqual(status, 0, err)
        self.assertEqual(self.tier(out, "T1"), 2)  # liba and drv_one; __fentry__ is toolchain
        self.assertIn("implemented core symbols: 2 of the 3 the drivers need", out)

    def test_stubs_make_t1s_not_t1(self):
        implemented = self.write("impl.txt", "printk_x\nkmalloc_x\nmutex_x\n")
        stubs = self.write("stubs.txt", "mutex_x\n")
        status, out, err = self.run_tool("--implemented", implemented, "--stubs", stubs)
        self.assertEqual(status, 0, err)
        self.assertEqual(self.tier(out, "T1"), 2)  # mutex_x is a stub, not an implementation
        self.assertEqual(self.tier(out, "T1s"), 3)

    def test_objects_give_defined_symbols_and_stub_markers(self):
        shim = os.path.join(self.dir, "shim.o")
        compile_c("void printk_x(void) {}\nvoid kmalloc_x(void) {}\nvoid mutex_x(void) {}\n"
                  "void __axl_linux_stub_mutex_x(void) {}\nextern void undefined_y(void);\n"
                  "void user(void) { undefined_y(); }\n", shim)
        archive = os.path.join(self.dir, "libshim.a")
        subprocess.run(["ar", "rcs", archive, shim], check=True)
        status, out, err = self.run_tool("--implemented", archive)
        self.assertEqual(status, 0, err)
        self.assertEqual(self.tier(out, "T1"), 2)
        self.assertEqual(self.tier(out, "T1s"), 3)

    def test_worklist_most_imported_first_with_cumulative_coverage(self):
        implemented = self.write("impl.txt", "printk_x\n")
        self.write("src/include/linux/x.h", "/* the test's header */\n#define X 1\n"
                   "extern void *kmalloc_x(unsigned long size,\n\t\tint flags);\nstruct s { int a; };\n")
        self.write("src/mm/x.c", "#include <linux/x.h>\n\nvoid *kmalloc_x(unsigned long size, int flags)\n"
                   "{\n\treturn 0;\n}\nEXPORT_SYMBOL(kmalloc_x);\n")
        out_file = os.path.join(self.dir, "worklist.txt")
        status, out, err = self.run_tool("--implemented", implemented, "--worklist", "5",
                                         "--worklist-out", out_file, "--source", os.path.join(self.dir, "src"))
        self.assertEqual(status, 0, err)
        with open(out_file, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]
        # rank, symbol, needed by, alone blocks, T1 after, kind, defined, exported, prototype
        self.assertEqual([r[1] for r in rows], ["kmalloc_x", "mutex_x"])
        self.assertEqual(rows[0][2:5], ["2", "2", "2 (66.7%)"])
        self.assertEqual(rows[1][2:5], ["1", "1", "3 (100.0%)"])
        self.assertEqual(rows[0][5:9], ["function", "mm/x.c:3", "mm/x.c:7",
                                        "extern void *kmalloc_x(unsigned long size, int flags);"])
        self.assertEqual(rows[1][5:9], ["-", "-", "-", "-"])
        self.assertNotIn("__fentry__", out)
        self.assertNotIn("rare_x", out)  # only driver modules' needs are listed

    def test_tier_files_count_listed_drivers_and_reject_unknown_ones(self):
        tiers = os.path.join(self.dir, "tiers")
        self.write("tiers/T3.txt", "# drivers passing their functional test\ndrv-two   tests/x\nliba\n")
        status, out, err = self.run_tool("--tiers", tiers)
        self.assertEqual(status, 0, err)
        self.assertEqual(self.tier(out, "T3"), 2)
        self.assertIn("T2   no results file", out)
        self.write("tiers/T2.txt", "drv_one\nne2k-pci\n")
        status, out, err = self.run_tool("--tiers", tiers)
        self.assertEqual(status, 2)
        self.assertIn("T2.txt:2: 'ne2k-pci' is not one of Debian's modules", err)
        self.write("tiers/T2.txt", "other\n")
        status, out, err = self.run_tool("--tiers", tiers)
        self.assertEqual(status, 2)
        self.assertIn("T2.txt:1: 'other' is kernel/net/other.ko, not a driver module", err)

    def test_readme_block_is_rewritten_between_the_markers(self):
        readme = self.write("README.md", "# x\n<!-- linux-tiers:begin -->\nold\n<!-- linux-tiers:end -->\ntail\n")
        status, out, err = self.run_tool("--readme", readme)
        self.assertEqual(status, 0, err)
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn("old", text)
        self.assertRegex(text, r"\| T1 \| links using only implemented symbols \| 0 \| 0\.0% \|")
        self.assertTrue(text.endswith("<!-- linux-tiers:end -->\ntail\n"))
        self.write("NOMARK.md", "# nothing\n")
        status, _, err = self.run_tool("--readme", os.path.join(self.dir, "NOMARK.md"))
        self.assertEqual(status, 2)
        self.assertIn("no '<!-- linux-tiers:begin -->'", err)

    def test_bad_symbol_list_names_file_and_line(self):
        bad = self.write("bad.txt", "printk_x\nkmalloc_x mutex_x\n")
        status, _, err = self.run_tool("--implemented", bad)
        self.assertEqual(status, 2)
        self.assertIn("bad.txt:2: 'kmalloc_x mutex_x' is not a symbol name", err)
        status, _, err = self.run_tool("--stubs", os.path.join(self.dir, "missing.txt"))
        self.assertEqual(status, 2)
        self.assertIn("--stubs", err)

    def test_module_report_lists_what_a_driver_and_its_dependencies_miss(self):
        implemented = self.write("impl.txt", "printk_x\n")
        status, out, err = self.run_tool("--implemented", implemented, "--module", "drv_one",
                                         "--source", os.path.join(self.dir, "nosrc"))
        self.assertEqual(status, 1)  # the sources are needed for prototypes
        os.makedirs(os.path.join(self.dir, "nosrc"))
        status, out, err = self.run_tool("--implemented", implemented, "--module", "drv_one",
                                         "--source", os.path.join(self.dir, "nosrc"))
        self.assertEqual(status, 0, err)
        self.assertIn("kernel/drivers/misc/drv_one.ko: needs 2 core symbols (1 missing), with liba", out)
        self.assertRegex(out, r"\n  kmalloc_x ")
        status, _, err = self.run_tool("--module", "nosuch")
        self.assertEqual(status, 2)


if __name__ == "__main__":
    unittest.main()
