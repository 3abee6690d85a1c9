#!/usr/bin/env bash
# Builds the consumers with only pkg-config's flags for an installed utkit:
# the C++ API (utkit-cpp, static) and the C API (utkit, libutkit.so).
# usage: pkgconfig.sh PREFIX OUTDIR
set -euo pipefail
prefix=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib64/pkgconfig:${PKG_CONFIG_PATH:-}"
# shellcheck disable=SC2046
g++ -std=c++17 -o "$out/consumer-pc" "$here/main.cpp" $(pkg-config --cflags --libs utkit-cpp)
"$out/consumer-pc"
libdir=$(pkg-config --variable=libdir utkit)
# shellcheck disable=SC2046
gcc -std=c99 -Wall -Wextra -pedantic -Werror -o "$out/c-consumer-pc" "$here/c_consumer.c" \
  $(pkg-config --cflags --libs utkit) -Wl,-rpath,"$libdir"
"$out/c-consumer-pc"
