#!/usr/bin/env bash
# utcli end to end: configuration errors name the key, exit codes are as
# documented, and no secret (K, OPc, RES, CK, IK) is ever printed.
# usage: utcli_test.sh UTCLI NETSIM_AUC
set -euo pipefail
utcli=$1 auc=$2
work=$(mktemp -d /tmp/utcli-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE PATTERN -- command...: exit code and a pattern in stdout+stderr
expect() {
  local code=$1 pattern=$2; shift 3
  local out rc
  set +e; out=$("$@" 2>&1); rc=$?; set -e
  if [ "$rc" -ne "$code" ]; then bad "exit $rc (want $code): $* -> $out"; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then bad "no /$pattern/ in: $out"; return; fi
  ok
}

k=465b5ce8b199b49faa5f0a2ee238a6bc
opc=cd63cb71954a9f4e48a5994e37a02baf
impi="001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
cfg() { printf '%s' "$1" > "$work/c.json"; }

expect 0 "usage: utcli" -- "$utcli" --help
expect 2 "no command" -- "$utcli"
expect 2 "unknown option '--bogus'" -- "$utcli" --bogus usim info
expect 3 "cannot read config" -- "$utcli" --config "$work/none.json" usim info
cfg '{'
expect 3 "not valid JSON" -- "$utcli" --config "$work/c.json" usim info
cfg '{"identity": {"imsi": "001010000000001"}, "usim": {}}'
expect 3 "identity.mnc_length" -- "$utcli" --config "$work/c.json" usim info
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "colour": 1}'
expect 3 "'colour' is not known" -- "$utcli" --config "$work/c.json" usim info
cfg '{"identity": {"impi": "a@b"}, "usim": {"backend": "sim900"}}'
expect 3 "usim.backend" -- "$utcli" --config "$work/c.json" usim info
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "0011", "opc": "'$opc'", "state_file": "'$work'/s"}}'
expect 3 "usim.k' must be 16 bytes" -- "$utcli" --config "$work/c.json" usim info
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "state_file": "'$work'/s"}}'
expect 3 "usim.opc' or 'usim.op'" -- "$utcli" --config "$work/c.json" usim info

cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}}'
expect 3 "xcap.root' is required" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"root": "ftp://x"}}'
expect 3 "xcap.root' must be an http" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"root": "https://x/r"}}'
expect 3 "tls.ca_file' is required" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"profile": "3gpp"}}'
expect 3 "xcap.profile" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "resolve": {"h:1": "not-an-ip"}, "xcap": {"root": "http://h:1/r"}}'
expect 3 "resolve.h:1" -- "$utcli" --config "$work/c.json" buddies list
expect 2 "needs one URI" -- "$utcli" --config "$work/c.json" buddies add
expect 0 "buddies add URI" -- "$utcli" --help

cat > "$work/db.json" <<JSON
{"subscribers": [{"impi": "$impi", "k": "$k", "opc": "$opc", "amf": "8000"}]}
JSON
cfg '{"identity": {"imsi": "001010000000001", "mnc_length": 2}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/state/sqn"}}'
expect 0 "IMPI +$impi" -- "$utcli" --config "$work/c.json" usim info
v=$("$auc" --db "$work/db.json" vector "$impi")
rand=$(sed -n 's/.*"rand": "\([0-9a-f]*\)".*/\1/p' <<<"$v")
autn=$(sed -n 's/.*"autn": "\([0-9a-f]*\)".*/\1/p' <<<"$v")
expect 2 "RAND must be 32 hex" -- "$utcli" --config "$work/c.json" usim auth 00 "$autn"
expect 0 '"status":"success"' -- "$utcli" --config "$work/c.json" --json usim auth "$rand" "$autn"
expect 5 '"auts":"[0-9a-f]{28}"' -- "$utcli" --config "$work/c.json" --json usim auth "$rand" "$autn"
forged="${autn:0:31}$(printf '%x' $(( 0x${autn:31:1} ^ 1 )))"  # one MAC bit flipped
expect 6 "MAC failure" -- "$utcli" --config "$work/c.json" usim auth "$rand" "$forged"
[ "$(stat -c %a "$work/state/sqn")" = 600 ] && ok || bad "state file is not 0600"
chmod 644 "$work/state/sqn"
expect 1 "accessible to other users" -- "$utcli" --config "$work/c.json" usim info

# No secret in anything utcli printed in a full run.
chmod 600 "$work/state/sqn"
all=$("$utcli" --config "$work/c.json" usim info 2>&1; "$utcli" --config "$work/c.json" --json usim info 2>&1)
for secret in "$k" "$opc"; do
  grep -qi "$secret" <<<"$all" && bad "secret printed" || ok
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
