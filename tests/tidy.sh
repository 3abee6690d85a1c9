#!/usr/bin/env bash
# clang-tidy (.clang-tidy at the top) on the SDK and the POSIX platform, with
# the compile commands of a configured build (the host preset exports them).
#   tests/tidy.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/host}
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json (configure first)" >&2; exit 1; }
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || { echo "tidy: clang-tidy is not installed" >&2; exit 1; }
mapfile -t files < <(cd "$root" && ls sdk/src/*/*.cpp platform/posix/src/*.cpp platform/capi/*.cpp)
echo "tidy: $("$tidy" --version | grep -o 'version [0-9.]*') on ${#files[@]} files"
status=0
# Two at a time (two cores); each file's findings are printed together.
printf '%s\n' "${files[@]}" | (cd "$root" && xargs -P 2 -I{} sh -c \
  "out=\$('$tidy' -p '$build' --quiet '{}' 2>&1) || { printf '%s\n' \"\$out\"; exit 1; }") || status=1
[ "$status" -eq 0 ] && echo "tidy: clean" || echo "tidy: findings above" >&2
exit $status
