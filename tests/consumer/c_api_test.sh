#!/usr/bin/env bash
# Runs a C API test program against a netsim process:
#   PROGRAM NAF_PORT BSF_PORT CA_FILE STORE_DIR [ARGS...]
# usage: c_api_test.sh PROGRAM NETSIM PKI_DIR [ARGS...]
set -euo pipefail
app=$1 netsim=$2 pki=$(cd "$3" && pwd)
work=$(mktemp -d /tmp/utkit-capi.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cat > "$work/subs.json" <<JSON
{"subscribers": [{"impi": "001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
  "k": "465b5ce8b199b49faa5f0a2ee238a6bc", "opc": "cd63cb71954a9f4e48a5994e37a02baf"}]}
JSON
"$netsim" --subscribers "$work/subs.json" --naf-host 127.0.0.1 --bsf-host 127.0.0.1 \
  --cert "$pki/loopback.pem" --key "$pki/loopback.key" --ready-file "$work/ready.json" 2> "$work/netsim.log" &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
bsf=$(sed -n 's/.*"bsf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
naf=$(sed -n 's/.*"naf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
[ -n "$bsf" ] && [ -n "$naf" ] || { cat "$work/netsim.log" >&2; exit 1; }
rc=0
"$app" "$naf" "$bsf" "$pki/ca.pem" "$work/store" "${@:4}" || rc=$?
[ "$rc" -eq 0 ] || { echo "--- netsim log" >&2; cat "$work/netsim.log" >&2; }
exit "$rc"
