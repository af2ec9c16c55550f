#!/usr/bin/env python3
"""No Linux file is ever committed (issue 15; docs/linux-drivers.md).

Linux's sources are fetched from Debian at build time (tools/linux/fetch-material.sh)
and compiled verbatim; the repository holds only the project's own MIT code. This
check fails if a tracked file

  - is byte for byte a file of the extracted Linux material (its sha256 is in
    MATERIAL/SHA256SUMS, when the material has been fetched), or
  - carries a GPL SPDX licence line, as every Linux source file does, or
  - has the name of a source file the manifest extracts (say a copied ne2k-pci.c),
    or the path of any file it extracts (headers and Makefiles by their whole
    path: names such as Makefile or trace.h are the project's own too).

lwIP (issue 17) is fetched the same way (tools/net/fetch-lwip.sh): with --lwip DIR, a
tracked file that is byte for byte one of its unpacked files, or has the name of one of
the stack's own sources (src/core, src/netif, src/api), fails the check too.

Usage: check-no-linux-sources.py [--material DIR] [--lwip DIR]
       (exit 0 clean, 1 a Linux or lwIP file is tracked)
"""
import argparse
import hashlib
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
GPL_LINE = re.compile(rb"SPDX-License-Identifier:\s*\(?\s*GPL", re.IGNORECASE)
# This file and the docs name the pattern they look for.
EXEMPT = {"tools/linux/check-no-linux-sources.py"}


def manifest_files():
    """(names of its source files, paths of all its files)."""
    names, paths = set(), set()
    for line in (ROOT / "linux_env" / "manifest.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.endswith("/"):
            paths.add(line)
            if line.endswith((".c", ".S")):
                names.add(pathlib.PurePosixPath(line).name)
    return names, paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--material", type=pathlib.Path, help="the fetched material (BUILD/linux)")
    parser.add_argument("--lwip", type=pathlib.Path, help="the fetched lwIP (BUILD/lwip)")
    args = parser.parse_args()

    lwip_hashes, lwip_names = {}, set()
    lwip_sums = args.lwip / "SHA256SUMS" if args.lwip else None
    if lwip_sums and lwip_sums.is_file():
        for line in lwip_sums.read_text().splitlines():
            digest, _, path = line.partition("  ")
            lwip_hashes[digest] = path
            if path.startswith(("./src/core/", "./src/netif/", "./src/api/")) and path.endswith(".c"):
                lwip_names.add(pathlib.PurePosixPath(path).name)

    linux_hashes = {}
    sums = args.material / "SHA256SUMS" if args.material else None
    if sums and sums.is_file():
        for line in sums.read_text().splitlines():
            digest, _, path = line.partition("  ")
            linux_hashes[digest] = path
    names, paths = manifest_files()

    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True,
                             capture_output=True).stdout.decode().split("\0")
    problems = []
    checked = 0
    for relative in filter(None, tracked):
        path = ROOT / relative
        if relative in EXEMPT or not path.is_file():
            continue
        data = path.read_bytes()
        checked += 1
        digest = hashlib.sha256(data).hexdigest()
        if digest in linux_hashes:
            problems.append(f"{relative}: is Linux's {linux_hashes[digest]}, byte for byte")
        elif digest in lwip_hashes and len(data) > 0:
            problems.append(f"{relative}: is lwIP's {lwip_hashes[digest]}, byte for byte")
        elif path.name in lwip_names:
            problems.append(f"{relative}: has the name of one of lwIP's sources (fetched, never committed)")
        elif GPL_LINE.search(data[:4096]):
            problems.append(f"{relative}: carries a GPL SPDX licence line (Linux's sources do)")
        elif path.name in names or any(relative == p or relative.endswith("/" + p) for p in paths):
            problems.append(f"{relative}: has the name of a Linux file the manifest extracts")
    for problem in problems:
        print(f"no-linux-sources: {problem}")
    if problems:
        print(f"no-linux-sources: FAILED: {len(problems)} tracked file(s) look like Linux's or lwIP's; that material is "
              "fetched from Debian at build time, never committed (docs/linux-drivers.md)")
        return 1
    against = f"{len(linux_hashes)} extracted Linux files" if linux_hashes else "no fetched material (names and licence lines only)"
    if lwip_hashes:
        against += f", and {len(lwip_hashes)} unpacked lwIP files"
    print(f"no-linux-sources: OK ({checked} tracked files, checked against {against})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
