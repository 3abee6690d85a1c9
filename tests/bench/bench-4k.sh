#!/usr/bin/env bash
# The TLS benchmark against an mbedTLS with 4 KiB record buffers: builds
# Debian's mbedTLS source with MBEDTLS_SSL_IN/OUT_CONTENT_LEN 4096
# (build-mbedtls.sh), builds utkit and the benchmark against it, runs it.
#   bench-4k.sh PKI_DIR [BUILD_ROOT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pki=$1
build=${2:-$root/build}
"$root/tests/bench/build-mbedtls.sh" "$build/mbedtls-4k" 4096
m=$build/mbedtls-4k/install
cfg="-DMBEDTLS_USER_CONFIG_FILE='\"$build/mbedtls-4k/utkit_mbedtls_user_config.h\"'"
cmake -S "$root" -B "$build/bench-4k" -G Ninja -DCMAKE_BUILD_TYPE=Release -DUTKIT_BUILD_SAMPLES=OFF \
  -DUTKIT_WITH_PCSC=OFF -DMbedTLS_INCLUDE_DIR="$m/include" -DMbedTLS_TLS_LIBRARY="$m/lib/libmbedtls.a" \
  -DMbedTLS_X509_LIBRARY="$m/lib/libmbedx509.a" -DMbedTLS_CRYPTO_LIBRARY="$m/lib/libmbedcrypto.a" \
  "-DCMAKE_CXX_FLAGS=$cfg" "-DCMAKE_C_FLAGS=$cfg" >/dev/null
cmake --build "$build/bench-4k" --target utkit_bench_tls >/dev/null
"$build/bench-4k/tests/bench/utkit_bench_tls" "$pki" "${ROUNDS:-30}"
