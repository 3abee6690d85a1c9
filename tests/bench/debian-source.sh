#!/usr/bin/env bash
# Fetches the Debian source package PKG into OUT_DIR/src (deb-src entries are
# derived from the machine's binary ones), for builds that need a library's
# source with the project's settings (mbedTLS with 4 KiB records, pugixml with
# small pages). Prints the unpacked source directory.
#   debian-source.sh PKG OUT_DIR
set -euo pipefail
pkg=$1
out=$(mkdir -p "$2/src" && cd "$2/src" && pwd)
cd "$out"
existing=$(ls -d "$out/$pkg"-*/ 2>/dev/null | head -1 || true)
if [ -n "$existing" ]; then echo "${existing%/}"; exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! apt-get source --print-uris "$pkg" 2>/dev/null | grep -q dsc; then
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in *utkit-deb-src.sources) continue ;; esac
    sed -n '/^Types: deb$/,/^$/p' "$f" | sed 's/^Types: deb$/Types: deb-src/'
  done | $SUDO tee /etc/apt/sources.list.d/utkit-deb-src.sources >/dev/null
  $SUDO apt-get update >/dev/null || echo "debian-source: apt-get update reported errors; trying anyway" >&2
fi
dpkg -s dpkg-dev >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends dpkg-dev >&2
apt-get source "$pkg" >/dev/null 2>&1 || { echo "debian-source: apt-get source $pkg failed" >&2; exit 1; }
ls -d "$out/$pkg"-*/ | head -1 | sed 's:/$::'
