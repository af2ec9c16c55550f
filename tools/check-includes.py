#!/usr/bin/env python3
"""Include-rule check: each folder #includes only the project folders it may.

    tools/check-includes.py [--rules FILE] [ROOT]

Scans every C/C++/assembly source and header under the folders that
tools/include-rules.txt (the rules file; format in its header) names, below ROOT
(default: this script's repository), and prints, for each #include of a project
header its folder may not include,

    file:line: <folder> may not include "<header>" (allowed: ...)

Known exceptions (`except FILE HEADER` lines) are counted, not reported; one that
no longer occurs is named as stale (a warning: remove its line).
Exit status: 0 clean, 1 violations found, 2 usage or rules-file error.
"""

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

PROG = "check-includes"
SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".c", ".cc", ".cpp", ".inc", ".ipp", ".S")
INCLUDE_RE = re.compile(r'^\s*#\s*include\b\s*(?:"([^"]+)"|<([^>]+)>|(.*))')


class RulesError(Exception):
    pass


@dataclass
class Rule:
    folder: str  # "kernel/api/"
    entries: list = field(default_factory=list)  # [(allow: bool, pattern: str)]

    def allows(self, header):
        """The longest entry matching `header` decides; a '!' entry wins a tie."""
        best = None  # (specificity, allow)
        for allow, pattern in self.entries:
            if pattern == "*":
                specificity = 0
            elif pattern.endswith("/"):
                if not header.startswith(pattern):
                    continue
                specificity = len(pattern)
            elif header == pattern:
                specificity = len(pattern) + 1  # a file beats the folder holding it
            else:
                continue
            if best is None or specificity > best[0] or (specificity == best[0] and not allow):
                best = (specificity, allow)
        return best is not None and best[1]

    def describe(self):
        words = [p if allow else "not " + p for allow, p in self.entries]
        return ", ".join(words) if words else "no project header"


@dataclass
class Rules:
    path: str
    rules: dict = field(default_factory=dict)  # folder -> Rule
    exceptions: dict = field(default_factory=dict)  # (file, header) -> rules-file line

    def rule_for(self, path):
        best = None
        for folder, rule in self.rules.items():
            if path.startswith(folder) and (best is None or len(folder) > len(best.folder)):
                best = rule
        return best

    def top_folders(self):
        names = set()
        for rule in self.rules.values():
            names.add(rule.folder.split("/", 1)[0])
            for _, pattern in rule.entries:
                if pattern != "*":
                    names.add(pattern.split("/", 1)[0])
        return names


def read_rules(path):
    rules = Rules(path)
    lines = []  # (line number, words), continuation lines joined
    try:
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                words = text.split("#", 1)[0].split()
                if not words:
                    continue
                if text[0].isspace():
                    if not lines:
                        raise RulesError(f"{path}:{number}: continuation line with nothing to continue")
                    lines[-1][1].extend(words)
                else:
                    lines.append((number, words))
    except OSError as e:
        raise RulesError(f"cannot read rules file: {e}")

    for number, words in lines:
        where = f"{path}:{number}"
        if words[0] == "except":
            if len(words) != 3:
                raise RulesError(f"{where}: expected 'except FILE HEADER'")
            rules.exceptions[(words[1], words[2])] = number
            continue
        folder = words[0]
        if not folder.endswith("/") or folder.startswith(("/", "!")) or folder == "/":
            raise RulesError(f"{where}: '{folder}' is not a folder (write it as 'name/')")
        if folder in rules.rules:
            raise RulesError(f"{where}: a second rule for {folder}")
        rule = Rule(folder)
        for word in words[1:]:
            allow = not word.startswith("!")
            pattern = word.lstrip("!")
            if not pattern or pattern.startswith("/") or ".." in pattern.split("/"):
                raise RulesError(f"{where}: bad entry '{word}'")
            rule.entries.append((allow, pattern))
        rules.rules[folder] = rule
    if not rules.rules:
        raise RulesError(f"{path}: no rules")
    for (file, _), number in rules.exceptions.items():
        if rules.rule_for(file) is None:
            raise RulesError(f"{path}:{number}: no rule covers {file}")
    return rules


def source_files(root, rules):
    """Every source under the folders with a rule, as sorted root-relative paths."""
    found = []
    for top in sorted({folder.split("/", 1)[0] for folder in rules.rules}):
        base = os.path.join(root, top)
        for directory, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in files:
                if name.endswith(SOURCE_SUFFIXES):
                    found.append(os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/"))
    return sorted(found)


def project_header(header, top_folders):
    """The header's project path, or None for a system or library header."""
    header = os.path.normpath(header).replace(os.sep, "/")
    return header if header.split("/", 1)[0] in top_folders else None


def check(root, rules, out):
    top_folders = rules.top_folders() | {
        d for d in os.listdir(root) if not d.startswith(".") and os.path.isdir(os.path.join(root, d))}
    files = source_files(root, rules)
    violations = checked = 0
    seen_exceptions = set()
    for rel in files:
        rule = rules.rule_for(rel)
        if rule is None:
            continue  # a file at the top of a folder that only has rules for subfolders
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                match = INCLUDE_RE.match(text)
                if not match:
                    continue
                quoted, angled, computed = match.groups()
                if computed is not None:
                    out.write(f"{rel}:{number}: {rule.folder} may not use a computed #include: "
                              f"{computed.strip()}\n")
                    violations += 1
                    continue
                header = project_header(quoted or angled, top_folders)
                if header is None:
                    continue
                checked += 1
                if rule.allows(header):
                    continue
                if (rel, header) in rules.exceptions:
                    seen_exceptions.add((rel, header))
                    continue
                out.write(f'{rel}:{number}: {rule.folder} may not include "{header}" '
                          f"(allowed: {rule.describe()})\n")
                violations += 1

    for (file, header), number in sorted(rules.exceptions.items(), key=lambda item: item[1]):
        if (file, header) not in seen_exceptions:
            out.write(f"{rules.path}:{number}: warning: stale exception: {file} no longer "
                      f'includes "{header}" against its rule; remove the line\n')
    excused = f", {len(seen_exceptions)} known exception(s)" if seen_exceptions else ""
    if violations:
        out.write(f"{PROG}: FAILED: {violations} include(s) break {rules.path} "
                  f"({len(files)} files scanned{excused})\n")
        out.write("  A layer includes only what its rule lists (docs/architecture.md); move the code,\n"
                  "  or change the rule there if the layering itself should change.\n")
        return 1
    out.write(f"{PROG}: OK ({len(files)} files, {checked} project includes{excused})\n")
    return 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default=os.path.dirname(here),
                        help="the tree to check (default: this repository)")
    parser.add_argument("--rules", default=os.path.join(here, "include-rules.txt"),
                        help="the rules file (default: include-rules.txt beside this script)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.root):
        print(f"{PROG}: error: '{args.root}' is not a directory", file=sys.stderr)
        return 2
    try:
        rules = read_rules(args.rules)
    except RulesError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    # Messages name the rules file relative to the current directory when under it.
    shown = os.path.relpath(args.rules)
    rules.path = shown if not shown.startswith("..") else os.path.abspath(args.rules)
    return check(args.root, rules, sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
