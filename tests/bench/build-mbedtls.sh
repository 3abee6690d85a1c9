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

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
mkdir -p "$out/src"
cd "$out/src"
if ! ls -d mbedtls-2.28*/ >/dev/null 2>&1; then
  if ! apt-get source --print-uris mbedtls >/dev/null 2>&1 || ! apt-get source --print-uris mbedtls | grep -q dsc; then
    # Source entries: the same archives as the binary ones, as deb-src.
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      case "$f" in *utkit-deb-src.sources) continue ;; esac
      sed -n '/^Types: deb$/,/^$/p' "$f" | sed 's/^Types: deb$/Types: deb-src/'
    done | $SUDO tee /etc/apt/sources.list.d/utkit-deb-src.sources >/dev/null
    $SUDO apt-get update >/dev/null || echo "build-mbedtls: apt-get update reported errors; trying anyway" >&2
  fi
  dpkg -s dpkg-dev >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends dpkg-dev
  apt-get source mbedtls >/dev/null
fi
srcdir=$(ls -d "$out"/src/mbedtls-2.28*/ | head -1)
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
