#!/usr/bin/env python3
"""tools/check-docs.py: a doc whose examples work passes; each way a doc goes stale fails.

Run by CTest as `docs_examples_checker`; on its own (after building axl):
    python3 tests/tools/check_docs_test.py
Each test writes a small tree (docs and a workload) into a temporary directory and runs
the checker on it with the real axl (AXL_BIN_DIR, default build/bin), whose programs
the docs' examples use. The last tests break a real doc of the tree in a copy of it.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.environ.get("AXL_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("AXL_BIN_DIR") or os.path.join(SOURCE_DIR, "build", "bin")
AXL = os.path.join(BIN_DIR, "axl")
CHECKER = os.path.join(SOURCE_DIR, "tools", "check-docs.py")
FENCE = "```"

# A pingpong system as a doc would show it (the tree's programs, 100 round trips).
SYSTEM = """[system]
name = "ping"

[[process]]
name = "server"
program = "pingpong_server"
primitives = ["receive", "reply_receive"]
destinations = ["client"]
expect = "serve"

[[process]]
name = "client"
program = "pingpong_client"
destinations = ["server"]
[process.args]
rounds = 100
"""


def run_checker(root, *args):
    result = subprocess.run([sys.executable, CHECKER, "--root", root, "--axl", AXL, *args],
                            capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def block(lang, text, *markers):
    comments = "".join(f"<!-- docs-test: {m} -->\n" for m in markers)
    return f"{comments}{FENCE}{lang}\n{text.rstrip()}\n{FENCE}\n"


def digest_of(root, *argv):
    output = subprocess.run([AXL, *argv], cwd=root, capture_output=True, text=True, check=False).stdout
    return re.search(r"^digest: ([0-9a-f]{16})", output, re.M).group(1)


@unittest.skipUnless(os.access(AXL, os.X_OK), f"no axl at {AXL} (build the axl target)")
class CheckDocsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="axl-check-docs-test-")
        self.addCleanup(shutil.rmtree, self.root)
        write(self.root, "workloads/ping.toml", SYSTEM)
        self.digest = digest_of(self.root, "run", "workloads/ping.toml")

    def check_doc(self, text, *args):
        write(self.root, "docs/doc.md", "# A doc\n\nSome text.\n\n" + text)
        return run_checker(self.root, *args, "docs/doc.md")

    def assert_fails(self, text, *expected):
        status, output = self.check_doc(text)
        self.assertEqual(status, 1, output)
        for pattern in expected:
            self.assertRegex(output, pattern)
        return output

    def assert_passes(self, text):
        status, output = self.check_doc(text)
        self.assertEqual(status, 0, output)
        self.assertIn("check-docs: OK", output)
        return output

    # ---- what works passes

    def test_working_examples_pass(self):
        output = self.assert_passes(
            "Run `workloads/ping.toml`, see [the heading](#a-doc) and [again](doc.md#a-doc):\n\n"
            + block("toml", SYSTEM)
            + block("sh", "build/bin/axl run workloads/ping.toml --ipc ring   # a comment\n"
                          "axl run workloads/ping.toml --trace t.json\n"
                          "make something-else                                # not axl: not run")
            + block("", f"ignored line\nfailures:   none\ndigest: {self.digest}",
                    "output of axl run workloads/ping.toml; same 'failures'"))
        self.assertRegex(output, r"1 toml run, 1 toml parsed, 2 commands, 1 outputs")

    def test_files_commands_write_stay_out_of_the_tree(self):
        self.assert_passes(block("sh", "axl run workloads/ping.toml --trace t.json\n"
                                       "axl bootfile workloads/ping.toml -o ping.sys"))
        self.assertEqual(sorted(os.listdir(self.root)), ["docs", "workloads"])

    def test_a_scenario_resolves_its_system_from_workloads_scenarios(self):
        scenario = '[scenario]\nsystem = "../ping.toml"\n'
        self.assert_passes(block("toml", scenario))

    def test_skipped_blocks_and_lines_are_not_run(self):
        output = self.assert_passes(
            block("sh", "axl run workloads/missing.toml", "skip (needs a file nobody has)")
            + block("sh", "axl run workloads/ping.toml\naxl boot --system ping",
                    "skip 'axl boot' (needs QEMU)"))
        self.assertRegex(output, r"1 commands.*2 skipped")

    def test_a_fragment_is_parsed_not_run(self):
        self.assert_passes(block("toml", '[[device]]\nname = "disk0"\nkind = "block"'))
        self.assert_fails(block("toml", '[[device]]\nname = "disk0\n'), r"doc\.md:5: toml block does not parse")

    def test_expected_exit_status(self):
        broken = SYSTEM.replace('"reply_receive"', '"send"')
        self.assert_passes(block("toml", broken, "exit 1"))

    def test_a_new_file_compiles(self):
        program = ('#include "kernel/api/ipc.h"\n#include "kernel/api/program.h"\n'
                   'AXL_PROGRAM(doc_hello, "logs hello") { axl::log("hello"); return 0; }\n')
        shutil.copytree(os.path.join(SOURCE_DIR, "kernel", "api"), os.path.join(self.root, "kernel", "api"))
        self.assert_passes("Create `workloads/hello.cc`:\n\n" + block("cpp", program, "new workloads/hello.cc"))
        self.assert_fails(block("cpp", program.replace("axl::log", "axl::logg"), "new workloads/hello.cc"),
                          r"doc\.md:6: this C\+\+ file does not compile", r"doc\.md:9:.*logg")

    # ---- each way a doc goes stale fails, naming the doc and line

    def test_a_system_example_that_fails_its_run_fails(self):
        broken = SYSTEM.replace('"reply_receive"', '"send"')  # the server's replies are refused
        self.assert_fails(block("toml", broken), r"doc\.md:5: this system .*exit status 1, expected 0")

    def test_an_example_with_a_wrong_key_fails(self):
        self.assert_fails(block("toml", SYSTEM.replace('expect = "serve"', 'expect = "serve"\nprioirty = 3')),
                          r"doc\.md:5: this system .*exit status 2", r"unknown key 'prioirty'")

    def test_a_command_that_fails_fails(self):
        self.assert_fails(block("sh", "axl run workloads/ping.toml\naxl run workloads/gone.toml"),
                          r"doc\.md:7: `axl run workloads/gone.toml`: exit status 2, expected 0")

    def test_a_wrong_expect_digest_fails(self):
        self.assert_fails(block("sh", "axl run workloads/ping.toml --expect-digest 0123456789abcdef"),
                          r"doc\.md:6: .*exit status 2|doc\.md:6: .*exit status 1")

    def test_a_stale_quoted_digest_fails(self):
        self.assert_fails(block("", "digest: 0123456789abcdef", "output of axl run workloads/ping.toml"),
                          rf"doc\.md:7: quotes digest 0123456789abcdef, but .* prints {self.digest}")

    def test_a_stale_quoted_line_fails(self):
        self.assert_fails(block("", "failures: 3", "output of axl run workloads/ping.toml; same 'failures'"),
                          r"quotes 'failures: 3', but .* prints 'failures: none'")

    def test_an_unchecked_digest_fails(self):
        self.assert_fails(block("", f"digest: {self.digest}"), r"doc\.md:5: quotes digest .* which nothing checks")

    def test_a_missing_path_fails(self):
        self.assert_fails("See `workloads/gone.toml` and `workloads/*.cc`.\n",
                          r"doc\.md:5: `workloads/gone\.toml` does not exist",
                          r"doc\.md:5: `workloads/\*\.cc` matches no file")

    def test_placeholders_and_build_outputs_are_not_paths(self):
        self.assert_passes("Write `workloads/NAME.toml` or `workloads/NAME_fuzzer.cc`; "
                           "`build/bin/axl` writes `build/x.json`.\n")

    def test_a_broken_link_or_anchor_fails(self):
        self.assert_fails("See [that](other.md) and [this](#no-such-heading).\n",
                          r"doc\.md:5: link to other\.md: docs/other\.md does not exist",
                          r"doc\.md:5: link to #no-such-heading: docs/doc\.md has no heading")

    def test_a_new_file_that_exists_fails(self):
        self.assert_fails(block("toml", SYSTEM, "new workloads/ping.toml", "skip (its programs are yours)"),
                          r"workloads/ping\.toml exists: the doc has its reader create it")

    def test_a_skip_without_reason_or_an_unknown_directive_fails(self):
        self.assert_fails(block("sh", "axl list", "skip"), r"doc\.md:5: unknown docs-test directive 'skip'")
        self.assert_fails(block("sh", "axl list", "rnu"), r"unknown docs-test directive 'rnu'")

    def test_a_marker_not_before_a_block_fails(self):
        self.assert_fails("<!-- docs-test: skip (why) -->\nText, not a block.\n",
                          r"doc\.md:5: docs-test marker not followed by a code block")

    def test_a_command_that_runs_too_long_is_stopped(self):
        # A 10^6-run campaign of the shipped scenario: far past a 2 s limit.
        for name in ("campaign_storage.toml",):
            write(self.root, f"workloads/scenarios/{name}",
                  open(os.path.join(SOURCE_DIR, "workloads", "scenarios", name)).read())
        shutil.copy(os.path.join(SOURCE_DIR, "workloads", "storage_campaign.toml"),
                    os.path.join(self.root, "workloads"))
        status, output = self.check_doc(
            block("sh", "axl campaign workloads/scenarios/campaign_storage.toml --runs 1000000 --jobs 1 --quiet"),
            "--timeout", "2")
        self.assertEqual(status, 1, output)
        self.assertRegex(output, r"doc\.md:6: .*still running after 2(\.0)? s")


@unittest.skipUnless(os.access(AXL, os.X_OK), f"no axl at {AXL} (build the axl target)")
class RealDocsTest(unittest.TestCase):
    """The tree's own docs/system-description.md, in a copy of the tree: as it is it
    passes; with its annotated example's server unable to reply (the bug the docs test
    was written after) it fails at that example."""

    DOC = "docs/system-description.md"

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="axl-check-docs-real-")
        self.addCleanup(shutil.rmtree, self.root)
        for name in os.listdir(SOURCE_DIR):
            if name != "docs" and not name.startswith("build") and name != ".git":
                os.symlink(os.path.join(SOURCE_DIR, name), os.path.join(self.root, name))
        shutil.copytree(os.path.join(SOURCE_DIR, "docs"), os.path.join(self.root, "docs"))
        with open(os.path.join(self.root, self.DOC), encoding="utf-8") as f:
            self.text = f.read()

    def test_the_doc_passes_as_it_is(self):
        status, output = run_checker(self.root, self.DOC)
        self.assertEqual(status, 0, output)

    def test_the_annotated_example_broken_fails(self):
        line = next(i for i, text in enumerate(self.text.splitlines(), start=1)
                    if text.startswith("## An annotated example")) + 2  # the fence
        broken = re.sub(r'primitives = \["receive", "reply_receive"\]', 'primitives = ["receive", "send"]',
                        self.text, count=1)
        self.assertNotEqual(broken, self.text, "the annotated example changed: update this test")
        with open(os.path.join(self.root, self.DOC), "w", encoding="utf-8") as f:
            f.write(broken)
        status, output = run_checker(self.root, self.DOC)
        self.assertEqual(status, 1, output)
        self.assertRegex(output, rf"{self.DOC}:{line}: this system .*exit status 1, expected 0")
        self.assertIn("was still blocked", output)


if __name__ == "__main__":
    unittest.main(verbosity=2)
