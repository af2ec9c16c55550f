#!/usr/bin/env python3
"""tools/linux/transformer.py: its decisions (Kbuild objects, the load order) and bad input.

Run by CTest as `linux_transformer`; on its own: python3 tests/tools/linux/transformer_test.py
The whole tool, unmodified Linux drivers in, is tested by tests/linux_env/linux_drivers_test.cc.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("AXL_SOURCE_DIR") or Path(__file__).resolve().parents[3])
TOOL = SOURCE_DIR / "tools" / "linux" / "transformer.py"
sys.path.insert(0, str(TOOL.parent))
import transformer  # noqa: E402


def material(root, makefile, config):
    """A material folder: src/drivers/demo/Makefile, its sources, Debian's auto.conf."""
    (root / "src" / "drivers" / "demo").mkdir(parents=True)
    (root / "src" / "drivers" / "demo" / "Makefile").write_text(makefile)
    for name in ("demo.c", "demo_core.c", "demo_extra.c", "demo_off.c", "single.c"):
        (root / "src" / "drivers" / "demo" / name).write_text("/* a source */\n")
    (root / "config" / "include" / "config").mkdir(parents=True)
    (root / "config" / "include" / "config" / "auto.conf").write_text(config)


def run_tool(*args):
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)


class KbuildObjects(unittest.TestCase):
    def test_a_modules_objects_follow_its_makefile_and_debians_configuration(self):
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            material(root, "obj-$(CONFIG_DEMO) += demo.o\n"
                           "demo-objs := demo_core.o \\\n\tdemo_extra.o\n"
                           "demo-$(CONFIG_DEMO_ON) += demo_extra.o\n"
                           "demo-$(CONFIG_DEMO_OFF) += demo_off.o\n",
                     "CONFIG_DEMO=m\nCONFIG_DEMO_ON=y\n")
            config = transformer.read_config(root)
            self.assertEqual(config["CONFIG_DEMO_ON"], "y")
            sources = transformer.kbuild_objects(root, "drivers/demo/demo", config)
            self.assertEqual(sources, ["drivers/demo/demo_core.c", "drivers/demo/demo_extra.c",
                                       "drivers/demo/demo_extra.c"])
            self.assertNotIn("drivers/demo/demo_off.c", sources)
            # A module without objects of its own is its one source file.
            self.assertEqual(transformer.kbuild_objects(root, "drivers/demo/single", config), ["drivers/demo/single.c"])


class LoadOrder(unittest.TestCase):
    def test_a_module_comes_after_the_modules_whose_symbols_it_uses(self):
        modules = ["net", "lib8390", "pci_glue"]
        defined = {"net": {"ne_probe"}, "lib8390": {"ei_open"}, "pci_glue": {"glue_init"}}
        undefined = {"net": {"ei_open", "glue_init"}, "lib8390": {"kmalloc"}, "pci_glue": {"ei_open"}}
        self.assertEqual(transformer.order_modules(modules, defined, undefined), ["lib8390", "pci_glue", "net"])

    def test_a_cycle_is_refused(self):
        with self.assertRaises(SystemExit) as stopped:
            transformer.order_modules(["a", "b"], {"a": {"x"}, "b": {"y"}}, {"a": {"y"}, "b": {"x"}})
        self.assertEqual(stopped.exception.code, 1)


class BadInput(unittest.TestCase):
    def spec(self, directory, text):
        path = Path(directory) / "driver.toml"
        path.write_text(text)
        return path

    def test_a_malformed_spec_names_the_file_and_line(self):
        with tempfile.TemporaryDirectory() as d:
            spec = self.spec(d, 'program = "x"\nmodules = ["a" "b"]\n')
            result = run_tool("build", "--spec", str(spec), "--material", d, "--out", d)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn(f"{spec}:2: ", result.stderr)
            spec = self.spec(d, 'program = "x"\nmodules = [\n')  # cut short: the last line
            result = run_tool("build", "--spec", str(spec), "--material", d, "--out", d)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn(f"{spec}:2: ", result.stderr)

    def test_missing_keys_and_bad_names_are_refused(self):
        with tempfile.TemporaryDirectory() as d:
            spec = self.spec(d, 'program = "x"\ndescription = "y"\n')
            result = run_tool("build", "--spec", str(spec), "--material", d, "--out", d)
            self.assertEqual(result.returncode, 2)
            self.assertIn("'modules' is required", result.stderr)
            spec = self.spec(d, 'program = "Bad-Name"\ndescription = "y"\nmodules = ["a/b"]\n')
            result = run_tool("build", "--spec", str(spec), "--material", d, "--out", d)
            self.assertEqual(result.returncode, 2)
            self.assertIn("lower-case letters, digits and _ only", result.stderr)

    def test_a_module_outside_the_material_says_where_to_add_it(self):
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            material(root, "obj-m += demo.o\n", "CONFIG_DEMO=m\n")
            spec = self.spec(d, 'program = "x"\ndescription = "y"\nmodules = ["drivers/demo/absent"]\n')
            result = run_tool("build", "--spec", str(spec), "--material", d, "--out", str(root / "out"))
            self.assertEqual(result.returncode, 1)
            self.assertIn("drivers/demo/absent.c (of module drivers/demo/absent) is not in the Linux material",
                          result.stderr)
            self.assertIn("linux_env/manifest.txt", result.stderr)


if __name__ == "__main__":
    unittest.main()
