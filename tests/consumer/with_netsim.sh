#!/usr/bin/env bash
# Starts a netsim process (BSF + NAF with TLS on loopback, one subscriber),
# then runs a command with @NAF@, @BSF@, @CA@ and @STORE@ in its arguments
# replaced by the NAF's and BSF's ports, the CA file and a fresh directory.
# The command's exit code is the result; netsim's log is shown on failure.
# usage: with_netsim.sh NETSIM PKI_DIR COMMAND [ARGS...]
set -euo pipefail
netsim=$1 pki=$(cd "$2" && pwd)
shift 2
work=$(mktemp -d /tmp/utkit-netsim.XXXXXX)
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
args=()
for a in "$@"; do
  a=${a//@NAF@/$naf}; a=${a//@BSF@/$bsf}; a=${a//@CA@/$pki/ca.pem}; a=${a//@STORE@/$work/store}
  args+=("$a")
done
rc=0
"${args[@]}" || rc=$?
[ "$rc" -eq 0 ] || { echo "--- netsim log" >&2; cat "$work/netsim.log" >&2; }
exit "$rc"
