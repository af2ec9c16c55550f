#!/usr/bin/env python3
"""The transformer: makes an Axolotl driver program of an unmodified Linux driver.

    transformer.py build --spec linux_env/drivers/NAME.toml --material build/linux
                         --out build/linux/drivers/NAME --kit OBJ...

Given a driver spec (the Linux modules it is made of, as paths in Linux's tree
without .c), it:

1. finds each module's objects in its folder's Kbuild Makefile (`<mod>-objs`,
   `<mod>-y`, `<mod>-$(CONFIG_...)` lines, the condition read from Debian's
   configuration), else `<mod>.c`;
2. compiles them unmodified with Linux's headers and Debian's configuration,
   with the flags of linux_env/flags.txt, beside Linux's own core files
   (linux_env/core.txt) and the environment's C half (linux_env/emul/*.c).
   Each module's `init_module`/`cleanup_module`/`__this_module` are renamed
   per module on the command line (-D), so several modules link into one
   process without touching their source;
3. orders the modules as modprobe would load them: a module that uses a
   symbol another defines comes after it (the initcall order);
4. links everything with the C++ half (`--kit` objects) into one relocatable
   object and generates a stub, with its prototype from Linux's headers (GCC's
   -aux-info), for every symbol still unresolved: a stub that is called logs
   `linux: unimplemented <symbol> called from <driver>` and faults, so rs can
   act. Data symbols get zero-filled definitions (Linux's tracepoints and
   static keys are off when zero) and are listed apart;
5. gathers every writable section into two named ones (lx_data_<name>,
   lx_bss_<name>; the heap arena apart) so that the program can reset its data
   to the initial image at every start: a restarted driver starts as Linux
   loads a module, from scratch;
6. hides every symbol but the entry, so drivers and their copies of the
   environment never clash in the hosted binary, where all programs link
   into one executable;
7. writes program.cc (the AXL_PROGRAM that resets the data and enters the
   driver), unresolved.txt (the worklist of this driver: each stub with its
   prototype and where Linux defines it), glue.txt (hand-written vs generated
   lines) and snippet.toml (a [[device]] and [[process]] for a description).

Exit status: 0 built; 1 a step failed (the compiler's or linker's message is
shown); 2 bad arguments or a malformed spec (file:line: problem).
"""
import argparse
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINUX_ENV = ROOT / "linux_env"

# Symbols the final link provides: the Axolotl API (C++, namespace axl) and
# the few C library functions the compiler itself emits calls to.
EXTERNAL_PREFIXES = ("_ZN3axl", "__start_lx_", "__stop_lx_",
                     # a sanitizer's runtime, should an instrumented object slip in
                     "__tsan_", "__asan_", "__ubsan_", "__sanitizer_", "__sancov_", "__msan_")
EXTERNAL_SYMBOLS = {"memcpy", "memset", "memmove", "memcmp", "strlen", "_GLOBAL_OFFSET_TABLE_"}


def fail(message, status=1):
    print(f"transformer: {message}", file=sys.stderr)
    sys.exit(status)


def run(command, cwd=None):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        fail(f"failed: {' '.join(str(c) for c in command[:3])} ... (exit {result.returncode})")
    return result.stdout


def c_ident(text):
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def read_spec(path):
    try:
        with open(path, "rb") as f:
            spec = tomllib.load(f)
    except OSError as e:
        fail(f"{path}: {e.strerror}", 2)
    except tomllib.TOMLDecodeError as e:
        # tomllib says "(at line L, column C)" or "(at end of document)": file:line: problem.
        message = str(e)
        match = re.search(r" \(at line (\d+), column \d+\)$", message)
        if match:
            line = match.group(1)
        else:
            line = str(max(1, len(Path(path).read_text(errors="replace").splitlines())))
        problem = re.sub(r" \(at (line \d+, column \d+|end of document)\)$", "", message)
        fail(f"{path}:{line}: {problem}", 2)
    for key, kind in (("program", str), ("description", str), ("modules", list)):
        if not isinstance(spec.get(key), kind):
            fail(f"{path}: '{key}' is required ({kind.__name__})", 2)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", spec["program"]):
        fail(f"{path}: program '{spec['program']}': lower-case letters, digits and _ only", 2)
    return spec


def read_config(material):
    config = {}
    for line in (material / "config/include/config/auto.conf").read_text().splitlines():
        if line.startswith("CONFIG_") and "=" in line:
            key, value = line.split("=", 1)
            config[key] = value
    return config


def kbuild_objects(material, module, config):
    """The .c files of `module` (a path without .c) per its folder's Makefile."""
    folder, name = os.path.split(module)
    makefile = material / "src" / folder / "Makefile"
    objects = []
    if makefile.exists():
        text = makefile.read_text().replace("\\\n", " ")
        for line in text.splitlines():
            match = re.match(rf"^\s*{re.escape(name)}-(objs|y|\$\((CONFIG_\w+)\))\s*[:+]?=\s*(.*)$", line)
            if not match:
                continue
            if match.group(2) and config.get(match.group(2)) not in ("y", "m"):
                continue
            objects += [word for word in match.group(3).split() if word.endswith(".o")]
    if not objects:
        objects = [f"{name}.o"]
    sources = [f"{folder}/{obj[:-2]}.c" for obj in objects]
    for source in sources:
        if not (material / "src" / source).exists():
            fail(f"{source} (of module {module}) is not in the Linux material: add it to linux_env/manifest.txt")
    return sources


def compile_flags(material):
    flags = []
    for line in (LINUX_ENV / "flags.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            flags += line.split()
    src, cfg = material / "src", material / "config"
    return [f.replace("@SRC@", str(src)).replace("@CONFIG@", str(cfg)).replace("@ROOT@", str(ROOT)) for f in flags]


def compile_c(cc, flags, source, obj, modname, extra=(), aux=None):
    basename = c_ident(Path(source).stem)
    modfile = str(source).rsplit("/src/", 1)[-1].rsplit(".", 1)[0]
    command = [cc, *flags, f"-DKBUILD_MODNAME=\"{modname}\"", f"-DKBUILD_BASENAME=\"{basename}\"",
               f"-DKBUILD_MODFILE=\"{modfile}\"",
               f"-D__KBUILD_MODNAME=kmod_{modname}", *extra, "-c", str(source), "-o", str(obj)]
    if aux:
        command += ["-aux-info", str(aux)]
    run(command)


def symbols(nm, obj, defined):
    out = run([nm, "-P", "--defined-only" if defined else "--undefined-only", str(obj)])
    result = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            result[parts[0]] = parts[1]
    return result


def prototypes(aux_files):
    """name -> (prototype, where) from GCC's -aux-info output."""
    found = {}
    pattern = re.compile(r"^/\* (\S+):(\d+):\w+ \*/ (.*?\b(\w+) \(.*\));\s*$")
    for aux in aux_files:
        for line in Path(aux).read_text(errors="replace").splitlines():
            match = pattern.match(line)
            if match and match.group(4) not in found:
                found[match.group(4)] = (match.group(3), f"{match.group(1)}:{match.group(2)}")
    return found


def order_modules(modules, defined, undefined):
    """modprobe's order: dependencies first, otherwise as the spec lists them."""
    ordered, placed = [], set()
    while len(ordered) < len(modules):
        progress = False
        for module in modules:
            if module in placed:
                continue
            needs = {other for other in modules if other != module and other not in placed
                     and undefined[module] & defined[other]}
            if not needs:
                ordered.append(module)
                placed.add(module)
                progress = True
        if not progress:
            fail("the modules depend on each other in a cycle: " + ", ".join(m for m in modules if m not in placed))
    return ordered


def writable_sections(readelf, obj):
    """(progbits, nobits) names of the writable sections of a relocatable object."""
    out = run([readelf, "-SW", str(obj)])
    progbits, nobits = [], []
    for line in out.splitlines():
        match = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S*)", line)
        if not match:
            continue
        name, kind, flags = match.groups()
        if "W" not in flags or "A" not in flags:
            continue
        if name in (".init_array", ".fini_array", ".ctors", ".dtors", ".tm_clone_table", "__param") or \
                name.startswith(".bss.lx_arena"):
            continue
        (nobits if kind == "NOBITS" else progbits).append(name)
    return progbits, nobits


def absolute_in_read_only(readelf, obj):
    """Read-only data sections with absolute relocations: in a position-
    independent executable they would need the loader to write into read-only
    memory (DT_TEXTREL). Linux's patch tables (.parainstructions, __bug_table,
    ...) are such: the kernel's own linker places them at fixed addresses."""
    flags = {}
    for line in run([readelf, "-SW", str(obj)]).splitlines():
        match = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S*)", line)
        if match:
            flags[match.group(1)] = match.group(2)
    found, target, in_code = set(), None, []
    for line in run([readelf, "-rW", str(obj)]).splitlines():
        match = re.match(r"^Relocation section '\.rela(.*)' at", line)
        if match:
            target = match.group(1)
            continue
        if target and re.search(r"\bR_X86_64_(64|32|32S)\b", line):
            section_flags = flags.get(target, "")
            if "X" in section_flags:
                in_code.append(f"{target}: {line.split()[-3] if len(line.split()) >= 3 else line.strip()}")
            elif "A" in section_flags and "W" not in section_flags:
                found.add(target)
    if in_code:
        fail("code that names a symbol by its absolute address cannot run in a position-independent process "
             "(shadow the header that does it in linux_env/include/): " + "; ".join(sorted(set(in_code))[:10]))
    return sorted(found)


def stub_source(name, functions, known, includes, plain):
    """stubs.c's lines: each function with Linux's prototype, or, for those in
    `plain`, without one (its declaring header did not compile on its own)."""
    lines = ["/* Generated by tools/linux/transformer.py: the functions nothing in the",
             " * driver's link defines. Calling one logs and faults (lx_emul_unimplemented). */"]
    lines += [f"#include {inc}" for inc in includes]
    lines += ['#include "linux_env/kit/lx_kit.h"', ""]
    for symbol in functions:
        if symbol in plain:
            lines += [f"void {symbol}(void);  /* Linux's prototype: {known[symbol][0]} */", f"void {symbol}(void)"]
        else:
            prototype = known[symbol][0].replace("extern ", "", 1)
            tags = set(re.findall(r"\b(struct|union|enum) (\w+)", prototype))
            lines += [f"{kind} {tag};" for kind, tag in sorted(tags) if kind != "enum"]
            lines.append(prototype)
        lines += ["{", f"\tlx_emul_unimplemented(\"{symbol}\", \"{name}\");", "}", ""]
    return lines


def write_stubs(out, objdir, name, functions, known, includes, cc, flags):
    """Compiles stubs.c. A header that is not self-contained (it needs others
    first) makes the compiler fail at its #include: it is dropped, and the
    stubs it declared lose their prototype; then again, at most 20 times."""
    stubs_c, stubs_obj = out / "stubs.c", objdir / "stubs.o"
    includes, plain = list(includes), set()
    for _ in range(20):
        lines = stub_source(name, functions, known, includes, plain)
        stubs_c.write_text("\n".join(lines))
        result = subprocess.run([cc, *flags, "-DKBUILD_MODNAME=\"lx_stubs\"", "-DKBUILD_BASENAME=\"stubs\"",
                                 "-DKBUILD_MODFILE=\"stubs\"", "-w", "-c", str(stubs_c), "-o", str(stubs_obj)],
                                capture_output=True, text=True)
        if result.returncode == 0:
            return lines, stubs_obj
        bad_lines = {int(n) for n in re.findall(rf"{re.escape(str(stubs_c))}:(\d+)", result.stderr)}
        dropped = {lines[n - 1][len("#include "):] for n in bad_lines
                   if 0 < n <= len(lines) and lines[n - 1].startswith("#include ")}
        dropped -= {"<linux/kernel.h>", "<linux/module.h>"}
        if not dropped:
            sys.stderr.write(result.stderr)
            fail("the stubs did not compile")
        includes = [inc for inc in includes if inc not in dropped]
        for symbol in functions:
            where = known[symbol][1].rsplit(":", 1)[0]
            if any(where.endswith("/include/" + inc[1:-1]) or where == inc[1:-1] for inc in dropped):
                plain.add(symbol)
    fail("the stubs did not compile after dropping 20 headers")


def build(args):
    spec = read_spec(args.spec)
    material = Path(args.material).resolve()
    out = Path(args.out).resolve()
    objdir = out / "obj"
    objdir.mkdir(parents=True, exist_ok=True)
    name = spec["program"]
    config = read_config(material)
    flags = compile_flags(material)
    tools = {"cc": args.cc, "ld": args.ld, "nm": args.nm, "objcopy": args.objcopy, "readelf": args.readelf}

    # 1-2: the modules, Linux's core files, the C half.
    module_objects, module_sources, aux_files = {}, {}, []
    for module in spec["modules"]:
        modname = c_ident(Path(module).name)
        renames = [f"-Dinit_module=lx_module_init_{modname}", f"-Dcleanup_module=lx_module_exit_{modname}",
                   f"-D__this_module=lx_this_module_{modname}", "-DMODULE"]
        module_objects[module] = []
        module_sources[module] = kbuild_objects(material, module, config)
        for source in module_sources[module]:
            obj = objdir / (c_ident(source) + ".o")
            aux = obj.with_suffix(".aux")
            compile_c(tools["cc"], flags, material / "src" / source, obj, modname, renames, aux)
            module_objects[module].append(obj)
            aux_files.append(aux)
    core_objects = []
    core_sources = [line.split("#", 1)[0].strip() for line in (LINUX_ENV / "core.txt").read_text().splitlines()]
    # Linux's core files are the same for every driver: compiled once, into
    # the material's core/ folder, again only when the file, the flags or a
    # shadowed header is newer (several drivers may build at once: each
    # object appears by an atomic rename).
    core_dir = material / "core"
    core_dir.mkdir(exist_ok=True)
    inputs_changed = max([(LINUX_ENV / "flags.txt").stat().st_mtime] +
                         [p.stat().st_mtime for p in (LINUX_ENV / "include").rglob("*.h")] +
                         [(LINUX_ENV / "kit" / "lx_kit.h").stat().st_mtime])
    for source in filter(None, core_sources):
        obj = core_dir / (c_ident(source) + ".o")
        aux = obj.with_suffix(".aux")
        source_path = material / "src" / source
        if not obj.exists() or not aux.exists() or \
                obj.stat().st_mtime < max(inputs_changed, source_path.stat().st_mtime):
            partial = obj.with_name(f".{obj.stem}.{os.getpid()}.o")
            partial_aux = partial.with_suffix(".aux")
            compile_c(tools["cc"], flags, source_path, partial, c_ident(Path(source).stem), (), partial_aux)
            partial_aux.replace(aux)
            partial.replace(obj)
        core_objects.append(obj)
        aux_files.append(aux)
    emul_objects = []
    for source in sorted((LINUX_ENV / "emul").glob("*.c")):
        obj = objdir / ("emul_" + source.stem + ".o")
        compile_c(tools["cc"], flags, source, obj, "lx_emul", ("-Wall", "-Werror", "-Wno-unused-function"))
        emul_objects.append(obj)
    for source in sorted((LINUX_ENV / "emul").glob("*.S")):
        obj = objdir / ("emul_" + source.stem + "_S.o")
        run([tools["cc"], "-c", str(source), "-o", str(obj)])
        emul_objects.append(obj)

    # 3: the load order.
    defined = {m: set().union(*(symbols(tools["nm"], o, True).keys() for o in objs)) for m, objs in module_objects.items()}
    undefined = {m: set().union(*(symbols(tools["nm"], o, False).keys() for o in objs)) for m, objs in module_objects.items()}
    ordered = order_modules(spec["modules"], defined, undefined)

    # The entry: the module table (only the inits and exits a module has).
    entry_c = out / "entry.c"
    lines = ["/* Generated by tools/linux/transformer.py: the driver's modules in load order. */",
             "#include <linux/module.h>", '#include "linux_env/kit/lx_kit.h"', ""]
    table = []
    for module in ordered:
        modname = c_ident(Path(module).name)
        init = f"lx_module_init_{modname}" if f"lx_module_init_{modname}" in defined[module] else None
        exit_ = f"lx_module_exit_{modname}" if f"lx_module_exit_{modname}" in defined[module] else None
        if init:
            lines.append(f"int {init}(void);")
        if exit_:
            lines.append(f"void {exit_}(void);")
        lines.append(f"struct module lx_this_module_{modname} = {{ .name = \"{modname}\" }};")
        table.append(f"\t{{ \"{modname}\", {init or '0'}, {exit_ or '0'} }},")
    lines += ["", "static const struct lx_emul_module lx_modules[] = {", *table, "};", "",
              "/* The modules' kernel_param records: their __param sections, gathered by sections.ld. */",
              f"extern const struct kernel_param __start_lx_param_{name}[], __stop_lx_param_{name}[];", "",
              f"int lx_driver_main_{name}(const char *params)", "{",
              f"\tconst struct lx_emul_params module_params = {{ params, __start_lx_param_{name}, __stop_lx_param_{name} }};",
              "",
              f"\treturn lx_kit_run(\"{name}\", lx_modules, {len(table)}, &module_params);", "}", ""]
    entry_c.write_text("\n".join(lines))
    entry_obj = objdir / "entry.o"
    compile_c(tools["cc"], flags, entry_c, entry_obj, "lx_entry")

    # 4: link, then a stub for every symbol still unresolved.
    all_objects = [o for m in ordered for o in module_objects[m]] + core_objects + emul_objects + [entry_obj] + \
        [Path(k) for k in args.kit]
    first = out / "first.o"
    run([tools["ld"], "-r", "-o", str(first), *map(str, all_objects)])
    missing = sorted(s for s in symbols(tools["nm"], first, False)
                     if s not in EXTERNAL_SYMBOLS and not s.startswith(EXTERNAL_PREFIXES))
    known = prototypes(aux_files)
    # Each stub's prototype comes with the header that declares it (where
    # -aux-info found the declaration), so its types are Linux's own.
    includes = ["<linux/kernel.h>", "<linux/module.h>"]
    for symbol in missing:
        if symbol not in known:
            continue
        where = known[symbol][1].rsplit(":", 1)[0]
        marker = where.rfind("/include/")
        header = f"<{where[marker + len('/include/'):]}>" if marker >= 0 else f'"{where}"'
        if where.endswith(".h") and header not in includes:
            includes.append(header)
    functions = [symbol for symbol in missing if symbol in known]
    data = [symbol for symbol in missing if symbol not in known]
    stub_lines, stubs_obj = write_stubs(out, objdir, name, functions, known, includes, tools["cc"], flags)
    # Data symbols apart, with no Linux header in sight: their declared types
    # do not matter for an object that is only ever zero.
    data_lines = ["/* Generated by tools/linux/transformer.py: data symbols nothing in the",
                  " * driver's link defines, zero-filled (Linux's tracepoints and static keys",
                  " * are off when zero; anything else shows in unresolved.txt). */"]
    data_lines += [f"char {symbol}[256] __attribute__((aligned(64)));" for symbol in data]
    data_c = out / "data_stubs.c"
    data_c.write_text("\n".join(data_lines) + "\n")
    data_obj = objdir / "data_stubs.o"
    run([tools["cc"], "-fPIE", "-O2", "-c", str(data_c), "-o", str(data_obj)])
    stub_lines += data_lines

    # 5-6: one object, writable sections named for the reset, one global entry.
    linked = out / "linked.o"
    run([tools["ld"], "-r", "-o", str(linked), str(first), str(stubs_obj), str(data_obj)])
    fix = absolute_in_read_only(tools["readelf"], linked)
    if fix:
        run([tools["objcopy"], *[f"--set-section-flags={name}=alloc,load,contents,data" for name in fix], str(linked)])
    progbits, nobits = writable_sections(tools["readelf"], linked)
    script = out / "sections.ld"
    patterns = lambda names: " ".join(f"*({n})" for n in names)
    script.write_text(
        "/* Generated by tools/linux/transformer.py: the driver's writable data in two sections. */\n"
        f"SECTIONS {{\n  lx_data_{name} : {{ {patterns(progbits)} }}\n"
        f"  lx_bss_{name} (NOLOAD) : {{ {patterns(nobits)} }}\n"
        f"  lx_arena_{name} (NOLOAD) : {{ *(.bss.lx_arena) }}\n"
        f"  lx_param_{name} : {{ *(__param) }}\n}}\n")
    final = out / f"{name}.o"
    run([tools["ld"], "-r", "-T", str(script), "-o", str(final), str(linked)])
    # COMDAT groups go too: an inline function the C++ half shares with the rest of
    # the binary (axl::to_string) would otherwise be one group, kept from whichever
    # object comes first, and this object's now-local references would point into
    # a discarded copy.
    run([tools["objcopy"], f"--keep-global-symbol=lx_driver_main_{name}", "--remove-section=.group", str(final)])
    sizes = run([tools["readelf"], "-SW", str(final)])
    data_size = 0
    for line in sizes.splitlines():
        match = re.match(rf"^\s*\[\s*\d+\]\s+lx_data_{name}\s+\S+\s+\S+\s+\S+\s+(\S+)", line)
        if match:
            data_size = int(match.group(1), 16)

    # For tools/linux/coverage.py: the symbols the environment implements (the
    # global definitions of Linux's core files and the C half, before they
    # are hidden) and the ones this driver needed stubs for.
    implemented = set(EXTERNAL_SYMBOLS - {"_GLOBAL_OFFSET_TABLE_"})  # the C library's, which the process links
    for obj in core_objects + emul_objects:
        implemented |= set(symbols(tools["nm"], obj, True).keys())
    for kind, names in (("implemented", sorted(implemented)), ("stubs", functions + data)):
        folder = material / f"{kind}.d"
        folder.mkdir(exist_ok=True)
        temporary = folder / f".{name}.tmp"
        temporary.write_text("".join(f"{symbol}\n" for symbol in names))
        temporary.replace(folder / f"{name}.txt")

    # 7: the program, the worklist, the glue budget, the description snippet.
    (out / "program.cc").write_text(PROGRAM_TEMPLATE.format(name=name, description=spec["description"].replace('"', '\\"'),
                                                         data_size=max(data_size, 1)))
    worklist = [f"# {name}: {len(functions)} function stubs, {len(data)} zero-filled data symbols"]
    for symbol in functions:
        worklist.append(f"{symbol}\t{known[symbol][1]}\t{known[symbol][0]}")
    for symbol in data:
        worklist.append(f"{symbol}\t(data)\t")
    (out / "unresolved.txt").write_text("\n".join(worklist) + "\n")
    emul_lines = sum(len(p.read_text().splitlines()) for p in sorted((LINUX_ENV / "emul").glob("*.[cS]")))
    kit_lines = sum(len(p.read_text().splitlines()) for p in (LINUX_ENV / "kit").glob("*"))
    header_lines = sum(len(p.read_text().splitlines()) for p in (LINUX_ENV / "include").rglob("*.h"))
    linux_files = sorted({s for objs in module_sources.values() for s in objs} | set(filter(None, core_sources)))
    (out / "glue.txt").write_text(
        f"driver {name}\n"
        f"linux files, unmodified      {len(linux_files)}\n"
        f"hand-written lines, C half   {emul_lines}\n"
        f"hand-written lines, C++ half {kit_lines}\n"
        f"hand-written lines, headers  {header_lines}\n"
        f"generated lines (stubs, entry) {len(stub_lines) + len(lines)}\n"
        f"generated stubs              {len(functions)} functions, {len(data)} data\n")
    snippet = spec.get("snippet", "")
    (out / "snippet.toml").write_text(f"# Generated for {name}: a [[device]] and [[process]] to start from.\n{snippet}")
    print(f"transformer: {name}: {len(ordered)} module(s) ({', '.join(Path(m).name for m in ordered)}), "
          f"{len(linux_files)} Linux files, {len(functions)} stubs, {len(data)} data stubs -> {final}")


PROGRAM_TEMPLATE = """// Generated by tools/linux/transformer.py. The Axolotl program of a Linux driver:
// it puts the driver's data back to its initial image, then enters the driver
// (linux_env/kit/driver_loop.cc). A restarted driver so starts as Linux loads a
// module: from scratch, with nothing left of the incarnation that died.
#include <cstddef>
#include <cstring>

#include "kernel/api/ipc.h"
#include "kernel/api/program.h"

extern "C" {{
extern unsigned char __start_lx_data_{name}[], __stop_lx_data_{name}[];
extern unsigned char __start_lx_bss_{name}[], __stop_lx_bss_{name}[];
int lx_driver_main_{name}(const char* params);
}}

namespace {{

// The data as the loader left it, kept before the driver's first instruction.
unsigned char initial_data[{data_size}];
bool initial_data_kept = false;

}}  // namespace

constexpr axl::ProgramOption params_option = axl::string_option(
    "params", "", "Linux module parameters, as insmod takes them: \\"heartbeat=10 nowayout=1\\"");

AXL_PROGRAM({name}, "{description}", params_option) {{
    const size_t data_bytes = static_cast<size_t>(__stop_lx_data_{name} - __start_lx_data_{name});
    static_assert(sizeof(initial_data) > 0);
    if (data_bytes > sizeof(initial_data)) return 3;  // the object changed after this file was generated
    if (!initial_data_kept) {{
        std::memcpy(initial_data, __start_lx_data_{name}, data_bytes);
        initial_data_kept = true;
    }} else {{
        std::memcpy(__start_lx_data_{name}, initial_data, data_bytes);
    }}
    std::memset(__start_lx_bss_{name}, 0, static_cast<size_t>(__stop_lx_bss_{name} - __start_lx_bss_{name}));
    return lx_driver_main_{name}(axl::arg_string(params_option.name, params_option.string_default));
}}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build a driver program from its spec")
    b.add_argument("--spec", required=True)
    b.add_argument("--material", required=True, help="the Linux material (build/linux)")
    b.add_argument("--out", required=True)
    b.add_argument("--kit", nargs="*", default=[], help="the C++ half's objects")
    b.add_argument("--cc", default="gcc-12")
    b.add_argument("--ld", default="ld")
    b.add_argument("--nm", default="nm")
    b.add_argument("--objcopy", default="objcopy")
    b.add_argument("--readelf", default="readelf")
    args = parser.parse_args()
    if args.command == "build":
        build(args)


if __name__ == "__main__":
    main()
