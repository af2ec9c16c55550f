#!/usr/bin/env bash
# Install the Debian 12 packages Axolotl needs, and only those that are missing.
#
#   tools/setup-deps.sh            install every group below that is missing
#   tools/setup-deps.sh --check    only report what is missing (exit 1 if anything is)
#   tools/setup-deps.sh --list     print the package names, one a line
#
# Idempotent and cheap when everything is installed: one dpkg-query, no apt-get
# update, no network. Runs apt-get as root, or through sudo when not root.
#
# This file is the one place the package list lives (the README points here).
# To add a group (for example the bare-metal tools), add one line to PACKAGE_GROUPS.
#
# Source packages (lwIP: tools/net/fetch-lwip.sh) come through `apt-get source`,
# which needs a deb-src entry: when the machine has none, this adds one for
# Debian's main archive (/etc/apt/sources.list.d/axolotl-deb-src.sources) and
# runs apt-get update once.
set -euo pipefail

# name:packages (space separated). One line per group.
PACKAGE_GROUPS=(
    "toolchain:build-essential cmake ninja-build pkg-config binutils"
    "libraries:libboost-context-dev libboost-fiber-dev libboost-dev libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev"
    "testing:libgtest-dev libgmock-dev googletest libbenchmark-dev valgrind"
    "fuzzing:clang-14 libclang-rt-14-dev"
    "scripts:python3 python3-matplotlib"
    "baremetal:qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf"
    "linux:linux-source-6.1 linux-headers-amd64"
    "sources:dpkg-dev"
)

log() { printf 'setup-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mode=install
case "${1-}" in
    "") ;;
    --check) mode=check ;;
    --list) mode=list ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
esac

packages=()
for group in "${PACKAGE_GROUPS[@]}"; do
    read -r -a names <<<"${group#*:}"
    packages+=("${names[@]}")
done

if [[ $mode == list ]]; then
    printf '%s\n' "${packages[@]}"
    exit 0
fi

command -v dpkg-query >/dev/null 2>&1 ||
    die "dpkg-query not found: this script supports Debian 12 (and derivatives) only"

# missing_from NAME...: print the names dpkg does not report as "install ok
# installed" (one dpkg-query for all of them).
missing_from() {
    local -A ok=()
    local name status
    while read -r name status; do
        [[ $status == "install ok installed" ]] && ok[$name]=1
    done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
    for name in "$@"; do
        [[ -n ${ok[$name]-} ]] || printf '%s\n' "$name"
    done
}

mapfile -t missing < <(missing_from "${packages[@]}")

# Any deb-src entry, one-line or deb822.
has_deb_src() {
    grep -Eqs '^[[:space:]]*deb-src[[:space:]]|^Types:.*deb-src' /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}
deb_src_missing=0
has_deb_src || deb_src_missing=1

if ((${#missing[@]} == 0 && deb_src_missing == 0)); then
    log "all ${#packages[@]} packages present, and a deb-src entry"
    exit 0
fi

((${#missing[@]} == 0)) || log "missing: ${missing[*]}"
((deb_src_missing == 0)) || log "missing: a deb-src entry (apt-get source lwip needs one)"
[[ $mode == check ]] && exit 1

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
    log "not root: using sudo (it may ask for your password)"
else
    die "need root to install packages, and sudo is not available.
  Run as root:   apt-get install ${missing[*]}
  or install sudo and run this again."
fi

if ((deb_src_missing)); then
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME-}")
    [[ -n $codename ]] || die "cannot tell the Debian release (VERSION_CODENAME in /etc/os-release) for its deb-src entry"
    log "adding a deb-src entry for Debian $codename (/etc/apt/sources.list.d/axolotl-deb-src.sources)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$codename" | "${sudo[@]}" tee /etc/apt/sources.list.d/axolotl-deb-src.sources >/dev/null ||
        die "could not write /etc/apt/sources.list.d/axolotl-deb-src.sources"
    if ((${#missing[@]} == 0)); then
        log "apt-get update"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || die "apt-get update failed"
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
if [[ ${CI-} == true || ! -t 0 ]]; then
    apt_opts+=(-o Dpkg::Use-Pty=0)
fi

log "apt-get update"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
    die "apt-get update failed"
log "apt-get install ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"

# Verify: a package name that apt resolved to something else would slip by.
mapfile -t still < <(missing_from "${missing[@]}")
((${#still[@]} == 0)) || die "still missing after install: ${still[*]}"
log "installed ${#missing[@]} package(s)"
