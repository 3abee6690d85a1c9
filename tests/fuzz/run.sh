#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each: the
# seed corpus first (regressions), then new inputs for SECONDS. A crash fails
# the run and leaves the input in the build directory.
#   run.sh BUILD_DIR [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
seconds=${2:-15}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DUTKIT_FUZZ=ON -DUTKIT_SANITIZE=ON -DUTKIT_BUILD_SAMPLES=OFF \
  -DUTKIT_WITH_PCSC=OFF >/dev/null
cmake --build "$build" >/dev/null
status=0
for target in fuzz_http_response fuzz_auth_headers fuzz_xml_documents fuzz_xcap_uri fuzz_card \
    fuzz_bootstrapping_info fuzz_stored_state fuzz_config fuzz_simservs; do
  corpus=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
  if (cd "$build" && "./tests/fuzz/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        "$corpus" > "$target.log" 2>&1); then
    echo "$target: $(grep -o 'Done [0-9]* runs' "$build/$target.log" || echo done)"
  else
    echo "$target: FAILED (see $build/$target.log)"
    tail -30 "$build/$target.log"
    status=1
  fi
  rm -rf "$corpus"
done
exit $status
