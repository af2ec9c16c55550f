#!/usr/bin/env python3
"""Docs check: the examples and commands in the documentation still do what it says.

    tools/check-docs.py [--root ROOT] [--axl PATH] [--cxx PATH] [--timeout SECONDS] [--verbose] [DOC...]
    tools/check-docs.py [--root ROOT] --extract PATH --output FILE DOC

Reads README.md, workloads/README.md and docs/*.md below ROOT (default: this
script's repository), or the DOCs given (paths relative to ROOT), and checks:

- every ```toml block parses; one that is a whole system description ([system]
  and [[process]]) is run with `axl run`, one that is a whole scenario ([scenario])
  with `axl replay`, from a file in workloads/ (workloads/scenarios/ for a
  scenario) so that its relative paths resolve as they would for a real one;
- every line of a ```sh block that is an `axl` or `build/bin/axl` command is run;
- a block marked `output of COMMAND` is compared with what COMMAND prints: every
  digest it quotes, and the lines it is told to compare;
- a ```cpp block that is a whole file (marked `new PATH` or `run`) compiles against
  the tree's headers (-fsyntax-only, freestanding, as a program is built);
- a fenced block that quotes a digest is checked by one of the above (or skipped);
- every repository path in backticks or in a link exists (globs match something,
  a link's #anchor names a heading of the linked Markdown file).

Commands run from a scratch copy of ROOT (symbolic links to its entries), so the
files they write (traces, JSON, system files) go there; `axl` and `build/bin/axl`
mean --axl. A command must exit 0 unless a marker says otherwise.

A block is steered by HTML comments on the lines just before its opening fence
(invisible once rendered, visible to whoever edits the doc), one or more
directives separated by ';':

    <!-- docs-test: skip (REASON) -->            the block is not run (REASON required)
    <!-- docs-test: skip 'TEXT' (REASON) -->     its lines containing TEXT are not run
    <!-- docs-test: run -->                       run it (a cpp file: compile it)
    <!-- docs-test: run as PATH -->               write the toml block to PATH first
    <!-- docs-test: new PATH -->                  the reader creates PATH: it must not exist
    <!-- docs-test: output of COMMAND -->         the block is what COMMAND prints
    <!-- docs-test: exit N -->                    the run or command exits N, not 0
    <!-- docs-test: same 'PREFIX' ... -->         the block's line starting with PREFIX is
                                                  printed exactly (spacing aside)

--extract writes DOC's block marked `new PATH` to FILE (a C++ file with a #line
directive, so that compiler errors name the doc's lines): the build compiles the
program a doc has its reader write into a test of its own (cmake/docs_examples.cmake).

Exit status: 0 everything holds, 1 a doc problem was found (each printed as
`doc:line: problem`), 2 usage error (no axl binary, no such doc or block).
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field

PROG = "check-docs"
DEFAULT_DOCS = ["README.md", "workloads/README.md", "docs/*.md"]
AXL_NAMES = ("axl", "build/bin/axl")
SHELL_LANGS = ("sh", "bash", "shell")
MARKER_RE = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
FENCE_RE = re.compile(r"^(\s{0,3})(```+|~~~+)\s*([\w+-]*)")
DIGEST_RE = re.compile(r"(?:^|\s)((?:[A-Za-z]+ )?digest)(?::\s*|\s+)([0-9a-f]{16})\b")
EXPECT_DIGEST_RE = re.compile(r"--expect-digest\s+([0-9a-f]{16})\b")
CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A word in capitals stands for a name the reader picks (workloads/NAME.toml, fuzz/NAME_fuzzer.cc).
PLACEHOLDER_RE = re.compile(r"(?:^|[_.-])(?!README\b|LICENSE\b)[A-Z][A-Z0-9]*(?:[_.-]|$)")
OUTPUT_TAIL_LINES = 12


@dataclass
class Markers:
    skip_reason: str = None  # the whole block
    skip_lines: list = field(default_factory=list)  # [(text, reason)]
    run: bool = False
    run_as: str = None
    new_path: str = None
    output_of: str = None
    exit_status: int = 0
    same: list = field(default_factory=list)
    line: int = 0  # of the first marker


@dataclass
class Block:
    doc: str
    line: int  # of the opening fence, 1-based
    lang: str
    lines: list  # the content, without the fences
    markers: Markers

    @property
    def text(self):
        return "\n".join(self.lines) + ("\n" if self.lines else "")


@dataclass
class Doc:
    path: str  # relative to the root
    blocks: list
    prose: list  # [(line number, text)] outside code blocks and markers


class Problems:
    def __init__(self, quiet=False):
        self.items = []
        self.quiet = quiet

    def add(self, doc, line, message, detail=None):
        self.items.append((doc, line, message, detail))
        if self.quiet:
            return
        print(f"{doc}:{line}: {message}", flush=True)
        if detail:
            for text in detail.rstrip("\n").splitlines():
                print(f"    {text}")


def parse_markers(doc, number, texts, problems):
    """The directives of the marker lines before one block."""
    markers = Markers(line=number)
    for line, text in texts:
        for directive in split_directives(text):
            if not apply_directive(markers, directive):
                problems.add(doc, line, f"unknown docs-test directive '{directive}' "
                             "(known: run, run as PATH, new PATH, skip (REASON), skip 'TEXT' (REASON), "
                             "output of COMMAND, exit N, same 'PREFIX')")
    return markers


def split_directives(text):
    """Directives are separated by ';', except inside quotes or a (reason)."""
    parts, current, quote, depth = [], "", None, 0
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"" and depth == 0:
            quote = char
        elif char in "()":
            depth = max(0, depth + (1 if char == "(" else -1))
        elif char == ";" and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def apply_directive(markers, directive):
    if directive == "run":
        markers.run = True
    elif m := re.fullmatch(r"run as (\S+)", directive):
        markers.run, markers.run_as = True, m.group(1)
    elif m := re.fullmatch(r"new (\S+)", directive):
        markers.new_path = m.group(1)
    elif m := re.fullmatch(r"skip \((.*\S.*)\)", directive):
        markers.skip_reason = m.group(1)
    elif m := re.fullmatch(r"skip '([^']+)' \((.*\S.*)\)", directive):
        markers.skip_lines.append((m.group(1), m.group(2)))
    elif m := re.fullmatch(r"output of (.+)", directive):
        markers.output_of = m.group(1)
    elif m := re.fullmatch(r"exit (\d+)", directive):
        markers.exit_status = int(m.group(1))
    elif m := re.fullmatch(r"same((?: '[^']+')+)", directive):
        markers.same += re.findall(r"'([^']+)'", m.group(1))
    else:
        return False
    return True


def read_doc(root, path, problems):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        lines = f.read().splitlines()
    blocks, prose, pending = [], [], []
    fence = None  # (marker characters, lang, first line, markers)
    content = []
    for number, line in enumerate(lines, start=1):
        if fence:
            stripped = line.strip()
            if stripped.startswith(fence[0]) and stripped.strip(fence[0][0]) == "":
                blocks.append(Block(path, fence[2], fence[1], content, fence[3]))
                fence, content = None, []
            else:
                content.append(line)
            continue
        if m := MARKER_RE.match(line):
            pending.append((number, m.group(1)))
            continue
        if m := FENCE_RE.match(line):
            markers = parse_markers(path, pending[0][0] if pending else number, pending, problems)
            fence, content, pending = (m.group(2), m.group(3).lower(), number, markers), [], []
            continue
        if pending and line.strip():
            problems.add(path, pending[0][0], "docs-test marker not followed by a code block")
            pending = []
        prose.append((number, line))
    if fence:
        problems.add(path, fence[2], "code block never closed")
    if pending:
        problems.add(path, pending[0][0], "docs-test marker not followed by a code block")
    return Doc(path, blocks, prose)


def anchor_of(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


class Sandbox:
    """A scratch copy of the root: a real directory whose entries link to the root's.

    Commands run in it, so what they write stays out of the tree; a directory that a
    doc's example is written into is made real, its entries still links."""

    def __init__(self, root):
        self.root = root
        self.path = tempfile.mkdtemp(prefix="axl-check-docs-")
        self._link_entries("")

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def _link_entries(self, relative):
        source = os.path.join(self.root, relative)
        for name in os.listdir(source):
            os.symlink(os.path.join(source, name), os.path.join(self.path, relative, name))

    def make_real(self, relative_dir):
        parts = [p for p in relative_dir.split("/") if p]
        for depth in range(1, len(parts) + 1):
            relative = "/".join(parts[:depth])
            here = os.path.join(self.path, relative)
            if os.path.islink(here):
                os.unlink(here)
                os.mkdir(here)
                self._link_entries(relative)
            elif not os.path.exists(here):
                os.mkdir(here)

    def write(self, relative, text):
        self.make_real(os.path.dirname(relative))
        target = os.path.join(self.path, relative)
        if os.path.lexists(target):
            os.unlink(target)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return target


@dataclass
class Result:
    status: int
    output: str
    seconds: float


class Checker:
    def __init__(self, root, axl, cxx, timeout, verbose):
        self.root, self.axl, self.cxx = root, axl, cxx
        self.timeout, self.verbose = timeout, verbose
        self.problems = Problems()
        self.counts = {"toml run": 0, "toml parsed": 0, "commands": 0, "outputs": 0, "compiled": 0,
                       "paths": 0, "skipped": 0}
        self.sandbox = Sandbox(root)
        self.cache = {}
        self.top_level = {name for name in os.listdir(root)
                          if not name.startswith("build") and name not in (".git",)}

    # ---- running commands

    def command_argv(self, command):
        """argv for one doc command line, or None if it is not an axl command."""
        argv = shlex.split(command, comments=True)
        if not argv or argv[0] not in AXL_NAMES:
            return None
        return [self.axl] + argv[1:]

    def run(self, argv):
        key = tuple(argv)
        if key in self.cache:
            return self.cache[key]
        start = time.monotonic()
        # A session of its own, so that a command that overruns goes with all it started
        # (a campaign's workers).
        with subprocess.Popen(argv, cwd=self.sandbox.path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True) as process:
            try:
                output, _ = process.communicate(timeout=self.timeout)
                status = process.returncode
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
                status = None
        result = Result(status, output.decode("utf-8", "replace"), time.monotonic() - start)
        if self.verbose:
            shown = " ".join(shlex.quote(a) for a in ["axl"] + argv[1:])
            print(f"  {result.seconds:6.2f} s  exit {result.status}  {shown}", flush=True)
        self.cache[key] = result
        return result

    def expect_status(self, block, line, what, result, expected):
        if result.status == expected:
            return True
        tail = "\n".join(result.output.rstrip("\n").splitlines()[-OUTPUT_TAIL_LINES:])
        if result.status is None:
            self.problems.add(block.doc, line, f"{what}: still running after {self.timeout} s", tail)
        else:
            self.problems.add(block.doc, line, f"{what}: exit status {result.status}, expected {expected}", tail)
        return False

    # ---- blocks

    def check_block(self, block):
        markers = block.markers
        digests = quoted_digests(block)
        if block.lang == "toml":
            self.check_toml(block)
        elif block.lang in SHELL_LANGS:
            self.check_shell(block)
        elif block.lang in ("cpp", "c++"):
            self.check_cpp(block)
        if markers.output_of:
            self.check_output(block)
        checked = (markers.output_of or block.lang in SHELL_LANGS) and not markers.skip_reason
        if digests and not checked and not markers.skip_reason:
            self.problems.add(block.doc, block.line,
                              f"quotes digest {digests[0]}, which nothing checks: mark the block "
                              "<!-- docs-test: output of COMMAND --> (or skip (REASON))")
        if markers.new_path and os.path.lexists(os.path.join(self.root, markers.new_path)):
            self.problems.add(block.doc, markers.line,
                              f"{markers.new_path} exists: the doc has its reader create it")

    def check_toml(self, block):
        markers = block.markers
        try:
            data = tomllib.loads(block.text)
        except tomllib.TOMLDecodeError as error:
            if not markers.skip_reason:
                self.problems.add(block.doc, block.line, f"toml block does not parse: {error}")
            return
        self.counts["toml parsed"] += 1
        scenario = isinstance(data.get("scenario"), dict)
        system = isinstance(data.get("system"), dict) and isinstance(data.get("process"), list)
        if markers.skip_reason:
            self.counts["skipped"] += 1
            return
        if not (scenario or system):
            if markers.run:
                self.problems.add(block.doc, block.line,
                                  "marked run, but it is neither a system description ([system] and "
                                  "[[process]]) nor a scenario ([scenario])")
            return
        stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(block.doc))[0])
        path = markers.run_as or (f"workloads/scenarios/docs_{stem}_{block.line}.toml" if scenario
                                  else f"workloads/docs_{stem}_{block.line}.toml")
        if os.path.lexists(os.path.join(self.root, path)):
            self.problems.add(block.doc, markers.line, f"run as {path}: that would hide the tree's own file")
            return
        self.sandbox.write(path, block.text)
        argv = [self.axl, "replay" if scenario else "run", path]
        result = self.run(argv)
        self.counts["toml run"] += 1
        self.expect_status(block, block.line, f"this {'scenario' if scenario else 'system'} "
                           f"(written to {path}), run as `axl {argv[1]} {path}`", result, markers.exit_status)

    def check_shell(self, block):
        markers = block.markers
        for number, command in shell_commands(block):
            try:
                argv = self.command_argv(command)
            except ValueError as error:
                self.problems.add(block.doc, number, f"cannot split the command: {error}")
                continue
            if argv is None:
                continue
            if markers.skip_reason or any(text in command for text, _ in markers.skip_lines):
                self.counts["skipped"] += 1
                continue
            result = self.run(argv)
            self.counts["commands"] += 1
            self.expect_status(block, number, f"`{command.split(' #')[0].strip()}`", result, markers.exit_status)

    def check_cpp(self, block):
        markers = block.markers
        if markers.skip_reason:
            self.counts["skipped"] += 1
            return
        if not (markers.run or markers.new_path):
            return  # a fragment, not a file
        argv = [self.cxx, "-std=c++20", "-fsyntax-only", "-ffreestanding", "-fno-exceptions", "-fno-rtti",
                "-Wall", "-Werror", "-I", self.root, "-x", "c++", "-"]
        try:
            # Compiler messages name the doc's lines.
            source = f'#line {block.line + 1} "{block.doc}"\n' + block.text
            done = subprocess.run(argv, input=source.encode(), capture_output=True,
                                  timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            self.problems.add(block.doc, block.line, f"cannot compile with {self.cxx}: {error}")
            return
        self.counts["compiled"] += 1
        if done.returncode != 0:
            self.problems.add(block.doc, block.line, "this C++ file does not compile",
                              done.stderr.decode("utf-8", "replace"))

    def check_output(self, block):
        markers = block.markers
        if markers.skip_reason:
            self.counts["skipped"] += 1
            return
        try:
            argv = self.command_argv(markers.output_of)
        except ValueError as error:
            argv, reason = None, str(error)
        else:
            reason = "not an axl command"
        if argv is None:
            self.problems.add(block.doc, markers.line, f"output of '{markers.output_of}': {reason}")
            return
        result = self.run(argv)
        self.counts["outputs"] += 1
        what = f"output of `{markers.output_of}`"
        if not self.expect_status(block, markers.line, what, result, markers.exit_status):
            return
        printed = {}
        for label, digest in DIGEST_RE.findall(result.output):
            printed.setdefault(label, []).append(digest)
        for offset, line in enumerate(block.lines, start=1):
            for label, digest in DIGEST_RE.findall(line):
                if digest not in printed.get(label, []):
                    got = ", ".join(printed.get(label, [])) or f"no '{label}' line"
                    self.problems.add(block.doc, block.line + offset,
                                      f"quotes {label} {digest}, but {what} prints {got}")
        printed_lines = [" ".join(line.split()) for line in result.output.splitlines()]
        for prefix in markers.same:
            quoted = [" ".join(line.split()) for line in block.lines if line.strip().startswith(prefix)]
            if not quoted:
                self.problems.add(block.doc, markers.line, f"same '{prefix}': no line of the block starts so")
            for line in quoted:
                if line not in printed_lines:
                    actual = [p for p in printed_lines if p.startswith(prefix)]
                    self.problems.add(block.doc, markers.line, f"quotes '{line}', but {what} prints "
                                      + (" / ".join(f"'{a}'" for a in actual) or f"no line starting '{prefix}'"))

    # ---- paths

    def check_paths(self, doc, exempt):
        base = os.path.dirname(doc.path)
        in_comment = False
        for number, line in doc.prose:
            # HTML comments are not read by anyone but editors.
            if in_comment or "<!--" in line:
                in_comment = "-->" not in line.split("<!--")[-1]
                continue
            for target in LINK_RE.findall(line):
                self.check_link(doc, number, base, target)
            for _, span in CODE_SPAN_RE.findall(line):
                for word in span.split():
                    path = repo_path_of(word, self.top_level)
                    if path and path not in exempt:
                        self.check_path(doc, number, path)

    def check_link(self, doc, number, base, target):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return  # https:, mailto:
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(base, path)) if path else doc.path
        self.counts["paths"] += 1
        full = os.path.join(self.root, resolved)
        if not os.path.exists(full):
            self.problems.add(doc.path, number, f"link to {target}: {resolved} does not exist")
            return
        if anchor and resolved.endswith(".md"):
            anchors = self.anchors(resolved)
            if anchor not in anchors:
                self.problems.add(doc.path, number, f"link to {target}: {resolved} has no heading "
                                  f"#{anchor}")

    def anchors(self, path):
        with open(os.path.join(self.root, path), encoding="utf-8") as f:
            text = f.read()
        found, seen, fenced = set(), {}, False
        for line in text.splitlines():
            if FENCE_RE.match(line):
                fenced = not fenced
            if fenced:
                continue
            if m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line):
                anchor = anchor_of(m.group(1))
                # GitHub numbers repeated headings: x, x-1, x-2 ...
                found.add(anchor if anchor not in seen else f"{anchor}-{seen[anchor]}")
                seen[anchor] = seen.get(anchor, 0) + 1
        return found

    def check_path(self, doc, number, path):
        self.counts["paths"] += 1
        full = os.path.join(self.root, path)
        if any(c in path for c in "*?["):
            if not glob.glob(full):
                self.problems.add(doc.path, number, f"`{path}` matches no file")
        elif path.endswith("/") and not os.path.isdir(full):
            self.problems.add(doc.path, number, f"`{path}` is not a directory of the tree")
        elif not os.path.exists(full):
            self.problems.add(doc.path, number, f"`{path}` does not exist")

    def check(self, docs, all_docs):
        # Files a doc has its reader create, or writes for its example, are not in the tree;
        # any doc may name them.
        exempt = {path for doc in docs + all_docs for block in doc.blocks
                  for path in (block.markers.new_path, block.markers.run_as) if path}
        for doc in docs:
            if self.verbose:
                print(f"{doc.path}:", flush=True)
            self.check_paths(doc, exempt)
            for block in doc.blocks:
                self.check_block(block)


def shell_commands(block):
    """(line number, command) per command of a shell block, continuation lines joined."""
    commands, current, first = [], "", None
    for offset, line in enumerate(block.lines, start=1):
        if first is None:
            first = block.line + offset
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            commands.append((first, current.strip()))
        current, first = "", None
    return commands


def quoted_digests(block):
    found = [digest for line in block.lines for _, digest in DIGEST_RE.findall(line)]
    return found + [digest for line in block.lines for digest in EXPECT_DIGEST_RE.findall(line)]


def repo_path_of(word, top_level):
    """The repository path a word in backticks names, or None if it names none."""
    word = word.strip(".,;:()'\"")
    word = re.sub(r":\d+(:\d+)?$", "", word)  # file:line
    if not word or any(c in word for c in "<>{}$=@\\"):
        return None  # a placeholder (tests/<dir>/...), a brace list, an option
    if any(PLACEHOLDER_RE.search(part) for part in word.split("/")):
        return None  # workloads/NAME.toml
    first = word.split("/", 1)[0]
    if first not in top_level:
        return None
    if "/" not in word and not os.path.splitext(word)[1] and first not in ("Makefile", "LICENSE"):
        return None  # a bare word that happens to be a folder's name (`kernel`, `tests`)
    return word


def extract(root, doc_path, path, output):
    problems = Problems()
    doc = read_doc(root, doc_path, problems)
    found = [block for block in doc.blocks if block.markers.new_path == path]
    if problems.items or len(found) != 1:
        print(f"{PROG}: {doc_path}: {len(found)} blocks marked 'new {path}', expected one", file=sys.stderr)
        return 2
    block = found[0]
    text = block.text
    if block.lang in ("cpp", "c++"):
        text = f'#line {block.line + 1} "{os.path.join(root, doc_path)}"\n' + text
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


def main():
    here = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=here, help="the repository (default: this script's)")
    parser.add_argument("docs", nargs="*", help="docs to check, relative to ROOT (default: "
                        + ", ".join(DEFAULT_DOCS) + ")")
    parser.add_argument("--axl", help="the axl binary (default: ROOT/build/bin/axl)")
    parser.add_argument("--cxx", default=os.environ.get("CXX", "c++"), help="C++ compiler for cpp files")
    parser.add_argument("--timeout", type=float, default=60, help="seconds one command may take (default 60)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every command and its time")
    parser.add_argument("--extract", metavar="PATH", help="write the block marked 'new PATH' of the one DOC")
    parser.add_argument("--output", metavar="FILE", help="with --extract: where to write it")
    args = parser.parse_args()

    root = os.path.abspath(args.root)
    if args.extract:
        if len(args.docs) != 1 or not args.output:
            parser.error("--extract takes one DOC and --output FILE")
        return extract(root, args.docs[0], args.extract, args.output)
    axl = os.path.abspath(args.axl or os.path.join(root, "build", "bin", "axl"))
    if not os.access(axl, os.X_OK):
        print(f"{PROG}: no axl binary at {axl} (build it, or give --axl)", file=sys.stderr)
        return 2
    default_names = [p for pattern in DEFAULT_DOCS for p in sorted(glob.glob(pattern, root_dir=root))]
    names = args.docs or default_names
    for name in names:
        if not os.path.isfile(os.path.join(root, name)):
            print(f"{PROG}: no such doc: {os.path.join(root, name)}", file=sys.stderr)
            return 2

    start = time.monotonic()
    checker = Checker(root, axl, args.cxx, args.timeout, args.verbose)
    try:
        docs = [read_doc(root, name, checker.problems) for name in names]
        others = [read_doc(root, name, Problems(quiet=True)) for name in default_names if name not in names]
        checker.check(docs, others)
    finally:
        checker.sandbox.close()
    counts = ", ".join(f"{value} {name}" for name, value in checker.counts.items())
    seconds = time.monotonic() - start
    if checker.problems.items:
        print(f"{PROG}: {len(checker.problems.items)} problem(s) in {len(names)} docs ({counts}; {seconds:.1f} s)")
        return 1
    print(f"{PROG}: OK, {len(names)} docs ({counts}; {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
