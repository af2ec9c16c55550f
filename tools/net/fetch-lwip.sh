#!/usr/bin/env bash
# lwIP, fetched from Debian, never committed (issue 17: the inet server is built on
# it, as MINIX 3's network service is).
#
#   tools/net/fetch-lwip.sh --out DIR           fetch Debian's lwip source package with
#                                               apt-get source into DIR/download, unpack it
#                                               into DIR/src, log the evidence and sha256s
#   tools/net/fetch-lwip.sh --out DIR --check   every unpacked file still has its logged sha256
#
# The source is Debian's own source package (deb-src; tools/setup-deps.sh adds the
# entry when the machine has none): apt-get checks the .dsc, the upstream tarball
# and Debian's patches against the signed Sources index before it saves them.
# DIR/material.log records the version and each file's sha256 beside the one the
# signed index gives (apt-cache showsrc), and DIR/SHA256SUMS lists every unpacked
# file. Cached: a second run with the same version does nothing.
set -euo pipefail

package=lwip
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tools/lib/material.sh"
material_arguments fetch-lwip.sh "$@"
((check)) && material_check fetch-lwip.sh "lwip material" "Debian's $package"

# The version the signed Sources index offers, and its sha256 for each file.
index=$(apt-cache showsrc "$package" 2>/dev/null || true)
version=$(awk '/^Version:/ { print $2; exit }' <<<"$index")
if [[ -z "$version" ]]; then
    echo "fetch-lwip.sh: apt knows no source package '$package': the machine has no deb-src entry" \
         "(tools/setup-deps.sh adds one, then runs apt-get update)" >&2
    exit 1
fi
stamp="$out/.stamp"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$version" && -f "$out/SHA256SUMS" ]]; then
    exit 0
fi

rm -rf "$out/download" "$out/src" "$out/SHA256SUMS" "$out/material.log" "$stamp"
mkdir -p "$out/download"
(cd "$out/download" && apt-get source --download-only -qq "$package=$version" >/dev/null 2>&1) || {
    echo "fetch-lwip.sh: apt-get source $package=$version failed (offline? run it by hand to see why)" >&2
    exit 1
}
dsc=$(ls "$out/download"/*.dsc)
{
    echo "source package $package $version, from the signed Sources index (apt-get source checked each file)"
    # Each downloaded file's sha256 beside the index's own.
    for file in "$out/download"/*; do
        name=$(basename "$file")
        now=$(sha256sum "$file" | cut -d' ' -f1)
        listed=$(awk -v f="$name" '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && $3 == f { print $1; exit }' <<<"$index")
        [[ "$now" == "$listed" ]] || { echo "fetch-lwip.sh: $name has sha256 $now, the signed index says '$listed'" >&2; exit 1; }
        echo "$name sha256 $now (the signed index: equal)"
    done
} >"$out/material.log"
# Unpacked as Debian builds it: the upstream tarball with Debian's patches applied.
dpkg-source --no-check -x "$dsc" "$out/src" >/dev/null
(cd "$out/src" && find . -type f ! -path './.pc/*' -print0 | sort -z | xargs -0 sha256sum) >"$out/SHA256SUMS"
echo "$version" >"$stamp"
echo "lwip material: $(wc -l <"$out/SHA256SUMS") files of Debian's $package $version unpacked into $out/src (log: $out/material.log)"
