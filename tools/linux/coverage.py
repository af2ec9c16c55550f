#!/usr/bin/env python3
"""Coverage tiers over Debian's Linux 6.1 driver modules, and the worklist (issue 15).

docs/linux-drivers.md ("Coverage tiers and the worklist") explains the method. In short:
every module's *core imports* are its undefined symbols that no module exports (those are
the kernel's own, what the Linux environment must provide); a driver needs its own core
imports and those of every module it depends on (modinfo `depends=`, transitively). A
driver is

  T1   when everything it needs is implemented (not a stub),
  T1s  when everything it needs is implemented or a generated stub,
  T2, T3, T4  when the functional tests list it in BUILD/linux/tiers/T2.txt, T3.txt, T4.txt
              or T2.d/, T3.d/ (a file per module); T4 also when its boot tests passed under
              both firmwares: a file for the module in T4-bios.d/ and in T4-uefi.d/
              (written by `axl boot --test --record`, cmake/boot_tests.cmake).

Usage (defaults: --build build, Debian's image fetched on demand by fetch-image.sh):
  coverage.py                                   print the tiers
  coverage.py --readme README.md                also rewrite README's linux-tiers block
  coverage.py --worklist 20                     write BUILD/linux/worklist.txt, print its top 20
  coverage.py --figures                         the metric's figures (medians, greedy order)
  coverage.py --module ne2k-pci --module 8390   what these drivers need and what is missing
  coverage.py --implemented A.a B.txt --stubs S.txt   the symbol sets (objects, archives, lists)

Exit status: 0 done, 1 the material could not be read, 2 bad arguments or input files
(file:line on stderr), 3 Debian's image could not be fetched (offline).
"""
import argparse
import bisect
import hashlib
import json
import pathlib
import re
import statistics
import struct
import subprocess
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FETCH_IMAGE = ROOT / "tools" / "linux" / "fetch-image.sh"
LINUX_TARBALL = pathlib.Path("/usr/src/linux-source-6.1.tar.xz")
# The caches are valid for one version of this file (and of their input).
CACHE_VERSION = hashlib.sha256(pathlib.Path(__file__).read_bytes()).hexdigest()
EXIT_FAILED, EXIT_USAGE, EXIT_OFFLINE = 1, 2, 3
README_BEGIN = "<!-- linux-tiers:begin -->"
README_END = "<!-- linux-tiers:end -->"
TIER_FILES = ("T2", "T3", "T4")
TIER_MEANING = {
    "T1": "links using only implemented symbols",
    "T1s": "links with generated stubs for the rest",
    "T2": "probes against a simulated device",
    "T3": "passes its functional test, hosted",
    "T4": "passes its functional test in QEMU, BIOS and UEFI",
}

# Symbols the compiler inserts, not the driver's source: the ftrace hook, the
# stack-protector failure call and the retpoline/return-thunk trampolines. The
# environment compiles drivers itself, with or without these options, so they
# are provided by construction (at worst one-line functions); they never count
# as missing and are not part of the implemented-symbol count.
TOOLCHAIN_EXACT = frozenset({"__fentry__", "__stack_chk_fail", "__x86_return_thunk"})
TOOLCHAIN_PATTERN = re.compile(r"__x86_indirect_thunk_(r[a-z0-9]+)\Z")


def is_toolchain(symbol):
    return symbol in TOOLCHAIN_EXACT or bool(TOOLCHAIN_PATTERN.match(symbol))


class UsageError(Exception):
    """Bad arguments or input files: exit 2."""


class MaterialError(Exception):
    """The modules or the sources could not be read: exit 1."""


# ---------------------------------------------------------------- ELF modules

def read_module(path):
    """(undefined global symbols, exported symbols, modinfo dict) of one ELF64 .ko/.o."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise MaterialError(f"{path}: not a little-endian ELF64 object")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]

    def cstring(offset):
        return data[offset:data.index(b"\0", offset)].decode("utf-8", "replace")

    shstr_offset = sections[shstrndx][4]
    imports, exports, modinfo = set(), set(), {}
    for name_offset, kind, _, _, offset, size, link, _, _, entsize in sections:
        if kind == 2:  # SHT_SYMTAB
            strtab = sections[link][4]
            for k in range(1, size // 24):
                st_name, st_info, _, st_shndx, _, _ = struct.unpack_from("<IBBHQQ", data, offset + k * 24)
                if not st_name:
                    continue
                symbol = cstring(strtab + st_name)
                if st_shndx == 0:
                    if st_info >> 4 in (1, 2):  # STB_GLOBAL, STB_WEAK
                        imports.add(symbol)
                elif symbol.startswith("__ksymtab_"):
                    exports.add(symbol[len("__ksymtab_"):])
        elif cstring(shstr_offset + name_offset) == ".modinfo":
            for item in data[offset:offset + size].split(b"\0"):
                key, sep, value = item.decode("utf-8", "replace").partition("=")
                if sep:
                    modinfo.setdefault(key, value)
    return imports, exports, modinfo


def module_name(name):
    """Linux's module names: `-` and `_` are the same (modprobe and depends= mix them)."""
    return name.replace("-", "_")


def modules_dir(image_dir):
    candidates = sorted((image_dir / "root" / "lib" / "modules").glob("*/kernel"))
    if len(candidates) != 1:
        raise MaterialError(f"{image_dir}/root/lib/modules: expected one kernel's modules, found {len(candidates)}")
    return candidates[0].parent


def scan_modules(mod_dir, cache_dir):
    """{relative path: {name, imports, exports, depends}} for every .ko under mod_dir, cached."""
    files = sorted(p for p in mod_dir.rglob("*.ko") if p.is_file())
    if not files:
        raise MaterialError(f"{mod_dir}: no .ko files")
    signature = hashlib.sha256(str(CACHE_VERSION).encode())
    for p in files:
        st = p.stat()
        signature.update(f"{p.relative_to(mod_dir)} {st.st_size} {st.st_mtime_ns}\n".encode())
    signature = signature.hexdigest()
    cache = cache_dir / "imports.json" if cache_dir else None
    if cache and cache.is_file():
        try:
            cached = json.loads(cache.read_text())
            if cached.get("signature") == signature:
                return cached["modules"]
        except (ValueError, KeyError):
            pass
    modules = {}
    for p in files:
        imports, exports, modinfo = read_module(p)
        modules[str(p.relative_to(mod_dir))] = {
            "name": module_name(modinfo.get("name") or p.stem),
            "imports": sorted(imports),
            "exports": sorted(exports),
            "depends": None if "depends" not in modinfo
            else sorted(module_name(d) for d in modinfo["depends"].split(",") if d),
        }
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"signature": signature, "modules": modules}))
        tmp.replace(cache)
    return modules


class ModuleSet:
    """The modules, who exports what, and each driver's needs."""

    def __init__(self, modules, driver_prefix="kernel/drivers/"):
        self.modules = modules
        self.by_name = {}
        for path, m in modules.items():
            if m["name"] in self.by_name:
                raise MaterialError(f"two modules named {m['name']}: {self.by_name[m['name']]} and {path}")
            self.by_name[m["name"]] = path
        self.exporters = {}
        for path, m in modules.items():
            for s in m["exports"]:
                self.exporters.setdefault(s, []).append(path)
        self.drivers = sorted(p for p in modules if p.startswith(driver_prefix))
        self.own = {p: frozenset(s for s in m["imports"] if s not in self.exporters) for p, m in modules.items()}
        self._deps = {}
        self._closure = {}

    def deps(self, path):
        """The modules `path` loads first: modinfo depends=, or (no depends= key) whoever exports its imports."""
        if path not in self._deps:
            m = self.modules[path]
            if m["depends"] is None:
                found = {q for s in m["imports"] for q in self.exporters.get(s, ()) if q != path}
            else:
                found = set()
                for d in m["depends"]:
                    if d not in self.by_name:
                        raise MaterialError(f"{path}: depends on {d}, which is not among the modules")
                    found.add(self.by_name[d])
            self._deps[path] = sorted(found)
        return self._deps[path]

    def closure(self, path):
        if path not in self._closure:
            seen, stack = {path}, [path]
            while stack:
                for d in self.deps(stack.pop()):
                    if d not in seen:
                        seen.add(d)
                        stack.append(d)
            self._closure[path] = frozenset(seen)
        return self._closure[path]

    def needs(self, path, count_toolchain=False):
        """The core symbols a driver needs: its own and its dependencies' core imports."""
        needed = set().union(*(self.own[q] for q in self.closure(path)))
        return needed if count_toolchain else {s for s in needed if not is_toolchain(s)}

    def find(self, name):
        """A module by name (`ne2k-pci`, `ne2k_pci`, `ne2k-pci.ko` or its path)."""
        key = name[:-3] if name.endswith(".ko") else name
        if key + ".ko" in self.modules:
            return key + ".ko"
        key = module_name(pathlib.PurePosixPath(key).name)
        return self.by_name.get(key)


# ---------------------------------------------------------------- symbol sets

SYMBOL = re.compile(r"[A-Za-z_.$][\w.$]*\Z")
STUB_MARKER = "__axl_linux_stub_"


def is_object(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head[:4] == b"\x7fELF" or head == b"!<arch>\n"


def defined_symbols(path):
    """The global symbols an object or archive defines (nm --defined-only --extern-only)."""
    result = subprocess.run(["nm", "--defined-only", "--extern-only", "--format=posix", str(path)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UsageError(f"{path}: nm failed: {result.stderr.strip()}")
    symbols = set()
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 2 and not line.endswith(":") and fields[1] not in ("U", "w", "v"):
            symbols.add(fields[0])
    return symbols


def read_symbol_list(path):
    symbols = set()
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            if not SYMBOL.match(text):
                raise UsageError(f"{path}:{number}: '{text}' is not a symbol name (one symbol a line, # comments)")
            symbols.add(text)
    return symbols


def read_symbols(paths, option):
    """(symbols, stubs marked in objects) from objects, archives or lists."""
    symbols, marked = set(), set()
    for p in paths:
        path = pathlib.Path(p)
        if not path.is_file():
            raise UsageError(f"{option} {p}: no such file")
        found = defined_symbols(path) if is_object(path) else read_symbol_list(path)
        for s in found:
            if s.startswith(STUB_MARKER):
                marked.add(s[len(STUB_MARKER):])
            else:
                symbols.add(s)
    return symbols, marked


def read_tier_file(path, moduleset):
    """Driver modules listed in a T2/T3/T4 results file: one module a line, # comments."""
    listed = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            found = moduleset.find(fields[0])
            if found is None:
                raise UsageError(f"{path}:{number}: '{fields[0]}' is not one of Debian's modules")
            if found not in moduleset.drivers:
                raise UsageError(f"{path}:{number}: '{fields[0]}' is {found}, not a driver module (kernel/drivers/)")
            listed.setdefault(found, number)
    return set(listed)


def read_tier_folder(folder, moduleset):
    """The modules named by the files in `folder` (one per module, which tests
    running in parallel write without sharing a file); None if it does not exist."""
    if not folder.is_dir():
        return None
    listed = set()
    for entry in sorted(folder.iterdir()):
        found = moduleset.find(entry.name)
        if found is None or found not in moduleset.drivers:
            raise UsageError(f"{entry}: '{entry.name}' is not one of Debian's driver modules")
        listed.add(found)
    return listed


def read_tier(tiers_dir, tier, moduleset):
    """A tier's driver modules: TIER.txt's lines and TIER.d/'s files; for T4
    also the modules whose boot tests passed under the BIOS and under UEFI
    (T4-bios.d/ and T4-uefi.d/ both name them); None when none of these exists."""
    listed, found_any = set(), False
    if (tiers_dir / f"{tier}.txt").is_file():
        listed |= read_tier_file(tiers_dir / f"{tier}.txt", moduleset)
        found_any = True
    folder = read_tier_folder(tiers_dir / f"{tier}.d", moduleset)
    if folder is not None:
        listed |= folder
        found_any = True
    if tier == "T4":
        bios = read_tier_folder(tiers_dir / "T4-bios.d", moduleset)
        uefi = read_tier_folder(tiers_dir / "T4-uefi.d", moduleset)
        if bios is not None or uefi is not None:
            listed |= (bios or set()) & (uefi or set())
            found_any = True
    return listed if found_any else None


# ---------------------------------------------------------------- Linux sources

EXPORT = re.compile(rb"^[ \t]*([A-Z_]*EXPORT_[A-Z_]*SYMBOL[A-Z_]*|EXPORT_STATIC_CALL[A-Z_]*)\s*\(\s*(\w+)", re.M)
# `define_dev_printk_level(_dev_err, KERN_ERR);`: where a macro defines and exports a symbol.
NEWLINE = b"\n"
# `EXPORT_SYMBOL(param_ops_##name)` inside a macro: the site of every param_ops_* symbol.
PASTED_EXPORT = re.compile(rb"^[ \t]*[A-Z_]*EXPORT_[A-Z_]*SYMBOL[A-Z_]*\s*\(\s*(\w+)\s*##", re.M)
MACRO_SITE = re.compile(rb"^[A-Za-z_]\w*\(\s*(\w+)\s*[,)]", re.M)
PER_CPU = re.compile(r"^(?:extern\s+)?DECLARE_PER_CPU\w*\s*\((.*),\s*(\w+)\s*\)$", re.S)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
PREPROCESSOR = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
DELIMITER = re.compile(r"[;{}]")
ATTRIBUTES_ONLY = re.compile(r"\s*(?:(?:__\w+|asm|__asm__)\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*)*\Z")
DATA = re.compile(r"^extern\s+(.*?)\b(\w+)\s*((?:\[[^\]]*\]\s*)*)((?:__\w+(?:\([^()]*\))?\s*)*)$", re.S)
KEYWORDS = frozenset({"if", "while", "for", "switch", "return", "sizeof", "typeof", "__typeof__", "defined"})


def blank(match):
    """A comment or directive replaced by spaces, keeping its newlines (so line numbers stay
    right) and its line continuations (so a comment inside a #define does not end it)."""
    return re.sub(r"\\\n|[^\n]", lambda c: c.group(0) if len(c.group(0)) == 2 else " ", match.group(0))


def function_name(body):
    """The name a declaration `... name(params) attributes` declares, or None: the identifier
    before the top-level parenthesis group that only attributes follow (so `__printf(1, 2)`
    before the return type is not taken for the function)."""
    depth, open_at = 0, None
    for i, c in enumerate(body):
        if c == "(":
            if depth == 0:
                open_at = i
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0 and ATTRIBUTES_ONLY.match(body, i + 1):
                m = re.search(r"(\w+)\s*\Z", body[:open_at])
                if m and m.group(1) not in KEYWORDS and body[:m.start()].strip():
                    return m.group(1)
                return None
    return None


LEADING_MACRO = re.compile(r"[A-Z_][A-Z0-9_]*\s*\(")


def strip_leading_macros(body):
    """`DEFINE_GUARD(...) DEFINE_FREE(...) extern void f(...)`: a header's macro invocations
    that end without a semicolon, dropped from the declaration that follows them."""
    while True:
        m = LEADING_MACRO.match(body)
        if not m:
            return body
        depth = 0
        for i in range(m.end() - 1, len(body)):
            depth += {"(": 1, ")": -1}.get(body[i], 0)
            if depth == 0:
                break
        rest = body[i + 1:].lstrip()
        if depth or "(" not in rest:
            return body
        body = rest


def declarations(path, text):
    """{name: (file:line, prototype, kind)} for the top-level declarations of one header."""
    text = PREPROCESSOR.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), COMMENT.sub(blank, text))
    newlines = [m.start() for m in re.finditer("\n", text)]
    found, depth, chunk_start = {}, 0, 0
    for m in DELIMITER.finditer(text):
        start, chunk_start = chunk_start, m.end()
        chunk = text[start:m.end()]
        end = chunk[-1]
        if end == "}":
            depth = max(0, depth - 1)
            continue
        if depth == 0:
            body = strip_leading_macros(" ".join(chunk[:-1].split()))
            if body and "typedef" not in body and "=" not in body:
                line = bisect.bisect_right(newlines, start + len(chunk) - len(chunk.lstrip()) - 1) + 1
                per_cpu = PER_CPU.match(body)
                name = function_name(body) if "(" in body and not per_cpu else None
                if per_cpu:
                    found.setdefault(per_cpu.group(2), (f"{path}:{line}", body + ";", "data"))
                elif name:
                    kind = "inline" if end == "{" else "function"
                    found.setdefault(name, (f"{path}:{line}", body + ";", kind))
                elif end == ";":
                    d = DATA.match(body)
                    if d and d.group(1).strip():
                        found.setdefault(d.group(2), (f"{path}:{line}", body + ";", "data"))
        if end == "{":
            depth += 1
    return found


def is_word_char(c):
    return c.isalnum() or c == "_"


def definition(text, name, before):
    """(line, prototype, kind) of the definition of `name` above offset `before` in a .c/.S
    file (kernel style: the name at the start of a line, or after its return type on the
    same line), or None."""
    pos = before
    while True:
        pos = text.rfind(name, 0, pos)
        if pos < 0:
            return None
        end = pos + len(name)
        if (pos > 0 and is_word_char(text[pos - 1])) or (end < len(text) and is_word_char(text[end])):
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        prefix = text[line_start:pos]
        if prefix and (prefix[0].isspace() or not re.fullmatch(r"[\w\s*]+", prefix)):
            continue
        follow = re.match(r"\s*(\(|=|;|\[)", text[end:end + 200])
        if not follow:
            continue
        line = text.count("\n", 0, pos) + 1
        if follow.group(1) == "(":
            brace, semicolon = text.find("{", end), text.find(";", end)
            if brace < 0 or 0 <= semicolon < brace:
                continue  # a declaration or a call, not the definition
            start = line_start
            if not prefix.strip():  # the return type on the line above
                above = text.rfind("\n", 0, line_start - 1) + 1
                if text[above:line_start].strip() and not any(c in text[above:line_start] for c in ";{}#/*)"):
                    start = above
            return line, " ".join(COMMENT.sub(" ", text[start:brace]).split()) + ";", "function"
        return line, " ".join(text[line_start:end].split()) + ("[]" if follow.group(1) == "[" else "") + ";", "data"


def exported_names(macro, name):
    """[(symbol, kind, prototype)] an export macro exports: tracepoints and static calls
    export generated symbols, whose declarations are macro expansions."""
    if "TRACEPOINT" in macro:
        return [(f"__tracepoint_{name}", "data", f"extern struct tracepoint __tracepoint_{name};"),
                (f"__traceiter_{name}", "function", None),
                (f"__SCK__tp_func_{name}", "data", f"extern struct static_call_key __SCK__tp_func_{name};"),
                (f"__SCT__tp_func_{name}", "function", None)]
    if "STATIC_CALL" in macro:
        trampoline = (f"__SCT__{name}", "function", None)
        if "TRAMP" in macro:
            return [trampoline]
        return [(f"__SCK__{name}", "data", f"extern struct static_call_key __SCK__{name};"), trampoline]
    return [(name, None, None)]


def header_rank(path):
    """Which declaration wins when headers disagree: include/linux/, other include/, then arch."""
    return 0 if path.startswith("include/linux/") else 1 if path.startswith("include/") else 2


def indexed(name):
    """Whether a file of the tarball can define or declare what an x86-64 module imports."""
    arch = re.match(r"arch/([^/]+)/", name)
    if arch and (arch.group(1) != "x86" or re.search(r"_32\.[chS]\Z", name) or
                 name.startswith(("arch/x86/um/", "arch/x86/boot/", "arch/x86/tools/"))):
        return False
    return name.endswith((".c", ".S", ".h")) and \
        not name.startswith(("tools/", "Documentation/", "samples/", "scripts/", "usr/"))


def scan_sources(source, cache_dir, wanted):
    """{symbol: {exported, defined, declared, prototype, kind}} for the `wanted` symbols, from
    Linux's sources (the tarball or an extracted tree); cached in cache_dir."""
    signature = hashlib.sha256(f"{CACHE_VERSION}\n{' '.join(sorted(wanted))}\n".encode())
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file())
        for p in files:
            st = p.stat()
            signature.update(f"{p.relative_to(source)} {st.st_size} {st.st_mtime_ns}\n".encode())
    elif source.is_file():
        st = source.stat()
        signature.update(f"{source} {st.st_size} {st.st_mtime_ns}".encode())
    else:
        raise MaterialError(f"{source}: missing (Debian's linux-source-6.1; tools/setup-deps.sh installs it)")
    signature = signature.hexdigest()
    cache = cache_dir / "linux-symbols.json" if cache_dir else None
    if cache and cache.is_file():
        try:
            cached = json.loads(cache.read_text())
            if cached.get("signature") == signature:
                return cached["symbols"]
        except (ValueError, KeyError):
            pass
    print(f"coverage: indexing where Linux defines and declares {len(wanted):,} symbols, in {source} "
          "(once, under a minute)", file=sys.stderr)

    def members():
        if source.is_dir():
            for p in files:
                yield str(p.relative_to(source)), p.read_bytes
        else:
            try:
                with tarfile.open(source, "r|*") as tar:
                    for info in tar:
                        if info.isfile():
                            name = info.name.split("/", 1)[1] if "/" in info.name else info.name
                            yield name, (lambda t=tar, i=info: t.extractfile(i).read())
            except (tarfile.TarError, EOFError, OSError) as e:
                raise MaterialError(f"{source}: cannot read it as a tarball: {e}") from e

    exports, decls, defs, macro_sites, pasted = {}, {}, {}, {}, {}
    for name, read in members():
        if not indexed(name):
            continue
        data = read()
        if name.endswith(".h") and header_rank(name) < 2 or name.startswith("arch/x86/include/"):
            for symbol, found in declarations(name, data.decode("utf-8", "replace")).items():
                if symbol not in wanted:
                    continue
                old = decls.get(symbol)
                if old is None or (old[2] == "inline", header_rank(old[0])) > (found[2] == "inline", header_rank(name)):
                    decls[symbol] = found
        if b"EXPORT_" not in data:
            continue
        for m in PASTED_EXPORT.finditer(data):
            pasted.setdefault(m.group(1).decode(), f"{name}:{data.count(NEWLINE, 0, m.start()) + 1}")
        text = None
        for m in EXPORT.finditer(data):
            line = data.count(b"\n", 0, m.start()) + 1
            for symbol, kind, prototype in exported_names(m.group(1).decode(), m.group(2).decode()):
                if symbol not in wanted or symbol in exports:
                    continue
                exports[symbol] = f"{name}:{line}"
                if kind:
                    defs[symbol] = (f"{name}:{line}", prototype, kind)
                    continue
                if text is None:
                    text = data.decode("utf-8", "replace")
                found = definition(text, symbol, len(data[:m.start()].decode("utf-8", "replace")))
                if found:
                    defs[symbol] = (f"{name}:{found[0]}", found[1], found[2])
        if not name.endswith(".h"):
            for m in MACRO_SITE.finditer(data):
                symbol = m.group(1).decode()
                if symbol in wanted and symbol not in macro_sites:
                    macro_sites[symbol] = f"{name}:{data.count(NEWLINE, 0, m.start()) + 1}"
    symbols = {}
    for symbol in sorted(wanted):
        decl, define = decls.get(symbol), defs.get(symbol)
        best = decl if decl and decl[2] != "inline" else define or decl
        prefixes = [p for p in pasted if symbol.startswith(p)]
        symbols[symbol] = {
            "exported": exports.get(symbol) or (pasted[max(prefixes, key=len)] if prefixes else None),
            "defined": define[0] if define else None if symbol in exports else macro_sites.get(symbol),
            "declared": decl[0] if decl else None,
            "prototype": best[1] if best else None,
            "kind": best[2] if best else None,
        }
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"signature": signature, "symbols": symbols}))
        tmp.replace(cache)
    return symbols


# ---------------------------------------------------------------- the metric

def wanted_symbols(moduleset):
    """Every core symbol some module imports: what the worklist may ever list."""
    return {s for own in moduleset.own.values() for s in own if not is_toolchain(s)}


def percent(n, total):
    return f"{100.0 * n / total:.1f}%" if total else "-"


class Coverage:
    def __init__(self, moduleset, implemented, stubs, tiers):
        self.set = moduleset
        self.implemented = implemented - stubs
        self.stubs = stubs
        self.needs = {p: frozenset(moduleset.needs(p)) for p in moduleset.drivers}
        self.core = set().union(*self.needs.values()) if self.needs else set()
        self.t1 = {p for p, need in self.needs.items() if need <= self.implemented}
        with_stubs = self.implemented | self.stubs
        self.t1s = {p for p, need in self.needs.items() if need <= with_stubs}
        self.tiers = tiers

    def counts(self):
        rows = [("T1", len(self.t1)), ("T1s", len(self.t1s))]
        rows += [(t, len(self.tiers[t]) if self.tiers[t] is not None else None) for t in TIER_FILES]
        return rows

    def implemented_core(self):
        return len(self.implemented & self.core)

    def worklist(self):
        """[(symbol, drivers needing it, drivers it alone blocks, T1 once it and every symbol
        before it are implemented)], the most-needed first (ties by name)."""
        missing_needs = {p: need - self.implemented for p, need in self.needs.items() if p not in self.t1}
        importers = {}
        for need in missing_needs.values():
            for s in need:
                importers[s] = importers.get(s, 0) + 1
        order = sorted(importers, key=lambda s: (-importers[s], s))
        rank = {s: i for i, s in enumerate(order)}
        unlocked_at = sorted(max(rank[s] for s in need) + 1 for need in missing_needs.values())
        only = {}
        for need in missing_needs.values():
            if len(need) == 1:
                (s,) = need
                only[s] = only.get(s, 0) + 1
        rows = []
        for i, s in enumerate(order):
            rows.append((s, importers[s], only.get(s, 0), len(self.t1) + bisect.bisect_right(unlocked_at, i + 1)))
        return rows


def greedy_coverage(moduleset, points, count_toolchain):
    """The issue's check: from nothing implemented, the share of drivers covered by the
    N most-imported symbols (importers counted with dependencies)."""
    needs = [moduleset.needs(p, count_toolchain) for p in moduleset.drivers]
    importers = {}
    for need in needs:
        for s in need:
            importers[s] = importers.get(s, 0) + 1
    rank = {s: i for i, s in enumerate(sorted(importers, key=lambda s: (-importers[s], s)))}
    unlocked_at = sorted(max((rank[s] + 1 for s in need), default=0) for need in needs)
    return [(n, bisect.bisect_right(unlocked_at, n)) for n in points]


def figures(moduleset):
    drivers = moduleset.drivers
    lines = [f"modules: {len(moduleset.modules)}, of which driver modules (kernel/drivers/**.ko): {len(drivers)}"]
    for count_toolchain, label in ((True, "every undefined symbol no module exports (the issue's count)"),
                                   (False, "without the toolchain-provided symbols")):
        own = [{s for s in moduleset.own[p] if count_toolchain or not is_toolchain(s)} for p in drivers]
        full = [moduleset.needs(p, count_toolchain) for p in drivers]
        lines.append(f"{label}:")
        lines.append(f"  distinct core symbols imported by driver modules: {len(set().union(*own))} "
                     f"({len(set().union(*full))} with their dependencies)")
        lines.append(f"  median core imports per driver module: {statistics.median(len(o) for o in own):g} own, "
                     f"{statistics.median(len(f) for f in full):g} with the modules it depends on")
        greedy = greedy_coverage(moduleset, (500, 1000, 2000, 3000, 4000), count_toolchain)
        lines.append("  most-imported first: " + ", ".join(
            f"{n} symbols {percent(c, len(drivers))}" for n, c in greedy))
    return lines


def module_report(moduleset, coverage, names, sources):
    lines, union = [], set()
    paths = []
    for name in names:
        path = moduleset.find(name)
        if path is None:
            raise UsageError(f"--module {name}: not one of Debian's modules")
        paths.append(path)
        need = moduleset.needs(path)
        union |= need
        deps = sorted(moduleset.modules[q]["name"] for q in moduleset.closure(path) if q != path)
        missing = need - coverage.implemented
        lines.append(f"{path}: needs {len(need)} core symbols ({len(missing)} missing)"
                     + (f", with {', '.join(deps)}" if deps else ""))
    missing = sorted(union - coverage.implemented)
    if len(paths) > 1:
        lines.append(f"together: {len(union)} core symbols, {len(missing)} missing")
    for s in missing:
        info = sources.get(s, {}) if sources else {}
        lines.append(f"  {s:40} {info.get('defined') or info.get('exported') or '-':50} {info.get('prototype') or ''}")
    return lines


def driver_table(coverage):
    """The drivers that run, one a row, their hosted (T2, T3) and QEMU (T4, per
    firmware) results side by side."""
    def members(tier):
        return coverage.tiers.get(tier) or set()
    running = members("T2") | members("T3") | members("T4") | members("T4-bios") | members("T4-uefi")
    rows = ["| Driver module | T2 probes, hosted | T3 passes, hosted | T4 passes in QEMU, BIOS | T4 passes in QEMU, UEFI |",
            "|---|:-:|:-:|:-:|:-:|"]
    mark = lambda tier, path: "yes" if path in members(tier) else "-"
    for path in sorted(running, key=lambda p: coverage.set.modules[p]["name"]):
        rows.append(f"| {coverage.set.modules[path]['name']} | {mark('T2', path)} | {mark('T3', path)} | "
                    f"{mark('T4-bios', path)} | {mark('T4-uefi', path)} |")
    return rows if running else []


def tier_table(coverage, image):
    total = len(coverage.set.drivers)
    rows = ["| Tier | A driver module is in it when it | Modules | Share |", "|---|---|---:|---:|"]
    for tier, count in coverage.counts():
        if count is None:
            rows.append(f"| {tier} | {TIER_MEANING[tier]} | (no results yet) | |")
        else:
            rows.append(f"| {tier} | {TIER_MEANING[tier]} | {count:,} | {percent(count, total)} |")
    rows += [""] + driver_table(coverage) + [""]
    rows.append(f"Over the {total:,} driver modules (the .ko files under kernel/drivers/) of Debian's {image}; "
                f"{coverage.implemented_core():,} implemented core symbols of the {len(coverage.core):,} "
                f"they need, {len(coverage.stubs & coverage.core):,} generated stubs. "
                "Regenerate: `python3 tools/linux/coverage.py --readme README.md` "
                "([docs/linux-drivers.md](docs/linux-drivers.md#coverage-tiers-and-the-worklist)).")
    return rows


def rewrite_readme(path, rows):
    text = path.read_text(encoding="utf-8")
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise UsageError(f"--readme {path}: no '{README_BEGIN}' ... '{README_END}' block")
    new = text[:begin + len(README_BEGIN)] + "\n" + "\n".join(rows) + "\n" + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def write_worklist(path, rows, sources, total):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# The worklist (tools/linux/coverage.py): the missing core symbols, most-imported first.\n")
        f.write("# rank\tsymbol\tmodules needing it\tmodules it alone blocks\tT1 after implementing "
                "ranks 1..rank\tkind\tdefined at\texported at\tprototype\n")
        for i, (s, importers, only, cumulative) in enumerate(rows, 1):
            info = sources.get(s, {}) if sources is not None else {}
            f.write("\t".join([str(i), s, str(importers), str(only), f"{cumulative} ({percent(cumulative, total)})",
                               info.get("kind") or "-", info.get("defined") or "-", info.get("exported") or "-",
                               info.get("prototype") or "-"]) + "\n")


def print_worklist(rows, sources, total, limit):
    print(f"{'rank':>4} {'symbol':32} {'needed':>6} {'alone':>5} {'T1 after':>14}  defined at / prototype")
    for i, (s, importers, only, cumulative) in enumerate(rows[:limit], 1):
        info = sources.get(s, {}) if sources is not None else {}
        where = info.get("defined") or info.get("exported") or "-"
        print(f"{i:4} {s:32} {importers:6} {only:5} {cumulative:6} ({percent(cumulative, total):>6})  {where}")
        if info.get("prototype"):
            print(f"{'':68}{info['prototype']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build", help="the build tree (default build/)")
    parser.add_argument("--modules", type=pathlib.Path,
                        help="a folder of .ko files instead of Debian's image (drivers: its kernel/drivers/)")
    parser.add_argument("--no-fetch", action="store_true", help="never fetch Debian's image (exit 3 when missing)")
    parser.add_argument("--implemented", nargs="+", default=None, metavar="FILE|OBJ",
                        help="implemented symbols: objects/archives (their defined globals) or lists "
                             "(default: BUILD/linux/implemented.txt and BUILD/linux/implemented.d/*.txt, which the transformer writes)")
    parser.add_argument("--stubs", nargs="+", default=None, metavar="FILE|OBJ",
                        help="generated stubs, as above (default: BUILD/linux/stubs.txt and BUILD/linux/stubs.d/*.txt)")
    parser.add_argument("--tiers", type=pathlib.Path, help="folder of T2.txt/T3.txt/T4.txt (default BUILD/linux/tiers)")
    parser.add_argument("--readme", type=pathlib.Path, help="rewrite this file's linux-tiers block")
    parser.add_argument("--worklist", type=int, metavar="N", help="write the worklist, print its top N")
    parser.add_argument("--worklist-out", type=pathlib.Path, help="default BUILD/linux/worklist.txt")
    parser.add_argument("--source", type=pathlib.Path, default=LINUX_TARBALL,
                        help="Linux's sources for prototypes and definition sites: tarball or folder")
    parser.add_argument("--figures", action="store_true", help="print the metric's figures")
    parser.add_argument("--module", action="append", default=[], metavar="NAME",
                        help="print what this driver (and its dependencies) needs; repeatable")
    args = parser.parse_args(argv)
    if args.worklist is not None and args.worklist < 0:
        raise UsageError("--worklist N: N must be 0 or more")

    linux_dir = args.build / "linux"
    cache_dir = linux_dir / "cache"
    if args.modules:
        if not args.modules.is_dir():
            raise UsageError(f"--modules {args.modules}: no such folder")
        mod_dir, image = args.modules, f"modules in {args.modules}"
    else:
        image_dir = linux_dir / "image"
        if not (image_dir / ".stamp").is_file() or not args.no_fetch:
            if args.no_fetch:
                print(f"coverage: Debian's image is not in {image_dir}: run tools/linux/fetch-image.sh "
                      f"--out {image_dir}", file=sys.stderr)
                return EXIT_OFFLINE
            status = subprocess.run([str(FETCH_IMAGE), "--out", str(image_dir)], check=False,
                                    stdout=sys.stderr).returncode
            if status != 0:
                return status
        mod_dir = modules_dir(image_dir)
        stamp = (image_dir / ".stamp").read_text().split()
        image = f"`{stamp[3]}` {stamp[1]}"
    moduleset = ModuleSet(scan_modules(mod_dir, cache_dir))

    def default(paths, name):
        # BUILD/linux/NAME.txt, and every list in BUILD/linux/NAME.d/ (the
        # transformer writes one per driver program).
        if paths is not None:
            return paths
        found = [str(linux_dir / f"{name}.txt")] if (linux_dir / f"{name}.txt").is_file() else []
        if (linux_dir / f"{name}.d").is_dir():
            found += sorted(str(p) for p in (linux_dir / f"{name}.d").glob("*.txt"))
        return found

    implemented_paths = default(args.implemented, "implemented")
    stub_paths = default(args.stubs, "stubs")
    implemented, marked = read_symbols(implemented_paths, "--implemented")
    stubs, marked_too = read_symbols(stub_paths, "--stubs")
    stubs |= marked | marked_too
    tiers_dir = args.tiers or linux_dir / "tiers"
    tiers = {t: read_tier(tiers_dir, t, moduleset) for t in TIER_FILES}
    for firmware in ("bios", "uefi"):
        tiers[f"T4-{firmware}"] = read_tier_folder(tiers_dir / f"T4-{firmware}.d", moduleset)
    coverage = Coverage(moduleset, implemented, stubs, tiers)

    total = len(moduleset.drivers)
    print(f"Debian's driver modules: {total:,} ({image}); implemented: "
          f"{', '.join(implemented_paths) or 'none given'}; stubs: {', '.join(stub_paths) or 'none given'}")
    for tier, count in coverage.counts():
        shown = "no results file" if count is None else f"{count:6,} {percent(count, total):>6}"
        print(f"  {tier:4} {shown}   {TIER_MEANING[tier]}")
    print(f"  implemented core symbols: {coverage.implemented_core():,} of the {len(coverage.core):,} the drivers need "
          f"({len(coverage.implemented):,} implemented symbols given, {len(coverage.stubs & coverage.core):,} stubs)")
    if args.figures:
        print("\n".join(figures(moduleset)))
    for name in args.module:
        if moduleset.find(name) is None:
            raise UsageError(f"--module {name}: not one of the modules (a name like ne2k-pci, or a .ko path)")
    sources = None
    if args.worklist is not None or args.module:
        sources = scan_sources(args.source, cache_dir, wanted_symbols(moduleset))
    if args.module:
        print("\n".join(module_report(moduleset, coverage, args.module, sources)))
    if args.worklist is not None:
        rows = coverage.worklist()
        out = args.worklist_out or linux_dir / "worklist.txt"
        write_worklist(out, rows, sources, total)
        print(f"worklist: {len(rows):,} missing symbols, written to {out}")
        print_worklist(rows, sources, total, args.worklist)
    if args.readme:
        changed = rewrite_readme(args.readme, tier_table(coverage, image))
        print(f"{args.readme}: tiers block {'rewritten' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UsageError as e:
        print(f"coverage: {e}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except MaterialError as e:
        print(f"coverage: {e}", file=sys.stderr)
        sys.exit(EXIT_FAILED)
