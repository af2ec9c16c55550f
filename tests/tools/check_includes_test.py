#!/usr/bin/env python3
"""tools/check-includes.py: the real tree passes; a wrong include fails with file:line.

Run by CTest as `include_rules_checker`; on its own: python3 tests/tools/check_includes_test.py
Each test writes a small tree into a temporary directory and runs the checker on it
with the real rules file (tools/include-rules.txt).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ.get("AXL_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
CHECKER = os.path.join(SOURCE_DIR, "tools", "check-includes.py")
RULES = os.path.join(SOURCE_DIR, "tools", "include-rules.txt")


def run_checker(root, rules=RULES):
    result = subprocess.run([sys.executable, CHECKER, "--rules", rules, root],
                            capture_output=True, text=True, check=False)
    return result.returncode, result.stdout, result.stderr


def write(root, path, *lines):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def rule_top_folders():
    """The top-level folders the rules file has rules for (what the checker scans)."""
    with open(RULES, encoding="utf-8") as f:
        words = [line.split("#", 1)[0].split() for line in f if line[:1] not in ("", " ", "\t", "#")]
    return sorted({w[0].split("/", 1)[0] for w in words if w and w[0] != "except"})


def violations(stdout):
    """The file:line lines of the report (not the summary or stale-exception warnings)."""
    return [line for line in stdout.splitlines()
            if not line.startswith("check-includes:") and not line.startswith(" ")
            and "warning: stale exception" not in line]


class CheckIncludesTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="axl-include-rules-")
        self.addCleanup(shutil.rmtree, self.root)

    def test_real_tree_passes(self):
        status, stdout, stderr = run_checker(SOURCE_DIR)
        self.assertEqual(status, 0, stdout + stderr)
        self.assertIn("check-includes: OK", stdout)
        self.assertNotIn("stale exception", stdout)

    def test_allowed_includes_pass(self):
        write(self.root, "kernel/api/ipc.h", "#pragma once", "#include <cstdint>", '#include "kernel/api/status.h"')
        write(self.root, "kernel/config.h", '#include "kernel/api/endpoint.h"')
        write(self.root, "kernel/boot/system_file.h", '#include "kernel/config.h"', '#include "kernel/lib/format.h"')
        write(self.root, "ipc_strategies/ring/ring.h", '#include "kernel/ipc_strategy.h"',
              '#include "ipc_strategies/selective_stash.h"', "#include <boost/lockfree/spsc_queue.hpp>")
        write(self.root, "kernel/arch/x86_64/kernel_main.cc", '#include "kernel/kernel.h"',
              '#include "kernel/arch/x86_64/cpu.h"', '#include "ipc_strategies/ring/ring.h"')
        write(self.root, "kernel/arch/x86_64/user/calls.cc", '#include "kernel/api/ipc.h"',
              '#include "kernel/arch/x86_64/syscall_abi.h"')
        write(self.root, "servers/rs.cc", '#include "kernel/api/service.h"', '#include "libsys/checks.h"')
        write(self.root, "drivers/uart.cc", '#include "hw/uart_16550.h"', "#include <cstddef>")
        write(self.root, "workloads/pingpong.cc", '#include "workloads/workload.h"', '#include "libsys/payload.h"')
        write(self.root, "sim/port/simulator.cc", '#include "sim/machine/machine.h"', '#include "ipc_strategies/ring/ring.h"')
        write(self.root, "sim/harness/scenario.h", '#include "sim/port/simulator.h"')
        write(self.root, "tools/axl/main.cc", '#include "sim/harness/scenario.h"', '#include "tools/axl/boot.h"')
        write(self.root, "tests/support/temp_dir.h", '#include "tools/axl/boot.h"')
        write(self.root, "bench/compare.cc", '#include "sim/port/simulator.h"', '#include "bench/common.h"')
        status, stdout, stderr = run_checker(self.root)
        self.assertEqual(status, 0, stdout + stderr)
        self.assertEqual(violations(stdout), [])
        self.assertIn("check-includes: OK (14 files, ", stdout)

    def test_wrong_includes_fail_with_file_and_line(self):
        write(self.root, "servers/storage.cc", "// a server", "#include <cstdint>",
              '#include "kernel/api/ipc.h"', '#include "workloads/workload.h"')
        write(self.root, "kernel/api/service.h", "#pragma once", '#include "kernel/config.h"')
        write(self.root, "kernel/kernel.cc", '#include "kernel/kernel.h"', '#include "sim/port/hosted_port.h"',
              '#  include "kernel/arch/x86_64/cpu.h"', '#include "ipc_strategies/ring/ring.h"')
        write(self.root, "kernel/lib/format.h", '#include "kernel/config.h"')
        write(self.root, "hw/nic.h", '#include "kernel/api/device.h"')
        write(self.root, "drivers/nic.cc", '#include "tools/axl/boot.h"', '#include "sim/machine/nic.h"')
        write(self.root, "libsys/reply.h", '#include "kernel/kernel.h"')
        write(self.root, "workloads/console.cc", '#include "tests/support/temp_dir.h"')
        write(self.root, "sim/machine/uart.cc", '#include "sim/harness/tracer.h"')
        write(self.root, "sim/config/toml_support.cc", '#include "sim/port/program_registry.h"')
        write(self.root, "kernel/arch/x86_64/serial.cc", '#include "sim/machine/uart.h"')
        write(self.root, "kernel/arch/x86_64/user/calls.cc", '#include "kernel/process.h"')
        write(self.root, "bench/compare.cc", "#include <tools/axl/run.h>")
        write(self.root, "ipc_strategies/queue/queue.h", '#include "sim/port/parallel.h"')
        status, stdout, stderr = run_checker(self.root)
        self.assertEqual(status, 1, stdout + stderr)
        self.assertEqual(violations(stdout), [
            'bench/compare.cc:1: bench/ may not include "tools/axl/run.h" (allowed: *, not tools/, not tests/)',
            'drivers/nic.cc:1: drivers/ may not include "tools/axl/boot.h" (allowed: kernel/api/, libsys/, hw/)',
            'drivers/nic.cc:2: drivers/ may not include "sim/machine/nic.h" (allowed: kernel/api/, libsys/, hw/)',
            'hw/nic.h:1: hw/ may not include "kernel/api/device.h" (allowed: hw/)',
            'ipc_strategies/queue/queue.h:1: ipc_strategies/ may not include "sim/port/parallel.h" '
            '(allowed: kernel/, not kernel/arch/, ipc_strategies/)',
            'kernel/api/service.h:2: kernel/api/ may not include "kernel/config.h" (allowed: kernel/api/)',
            'kernel/arch/x86_64/serial.cc:1: kernel/arch/x86_64/ may not include "sim/machine/uart.h" '
            '(allowed: kernel/, not kernel/arch/, kernel/arch/x86_64/, ipc_strategies/, hw/)',
            'kernel/arch/x86_64/user/calls.cc:1: kernel/arch/x86_64/user/ may not include "kernel/process.h" '
            '(allowed: kernel/api/, kernel/lib/, kernel/arch/x86_64/user/, kernel/arch/x86_64/syscall_abi.h)',
            'kernel/kernel.cc:2: kernel/ may not include "sim/port/hosted_port.h" (allowed: kernel/, not kernel/arch/)',
            'kernel/kernel.cc:3: kernel/ may not include "kernel/arch/x86_64/cpu.h" (allowed: kernel/, not kernel/arch/)',
            'kernel/kernel.cc:4: kernel/ may not include "ipc_strategies/ring/ring.h" (allowed: kernel/, not kernel/arch/)',
            'kernel/lib/format.h:1: kernel/lib/ may not include "kernel/config.h" (allowed: kernel/lib/)',
            'libsys/reply.h:1: libsys/ may not include "kernel/kernel.h" (allowed: kernel/api/, kernel/lib/, libsys/)',
            'servers/storage.cc:4: servers/ may not include "workloads/workload.h" (allowed: kernel/api/, libsys/, hw/)',
            'sim/config/toml_support.cc:1: sim/config/ may not include "sim/port/program_registry.h" '
            '(allowed: kernel/, not kernel/arch/, hw/, sim/config/, ipc_strategies/strategy_factory.h, sim/machine/device_kind.h, '
            'sim/machine/pci_function.h, sim/machine/pci_firmware.h)',
            'sim/machine/uart.cc:1: sim/machine/ may not include "sim/harness/tracer.h" '
            '(allowed: kernel/, not kernel/arch/, hw/, sim/machine/, sim/config/, sim/port/)',
            'workloads/console.cc:1: workloads/ may not include "tests/support/temp_dir.h" '
            '(allowed: kernel/api/, libsys/, hw/, workloads/)',
        ])
        self.assertIn("check-includes: FAILED: 17 include(s) break ", stdout)

    def test_only_tests_include_tests_and_only_tools_include_tools(self):
        folders = ["kernel/", "kernel/api/", "kernel/lib/", "kernel/boot/", "kernel/arch/x86_64/",
                   "kernel/arch/x86_64/user/", "ipc_strategies/ring/", "hw/", "libsys/", "drivers/",
                   "servers/", "workloads/", "sim/port/", "sim/machine/", "sim/config/", "sim/harness/",
                   "bench/", "tools/axl/", "tests/kernel/"]
        for folder in folders:
            write(self.root, folder + "probe.cc", '#include "tools/axl/commands.h"', '#include "tests/support/temp_dir.h"')
        status, stdout, _ = run_checker(self.root)
        self.assertEqual(status, 1)
        reported = violations(stdout)
        for folder in folders:
            tools_line = f'{folder}probe.cc:1: '
            tests_line = f'{folder}probe.cc:2: '
            self.assertEqual(any(line.startswith(tools_line) for line in reported),
                             not folder.startswith("tools/") and not folder.startswith("tests/"), folder)
            self.assertEqual(any(line.startswith(tests_line) for line in reported),
                             not folder.startswith("tests/"), folder)

    def test_copy_of_the_real_tree_with_one_wrong_include_fails(self):
        for top in rule_top_folders():
            source = os.path.join(SOURCE_DIR, top)
            if os.path.isdir(source):
                shutil.copytree(source, os.path.join(self.root, top),
                                ignore=shutil.ignore_patterns(".*", "__pycache__"))
        status, stdout, stderr = run_checker(self.root)
        self.assertEqual(status, 0, stdout + stderr)
        path = os.path.join(self.root, "servers", "rs.cc")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        first_include = next(i for i, line in enumerate(lines) if line.startswith("#include"))
        lines.insert(first_include, '#include "workloads/workload.h"')
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        status, stdout, stderr = run_checker(self.root)
        self.assertEqual(status, 1, stdout + stderr)
        self.assertEqual(violations(stdout), [
            f'servers/rs.cc:{first_include + 1}: servers/ may not include "workloads/workload.h" '
            '(allowed: kernel/api/, libsys/, hw/)'])

    def test_known_exception_is_not_reported_and_a_stale_one_is_named(self):
        write(self.root, "sim/config/process_tables.cc", '#include "sim/port/program_registry.h"')
        status, stdout, stderr = run_checker(self.root)
        self.assertEqual(status, 0, stdout + stderr)
        self.assertIn("1 known exception(s)", stdout)
        # The other exceptions name files this tree does not have: warnings, not failures.
        self.assertIn('warning: stale exception: sim/port/simulator.h no longer includes '
                      '"sim/harness/fault_injector.h"', stdout)
        self.assertNotIn("stale exception: sim/config/process_tables.cc", stdout)

    def test_computed_include_fails(self):
        write(self.root, "kernel/kernel.cc", "#define HEADER <cstdint>", "#include HEADER")
        status, stdout, _ = run_checker(self.root)
        self.assertEqual(status, 1)
        self.assertEqual(violations(stdout), ["kernel/kernel.cc:2: kernel/ may not use a computed #include: HEADER"])

    def test_bad_rules_file_is_a_usage_error(self):
        rules = os.path.join(self.root, "rules.txt")
        write(self.root, "rules.txt", "kernel/api/  kernel/api/", "kernel  kernel/")
        status, _, stderr = run_checker(self.root, rules)
        self.assertEqual(status, 2)
        self.assertIn("rules.txt:2: 'kernel' is not a folder", stderr)
        write(self.root, "rules.txt", "kernel/  kernel/", "except drivers/x.cc kernel/kernel.h")
        status, _, stderr = run_checker(self.root, rules)
        self.assertEqual(status, 2)
        self.assertIn("rules.txt:2: no rule covers drivers/x.cc", stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
