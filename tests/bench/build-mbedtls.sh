#!/usr/bin/env bash
# Builds Debian's mbedTLS 2.28 source package with the project's record
# buffer size, for the benchmark's "4 KiB record buffers" figure (Debian's
# binary package is built with fixed 16 KiB buffers).
#   build-mbedtls.sh OUT_DIR CONTENT_LEN
# Leaves OUT_DIR/install/{include,lib}. Idempotent.
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
len=$2
[ -f "$out/install/lib/libmbedtls.a" ] && { echo "mbedtls ($len): already built in $out"; exit 0; }

srcdir=$("$(dirname "$0")/debian-source.sh" mbedtls "$out")
cat > "$out/utkit_mbedtls_user_config.h" <<H
/* utkit benchmark build: Debian's configuration with ${len}-byte record buffers. */
#define MBEDTLS_SSL_IN_CONTENT_LEN ${len}
#define MBEDTLS_SSL_OUT_CONTENT_LEN ${len}
H
cmake -S "$srcdir" -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF \
  -DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DCMAKE_C_FLAGS="-DMBEDTLS_USER_CONFIG_FILE='\"$out/utkit_mbedtls_user_config.h\"'" \
  -DCMAKE_INSTALL_PREFIX="$out/install" >/dev/null
cmake --build "$out/build" >/dev/null
cmake --install "$out/build" >/dev/null
echo "mbedtls ($len-byte records): $out/install"
