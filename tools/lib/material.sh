# Shared by the scripts that fetch third-party sources from Debian at build time
# (tools/linux/fetch-material.sh, tools/net/fetch-lwip.sh): their command line,
# and their --check, which finds every unpacked file still as it was.
# Source it; it defines functions only.

# material_arguments SCRIPT "$@": sets `out` (--out DIR, required) and `check`
# (--check: 1), or exits 2 naming SCRIPT.
material_arguments() {
    local script=$1
    shift
    out=""
    check=0
    while (($#)); do
        case "$1" in
            --out) out="$2"; shift 2 ;;
            --check) check=1; shift ;;
            *) echo "$script: unknown argument '$1' (see the comment at its top)" >&2; exit 2 ;;
        esac
    done
    [[ -n "$out" ]] || { echo "$script: --out DIR is required" >&2; exit 2; }
}

# material_check SCRIPT LABEL WHAT: every file under $out/src still has the
# sha256 $out/SHA256SUMS logged; exits 0 saying so, or 1 (the changed files
# listed by sha256sum). LABEL starts the summary line, WHAT names the source.
material_check() {
    local script=$1 label=$2 what=$3
    [[ -f "$out/SHA256SUMS" ]] || { echo "$script: $out/SHA256SUMS missing: run without --check first" >&2; exit 1; }
    (cd "$out/src" && sha256sum --quiet -c ../SHA256SUMS) || {
        echo "$script: files under $out/src differ from what was unpacked from $what (listed above)" >&2
        exit 1
    }
    echo "$label: $(wc -l <"$out/SHA256SUMS") files, each unmodified (sha256 as unpacked from $what)"
    exit 0
}
