#!/usr/bin/env bash
# Runs the Cortex-M4 images under QEMU's mps2-an386 (semihosting):
#   1. utkit-m4-unit-tests: the unit tests that run on the target;
#   2. utkit-m4-firmware: bootstrap + XCAP against netsim on the host, through
#      pipe-relay, then prints its figures (heap, stack, round trips, bytes)
#      and the image's per-module sizes, and checks them against the budgets.
#   run.sh M4_BUILD HOST_BUILD
# M4_BUILD is toolchains/cortex-m4/build.sh's output directory; HOST_BUILD a
# host build with netsim and pipe-relay (tests/netsim).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
m4=$(cd "$1/utkit/tests/target" && pwd)
host=$(cd "$2" && pwd)
qemu=(qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none
      -semihosting-config enable=on,target=native)

# Budgets (KiB of text, KiB of heap) for a firmware that bootstraps and runs
# one XCAP operation with 4 KiB TLS records.
budget_core=104 budget_mbedtls=80 budget_heap=48

echo "== unit tests on the Cortex-M4"
timeout 120 "${qemu[@]}" -kernel "$m4/utkit-m4-unit-tests.elf"

echo "== firmware: bootstrap + XCAP against netsim"
work=$(mktemp -d /tmp/utkit-m4.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
pki=$work/pki
"$root/tests/interop/make-certs.sh" "$pki" >/dev/null
cat > "$work/subs.json" <<JSON
{"subscribers": [{"impi": "001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
  "k": "465b5ce8b199b49faa5f0a2ee238a6bc", "opc": "cd63cb71954a9f4e48a5994e37a02baf"}]}
JSON
"$host/tests/netsim/netsim" --subscribers "$work/subs.json" --bsf-host bsf.example.test --naf-host naf.example.test \
  --cert "$pki/good.pem" --key "$pki/good.key" --ready-file "$work/ready.json" 2> "$work/netsim.log" &
pids+=($!)
mkdir "$work/pipes"
"$host/tests/netsim/pipe-relay" "$work/pipes" 8 2> "$work/relay.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && [ -p "$work/pipes/s2c.7" ] && break; sleep 0.1; done
bsf=$(sed -n 's/.*"bsf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
naf=$(sed -n 's/.*"naf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
[ -n "$bsf" ] && [ -n "$naf" ] || { cat "$work/netsim.log" >&2; exit 1; }

rc=0
timeout 120 "${qemu[@]}" -kernel "$m4/utkit-m4-firmware.elf" \
  -append "--bsf $bsf --naf $naf --ca $pki/ca.pem --other-ca $pki/otherca.pem --pipes $work/pipes" > "$work/firmware.out" || rc=$?
cat "$work/firmware.out"
if [ "$rc" -ne 0 ] || ! grep -q '^PASS firmware' "$work/firmware.out"; then
  echo "firmware failed (exit $rc)" >&2
  echo "--- netsim" >&2; cat "$work/netsim.log" >&2
  echo "--- pipe-relay" >&2; cat "$work/relay.log" >&2
  exit 1
fi

echo "== firmware image (--gc-sections), bytes per module"
"$here/sizes.sh" "$m4/utkit-m4-firmware.elf" | tee "$work/sizes"

size_of() { awk -v m="$1" '$1 == "size" && $2 == m {print $3}' "$work/sizes"; }
figure() { awk -v k="$1" '$1 == "figure" && $2 == k {print $3}' "$work/firmware.out"; }
echo "== budgets"
over=0
check() {  # name value budget-bytes: over budget fails
  local verdict=within
  if ! [[ $2 =~ ^[0-9]+$ ]]; then
    printf "  %-34s missing from the output: FAIL\n" "$1"
    over=1
    return
  fi
  if [ "$2" -gt "$3" ]; then verdict=OVER; over=1; fi
  printf "  %-34s %7d of %7d bytes: %s\n" "$1" "$2" "$3" "$verdict"
}
check "utkit core text" "$(size_of core)" $((budget_core * 1024))
check "mbedTLS text" "$(size_of mbedtls)" $((budget_mbedtls * 1024))
check "peak heap, cold bootstrap + XCAP" "$(figure cold.heap_peak)" $((budget_heap * 1024))
printf "  %-34s %7s bytes (malloc's headers, the counter's and fragmentation included; no budget)\n" \
  "heap reach, whole run" "$(figure heap.extent_peak)"
printf "  %-34s %7s bytes (the same in newlib's 4 KiB steps; no budget)\n" \
  "program break high-water, whole run" "$(figure heap.sbrk_peak)"
printf "  %-34s %7s of %7s bytes (no budget set)\n" "main stack high-water, cold" "$(figure cold.stack)" \
  "$(figure stack.size)"
exit $over
