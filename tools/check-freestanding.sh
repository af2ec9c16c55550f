#!/usr/bin/env bash
# Freestanding checks for the portable kernel (kernel/ + ipc_strategies/).
#
#   tools/check-freestanding.sh OBJECT ALLOWLIST [SOURCE_OBJECT...]
#       List the undefined symbols of OBJECT (a relocatable object, `ld -r` of the
#       kernel objects) with `nm -u` and fail, listing each one, if any is not on
#       ALLOWLIST. Names are shown demangled (c++filt) and mangled. With the
#       per-source objects given too, it also says which of them use each symbol.
#
#   tools/check-freestanding.sh --headers SRCROOT ALLOWED_HEADERS
#       Scan every source and header under SRCROOT/kernel (except kernel/arch/) and
#       SRCROOT/ipc_strategies for #include lines, and fail, listing file:line, on
#       each one whose header is not on ALLOWED_HEADERS.
#
# Both list files: one entry per line, '#' starts a comment, blank lines ignored.
#   ALLOWLIST entries are symbol names or shell glob patterns, matched against the
#     mangled and the demangled name (e.g. memcpy, axl::platform::*).
#   ALLOWED_HEADERS entries are written as they appear in the #include:
#     <cstdint>, <boost/lockfree/*>, "kernel/*" (globs allowed); an entry starting
#     with '!' forbids what it matches even if another entry allows it.
#
# Exit status: 0 clean, 1 violations found, 2 usage or tool error.
set -euo pipefail

prog=check-freestanding
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 2; }

# read_list FILE: print the entries of FILE (comments, blanks and outer spaces stripped).
read_list() {
    local line
    [[ -r $1 ]] || die "cannot read list file '$1'"
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%%#*}
        line=${line#"${line%%[![:space:]]*}"}
        line=${line%"${line##*[![:space:]]}"}
        [[ -n $line ]] && printf '%s\n' "$line"
    done <"$1"
}

# matches NAME PATTERN...: true if NAME matches one of the glob patterns.
matches() {
    local name=$1 pattern
    shift
    for pattern in "$@"; do
        # shellcheck disable=SC2053  # $pattern is a glob on purpose
        [[ $name == $pattern ]] && return 0
    done
    return 1
}

check_headers() {
    local root=$1 list=$2
    [[ -d $root/kernel ]] || die "'$root' has no kernel/ directory"
    local -a entries allowed=() denied=()
    mapfile -t entries < <(read_list "$list")
    local entry
    for entry in "${entries[@]}"; do
        if [[ $entry == '!'* ]]; then denied+=("${entry#!}"); else allowed+=("$entry"); fi
    done

    local -a files=()
    local dirs=("$root/kernel")
    [[ -d $root/ipc_strategies ]] && dirs+=("$root/ipc_strategies")
    mapfile -t files < <(find "${dirs[@]}" -path "$root/kernel/arch" -prune -o -type f \
        \( -name '*.h' -o -name '*.hh' -o -name '*.hpp' -o -name '*.cc' -o -name '*.cpp' \
        -o -name '*.inc' -o -name '*.ipp' \) -print | LC_ALL=C sort)

    local bad=0 file lineno text header rel
    local include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*(<[^>]+>|"[^"]+")'
    for file in "${files[@]}"; do
        rel=${file#"$root"/}
        # "NNN:   #  include <x>  // ..." for every include directive in the file.
        while IFS=: read -r lineno text; do
            if [[ $text =~ $include_re ]]; then
                header=${BASH_REMATCH[1]}
                if ! matches "$header" "${denied[@]}" && matches "$header" "${allowed[@]}"; then
                    continue
                fi
            else
                header=${text#*include}  # computed include: never allowed
            fi
            printf '%s:%s: include not allowed in the freestanding kernel: %s\n' "$rel" "$lineno" "$header"
            bad=$((bad + 1))
        done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$file" || true)
    done

    if ((bad)); then
        printf '%s: FAILED: %d include(s) not on %s.\n' "$prog" "$bad" "$list"
        printf '  kernel/ may include only freestanding C++ headers and kernel/ headers (docs/architecture.md);\n'
        printf '  extend the list only with a header that needs no hosted runtime.\n'
        return 1
    fi
    printf '%s: headers OK (%d files scanned)\n' "$prog" "${#files[@]}"
}

check_symbols() {
    local object=$1 list=$2
    [[ -r $object ]] || die "cannot read object '$object'"
    command -v nm >/dev/null || die "nm not found (install binutils)"
    command -v c++filt >/dev/null || die "c++filt not found (install binutils)"
    local -a allowed
    mapfile -t allowed < <(read_list "$list")

    local -a mangled demangled
    mapfile -t mangled < <(nm -u --format=just-symbols "$object" | LC_ALL=C sort -u)
    if ((${#mangled[@]} == 0)); then
        printf '%s: symbols OK (no undefined symbols)\n' "$prog"
        return 0
    fi
    mapfile -t demangled < <(printf '%s\n' "${mangled[@]}" | c++filt)
    ((${#demangled[@]} == ${#mangled[@]})) || die "c++filt returned a different number of names"

    # With the per-source objects: which of them reference each symbol.
    local -A users=()
    local file sym
    if (($# > 2)); then
        while read -r file _ sym; do
            file=${file%:}
            file=${file#*/obj/}  # build/freestanding/obj/kernel/x.cc.o -> kernel/x.cc
            users[$sym]+="${users[$sym]:+, }${file%.o}"
        done < <(nm -A -u "${@:3}" 2>/dev/null || true)
    fi

    local i bad=() okcount=0 line
    for i in "${!mangled[@]}"; do
        if matches "${mangled[$i]}" "${allowed[@]}" || matches "${demangled[$i]}" "${allowed[@]}"; then
            okcount=$((okcount + 1))
            continue
        fi
        line="  ${demangled[$i]}"
        [[ ${mangled[$i]} == "${demangled[$i]}" ]] || line+="   [${mangled[$i]}]"
        [[ -z ${users[${mangled[$i]}]-} ]] || line+="   used by: ${users[${mangled[$i]}]}"
        bad+=("$line")
    done

    if ((${#bad[@]})); then
        printf '%s: FAILED: %s has %d undefined symbol(s) not on %s:\n' \
            "$prog" "$object" "${#bad[@]}" "$list"
        printf '%s\n' "${bad[@]}"
        printf '  The kernel must not need the C/C++ runtime (no heap, exceptions, RTTI, stdio,\n'
        printf '  atexit, ...): remove the use, or, if the kernel provides the symbol itself on\n'
        printf '  bare metal, add it to the allow-list with a comment saying where.\n'
        return 1
    fi
    printf '%s: symbols OK (%d undefined, all on the allow-list)\n' "$prog" "$okcount"
}

case "${1-}" in
    --headers)
        (($# == 3)) || die "usage: $0 --headers SRCROOT ALLOWED_HEADERS"
        check_headers "$2" "$3"
        ;;
    -h|--help)
        sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
        ;;
    *)
        (($# >= 2)) || die "usage: $0 OBJECT ALLOWLIST [SOURCE_OBJECT...] | $0 --headers SRCROOT ALLOWED_HEADERS"
        check_symbols "$@"
        ;;
esac
