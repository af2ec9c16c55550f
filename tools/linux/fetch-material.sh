#!/usr/bin/env bash
# The Linux material, fetched, never committed (issue 15; docs/linux-drivers.md).
#
#   tools/linux/fetch-material.sh --out DIR     extract linux_env/manifest.txt's paths from
#                                               Debian's linux-source-6.1 into DIR/src, log sha256s
#   tools/linux/fetch-material.sh --out DIR --check
#                                               every extracted file still has its logged sha256
#
# The source is the tarball Debian's linux-source-6.1 package installs
# (tools/setup-deps.sh, group "linux"; nothing else is downloaded). Evidence that
# it is unmodified, written to DIR/material.log: the package's version and the
# SHA256 of its .deb from the signed archive index (apt-cache), the tarball's
# md5 as dpkg recorded it at install time against the md5 computed now, and the
# tarball's sha256. DIR/SHA256SUMS then lists every extracted file. Cached: a
# second run with the same tarball and manifest does nothing.
set -euo pipefail

package=linux-source-6.1
tarball=/usr/src/linux-source-6.1.tar.xz
prefix=linux-source-6.1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
manifest="$root/linux_env/manifest.txt"
source "$root/tools/lib/material.sh"
material_arguments fetch-material.sh "$@"
((check)) && material_check fetch-material.sh "linux material" "$package"

if [[ ! -f "$tarball" ]]; then
    echo "fetch-material.sh: $tarball is missing: install Debian's $package (tools/setup-deps.sh installs it)" >&2
    exit 1
fi

# Debian's own record of the tarball, from when dpkg installed it.
md5_recorded=$(awk -v f="usr/src/$package.tar.xz" '$2 == f { print $1 }' "/var/lib/dpkg/info/$package.md5sums")
md5_now=$(md5sum "$tarball" | cut -d' ' -f1)
if [[ "$md5_recorded" != "$md5_now" ]]; then
    echo "fetch-material.sh: $tarball has md5 $md5_now, but dpkg installed it with md5 $md5_recorded: it was changed" >&2
    exit 1
fi
sha256_tarball=$(sha256sum "$tarball" | cut -d' ' -f1)
manifest_sha256=$(sha256sum "$manifest" | cut -d' ' -f1)

# The configuration the sources are compiled with: Debian's own, from the
# configured headers package of the same version (linux-headers-<abi>-amd64):
# include/generated (autoconf.h and friends), arch/x86/include/generated and
# include/config/auto.conf (which the transformer reads Kbuild conditions from).
version=$(dpkg-query -W -f='${Version}' "$package")
headers_package=$(dpkg-query -W -f='${Package} ${Version} ${Status}\n' 'linux-headers-*-amd64' 2>/dev/null |
    awk -v v="$version" '$2 == v && $1 != "linux-headers-amd64" && $NF == "installed" { print $1; exit }')
if [[ -z "$headers_package" ]]; then
    echo "fetch-material.sh: no linux-headers-<abi>-amd64 of version $version is installed: tools/setup-deps.sh installs it (group linux)" >&2
    exit 1
fi
headers_dir="/usr/src/linux-headers-${headers_package#linux-headers-}"
stamp="tarball $sha256_tarball manifest $manifest_sha256 config $headers_package"
if [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" && -f "$out/SHA256SUMS" ]]; then
    echo "linux material: cached in $out ($(wc -l <"$out/SHA256SUMS") files)"
    exit 0
fi

members=()
while IFS= read -r line; do
    line="${line%%#*}"
    line="${line%"${line##*[![:space:]]}"}"
    [[ -n "$line" ]] && members+=("$prefix/$line")
done <"$manifest"

rm -rf "$out/src" "$out/.stamp"
mkdir -p "$out/src"
tar -xJf "$tarball" -C "$out/src" --strip-components=1 "${members[@]}"
(cd "$out/src" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) >"$out/SHA256SUMS"

rm -rf "$out/config"
mkdir -p "$out/config/include/config" "$out/config/arch/x86/include"
cp -a "$headers_dir/include/generated" "$out/config/include/"
cp -a "$headers_dir/arch/x86/include/generated" "$out/config/arch/x86/include/"
cp -a "$headers_dir/include/config/auto.conf" "$out/config/include/config/"
(cd "$out/config" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum) >"$out/CONFIG_SHA256SUMS"

deb_sha256=$(apt-cache show "$package=$version" 2>/dev/null | awk '/^SHA256:/ { print $2; exit }')
{
    echo "package        $package $version"
    echo "deb sha256     ${deb_sha256:-unknown (no archive index here)} (Debian's signed Packages index)"
    echo "tarball        $tarball"
    echo "tarball md5    $md5_now (dpkg recorded $md5_recorded at install: equal)"
    echo "tarball sha256 $sha256_tarball"
    echo "manifest       linux_env/manifest.txt ($manifest_sha256)"
    echo "configuration  $headers_package $version ($headers_dir), sha256s in CONFIG_SHA256SUMS"
    echo "files          $(wc -l <"$out/SHA256SUMS"), sha256 of each in SHA256SUMS"
} >"$out/material.log"
echo "$stamp" >"$out/.stamp"
echo "linux material: $(wc -l <"$out/SHA256SUMS") files of $package $version extracted into $out/src (log: $out/material.log)"
