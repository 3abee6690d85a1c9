#!/usr/bin/env bash
# The protocol core for a Cortex-M4, with its dependencies built from
# Debian's source packages for the target:
#   mbedTLS 2.28 with toolchains/cortex-m4/mbedtls_config.h (the TS 33.141
#   client profile, no file system, no threads, 4 KiB records);
#   pugixml compiled into the core with 4 KiB pages, the compact DOM and a
#   2 KiB output buffer on the stack.
# Prints the text/data/bss of each library (archives, before a firmware's
# --gc-sections link).
#   toolchains/cortex-m4/build.sh OUT_DIR   (CI: build/cortex-m4)
# Needs gcc-arm-none-eabi, libnewlib-arm-none-eabi and
# libstdc++-arm-none-eabi-newlib (.ci/deps cross installs them).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
toolchain=$root/toolchains/arm-none-eabi-cortex-m4.cmake
config=$root/toolchains/cortex-m4/mbedtls_config.h

mbedtls_src=$("$root/tests/bench/debian-source.sh" mbedtls "$out")
pugixml_src=$("$root/tests/bench/debian-source.sh" pugixml "$out")

if [ ! -f "$out/mbedtls/install/lib/libmbedtls.a" ] || [ "$config" -nt "$out/mbedtls/install/lib/libmbedtls.a" ] ||
   [ "$toolchain" -nt "$out/mbedtls/install/lib/libmbedtls.a" ]; then
  rm -rf "$out/mbedtls"
  # The configuration through CFLAGS: CMake adds the toolchain's CPU flags to
  # it (a -DCMAKE_C_FLAGS would replace them, and build ARM code for ARMv4T).
  CFLAGS="-DMBEDTLS_CONFIG_FILE='\"$config\"'" \
  cmake -S "$mbedtls_src" -B "$out/mbedtls/build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF \
    -DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DMBEDTLS_FATAL_WARNINGS=OFF \
    -DCMAKE_INSTALL_PREFIX="$out/mbedtls/install" >/dev/null
  cmake --build "$out/mbedtls/build" >/dev/null
  cmake --install "$out/mbedtls/build" >/dev/null
fi

# The core and the test firmware: the cortex-m4 preset (CMakePresets.json),
# pointed at this output directory's dependencies. With OUT_DIR =
# build/cortex-m4 (as in CI), `cmake --preset cortex-m4` and
# `cmake --build --preset cortex-m4` work on the same tree afterwards.
ln -sfn "$pugixml_src" "$out/src/pugixml"
cmake --preset cortex-m4 -S "$root" -B "$out/utkit" -DCMAKE_FIND_ROOT_PATH="$out/mbedtls/install" \
  -DUTKIT_PUGIXML_SOURCE_DIR="$out/src/pugixml" >/dev/null
cmake --build "$out/utkit"

libs=("$out/utkit/sdk/libutkit.a" "$out/utkit/libutkit_pugixml.a" "$out/mbedtls/install/lib/libmbedtls.a"
      "$out/mbedtls/install/lib/libmbedx509.a" "$out/mbedtls/install/lib/libmbedcrypto.a")
# Every object must be Cortex-M code (ARMv7E-M, Thumb-2), with a section per
# function, or the sizes below mean nothing.
for lib in "${libs[@]}"; do
  arches=$(arm-none-eabi-readelf -A "$lib" | sed -n 's/^ *Tag_CPU_arch: //p' | sort -u | tr '\n' ' ')
  thumb=$(arm-none-eabi-readelf -A "$lib" | sed -n 's/^ *Tag_THUMB_ISA_use: //p' | sort -u | tr '\n' ' ')
  if [ "$arches" != "v7E-M " ] || [ "$thumb" != "Thumb-2 " ]; then
    echo "cortex-m4: $(basename "$lib") is not all ARMv7E-M Thumb-2 code: arch '$arches', thumb '$thumb'" >&2
    exit 1
  fi
done
echo "cortex-m4 (MinSizeRel, ARMv7E-M Thumb-2), archive sizes before --gc-sections:"
for lib in "${libs[@]}"; do
  arm-none-eabi-size -t "$lib" | awk -v l="$(basename "$lib")" 'END {printf "  %-20s text %7d  data %5d  bss %5d\n", l, $1, $2, $3}'
done
