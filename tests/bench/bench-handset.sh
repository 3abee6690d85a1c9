#!/usr/bin/env bash
# The benchmarks in a handset's memory configuration, beside the default one:
#   handset-16k: Debian's mbedTLS (16 KiB record buffers) + pugixml compiled
#                from Debian's source with 4 KiB pages and the compact DOM;
#   handset-4k:  the same with mbedTLS built with 4 KiB record buffers
#                (build-mbedtls.sh) and max_fragment_length 4096.
# Runs the Ut benchmark in both and the TLS benchmark in the 4 KiB one.
#   bench-handset.sh PKI_DIR [BUILD_ROOT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pki=$1
build=${2:-$root/build}
pugi=$("$root/tests/bench/debian-source.sh" pugixml "$build/pugixml")
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DUTKIT_BUILD_SAMPLES=OFF -DUTKIT_WITH_PCSC=OFF
        "-DUTKIT_PUGIXML_SOURCE_DIR=$pugi" -DUTKIT_XML_PAGE_SIZE=4096 -DUTKIT_XML_COMPACT=ON)

echo "=== handset-16k: Debian's mbedTLS, pugixml with 4 KiB pages and the compact DOM"
cmake -S "$root" -B "$build/bench-handset-16k" "${common[@]}" >/dev/null
cmake --build "$build/bench-handset-16k" --target utkit_bench_ut >/dev/null
"$build/bench-handset-16k/tests/bench/utkit_bench_ut" "$pki" 40

echo
echo "=== handset-4k: mbedTLS with 4 KiB record buffers, pugixml with 4 KiB pages and the compact DOM"
"$root/tests/bench/build-mbedtls.sh" "$build/mbedtls-4k" 4096
m=$build/mbedtls-4k/install
cfg="-DMBEDTLS_USER_CONFIG_FILE='\"$build/mbedtls-4k/utkit_mbedtls_user_config.h\"'"
cmake -S "$root" -B "$build/bench-handset-4k" "${common[@]}" -DMbedTLS_INCLUDE_DIR="$m/include" \
  -DMbedTLS_TLS_LIBRARY="$m/lib/libmbedtls.a" -DMbedTLS_X509_LIBRARY="$m/lib/libmbedx509.a" \
  -DMbedTLS_CRYPTO_LIBRARY="$m/lib/libmbedcrypto.a" "-DCMAKE_CXX_FLAGS=$cfg" "-DCMAKE_C_FLAGS=$cfg" >/dev/null
cmake --build "$build/bench-handset-4k" --target utkit_bench_tls utkit_bench_ut >/dev/null
"$build/bench-handset-4k/tests/bench/utkit_bench_tls" "$pki" "${ROUNDS:-30}"
echo
"$build/bench-handset-4k/tests/bench/utkit_bench_ut" "$pki" 40
