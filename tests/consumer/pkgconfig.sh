#!/usr/bin/env bash
# Builds tests/consumer/main.cpp with only pkg-config's flags for an installed utkit.
# usage: pkgconfig.sh PREFIX OUTDIR
set -euo pipefail
prefix=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib64/pkgconfig:${PKG_CONFIG_PATH:-}"
# shellcheck disable=SC2046
g++ -std=c++17 -o "$out/consumer-pc" "$here/main.cpp" $(pkg-config --cflags --libs utkit)
"$out/consumer-pc"
