#!/usr/bin/env bash
# tools/net/fetch-lwip.sh --check on a copy of the fetched lwIP: it passes as
# unpacked, and fails, naming the file, once one byte of one file changed.
#   fetch_lwip_test.sh FETCH_SCRIPT MATERIAL_DIR
set -euo pipefail
fetch=$1
material=$2
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r "$material/src" "$material/SHA256SUMS" "$copy/"
"$fetch" --out "$copy" --check >/dev/null || { echo "FAIL: the unmodified copy did not pass --check"; exit 1; }
printf 'x' >>"$copy/src/src/core/tcp.c"
if output=$("$fetch" --out "$copy" --check 2>&1); then
    echo "FAIL: --check passed a changed src/core/tcp.c"
    exit 1
fi
grep -q "src/core/tcp.c" <<<"$output" || { echo "FAIL: --check did not name the changed file: $output"; exit 1; }
echo "ok: --check passes the unpacked lwIP and refuses a changed file, naming it"
