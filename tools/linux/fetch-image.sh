#!/usr/bin/env bash
# Debian's Linux 6.1 driver modules, the coverage metric's input (issue 15;
# docs/linux-drivers.md, "Coverage tiers and the worklist").
#
#   tools/linux/fetch-image.sh --out DIR          fetch and extract (cached: a second run does nothing)
#   tools/linux/fetch-image.sh --out DIR --check  every extracted file still has its logged sha256
#
# The package is linux-image-6.1.0-<abi>-amd64 at the version of the installed
# linux-source-6.1 (the one the Linux material comes from), the package Debian's
# linux-image-amd64 of that version depends on. It is fetched with
# `apt-get download` (apt's own sources; nothing else is downloaded) into DIR and
# checked against the SHA256 of Debian's signed archive index (apt-cache show).
# Only the modules (*.ko; Debian 6.1 ships them uncompressed), the
# lib/modules/*/modules.* lists and the kernel's boot/config-* are extracted,
# into DIR/root. DIR/SHA256SUMS lists every extracted file, DIR/image.log the
# evidence. The .deb stays in DIR, so the extraction can be redone offline.
#
# Exit status: 0 done, 1 the check failed (a sha256 differs), 2 bad arguments,
# 3 the package could not be fetched (no network, no archive index, the version
# left the archive): the caller may skip rather than fail.
set -euo pipefail

source_package=linux-source-6.1
out=""
check=0
while (($#)); do
    case "$1" in
        --out) out="${2-}"; shift 2 || { echo "fetch-image.sh: --out needs a folder" >&2; exit 2; } ;;
        --check) check=1; shift ;;
        *) echo "fetch-image.sh: unknown argument '$1' (see the comment at its top)" >&2; exit 2 ;;
    esac
done
[[ -n "$out" ]] || { echo "fetch-image.sh: --out DIR is required" >&2; exit 2; }

if ((check)); then
    [[ -f "$out/SHA256SUMS" ]] || { echo "fetch-image.sh: $out/SHA256SUMS missing: run without --check first" >&2; exit 1; }
    (cd "$out/root" && sha256sum --quiet -c ../SHA256SUMS) || {
        echo "fetch-image.sh: files under $out/root differ from what was extracted (listed above)" >&2
        exit 1
    }
    echo "linux image: $(wc -l <"$out/SHA256SUMS") files, each as extracted ($(head -1 "$out/image.log"))"
    exit 0
fi

version=$(dpkg-query -W -f='${Version}' "$source_package" 2>/dev/null || true)
if [[ -z "$version" ]]; then
    echo "fetch-image.sh: $source_package is not installed (tools/setup-deps.sh installs it): its version selects the image" >&2
    exit 3
fi
if [[ -f "$out/.stamp" && -f "$out/SHA256SUMS" ]] && grep -qx "version $version .*" "$out/.stamp"; then
    echo "linux image: cached in $out ($(cut -d' ' -f4 "$out/.stamp") $version, $(grep -c '\.ko$' "$out/SHA256SUMS") modules)"
    exit 0
fi

# The ABI package (linux-image-6.1.0-57-amd64 for 6.1.192-3): what the
# metapackage of the same version depends on.
package=$(apt-cache show --no-all-versions "linux-image-amd64=$version" 2>/dev/null |
          sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\) (= [^)]*).*/\1/p' | head -1)
if [[ -z "$package" ]]; then
    echo "fetch-image.sh: apt knows no linux-image-amd64 $version (the installed $source_package's version);" \
         "run 'apt-get update', or the version has left the archive" >&2
    exit 3
fi
archive_sha256=$(apt-cache show --no-all-versions "$package=$version" | awk '/^SHA256:/ { print $2; exit }')
[[ -n "$archive_sha256" ]] || { echo "fetch-image.sh: the archive index gives no SHA256 for $package $version" >&2; exit 3; }

mkdir -p "$out"
deb="$out/${package}_${version}_amd64.deb"
if [[ ! -f "$deb" || "$(sha256sum "$deb" | cut -d' ' -f1)" != "$archive_sha256" ]]; then
    rm -f "$deb"
    echo "linux image: fetching $package $version with apt-get download (about 70 MB, once)"
    if ! (cd "$out" && apt-get download -q "$package=$version" 2>&1 | { grep -v '^W: Download is performed unsandboxed' || true; }); then
        echo "fetch-image.sh: 'apt-get download $package=$version' failed (offline?)" >&2
        exit 3
    fi
fi
[[ -f "$deb" ]] || { echo "fetch-image.sh: apt-get download left no $deb" >&2; exit 3; }
deb_sha256=$(sha256sum "$deb" | cut -d' ' -f1)
if [[ "$deb_sha256" != "$archive_sha256" ]]; then
    echo "fetch-image.sh: $deb has sha256 $deb_sha256, but Debian's archive index says $archive_sha256" >&2
    exit 1
fi

rm -rf "$out/root" "$out/.stamp" "$out/SHA256SUMS" "$out/imports.json"
mkdir -p "$out/root"
dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$out/root" --wildcards './lib/modules/*.ko' './lib/modules/*/modules.*' './boot/config-*'
(cd "$out/root" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) >"$out/SHA256SUMS"
modules=$(grep -c '\.ko$' "$out/SHA256SUMS")
{
    echo "package        $package $version"
    echo "deb            $(basename "$deb")"
    echo "deb sha256     $deb_sha256 (equal to Debian's signed archive index)"
    echo "source         $source_package $version (the Linux material's package)"
    echo "extracted      $(wc -l <"$out/SHA256SUMS") files into root/: $modules modules (*.ko), modules.*, boot/config-*"
    echo "files          sha256 of each in SHA256SUMS"
} >"$out/image.log"
echo "version $version package $package deb $deb_sha256" >"$out/.stamp"
echo "linux image: $package $version: $modules modules extracted into $out/root (log: $out/image.log)"
