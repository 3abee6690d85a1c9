#!/usr/bin/env bash
# The embedding example (samples/embed) against a netsim process: it must list
# the buddies over Ut (bootstrap, TLS, Digest, XCAP) and exit 0.
# usage: embed_test.sh LIST_BUDDIES NETSIM PKI_DIR
set -euo pipefail
app=$1 netsim=$2 pki=$(cd "$3" && pwd)
work=$(mktemp -d /tmp/utkit-embed.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
impi="001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
cat > "$work/subs.json" <<JSON
{"subscribers": [{"impi": "$impi", "k": "465b5ce8b199b49faa5f0a2ee238a6bc", "opc": "cd63cb71954a9f4e48a5994e37a02baf"}]}
JSON
# The NAF is reached by address here (no resolver override in the example):
# the "loopback" test certificate names 127.0.0.1.
"$netsim" --subscribers "$work/subs.json" --naf-host 127.0.0.1 --bsf-host 127.0.0.1 \
  --cert "$pki/loopback.pem" --key "$pki/loopback.key" --ready-file "$work/ready.json" 2> "$work/netsim.log" &
pid=$!
for _ in $(seq 1 50); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
bsf=$(sed -n 's/.*"bsf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
naf=$(sed -n 's/.*"naf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
[ -n "$bsf" ] && [ -n "$naf" ] || { cat "$work/netsim.log" >&2; exit 1; }
out=$("$app" "https://127.0.0.1:$naf/xcap-root" "http://127.0.0.1:$bsf/" "$pki/ca.pem" \
  465b5ce8b199b49faa5f0a2ee238a6bc cd63cb71954a9f4e48a5994e37a02baf 001010000000001 sip:alice@example.test 2>&1) || {
  echo "FAIL: $out" >&2; cat "$work/netsim.log" >&2; exit 1; }
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
grep -q "(1 bootstraps" "$work/netsim.log" || { echo "FAIL: no bootstrap seen by the BSF" >&2; cat "$work/netsim.log" >&2; exit 1; }
echo "1 passed, 0 failed"
