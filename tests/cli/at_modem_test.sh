#!/usr/bin/env bash
# utcli with the AT+CSIM USIM backend, end to end: an emulated modem on a
# pseudo-terminal (tests/netsim/at_modem_main.cpp) holds the subscriber's
# emulated UICC; utcli reads the card's identity through AT+CSIM, bootstraps
# against netsim's BSF with AKA run on that card, and lists the buddies over
# Ut. Also: a second utcli on the same port is refused (locked), and a
# missing port is a clear error.
# usage: at_modem_test.sh UTCLI AT_MODEM NETSIM PKI_DIR
set -euo pipefail
utcli=$1 modem=$2 netsim=$3 pki=$(cd "$4" && pwd)
work=$(mktemp -d /tmp/utkit-at.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
k=465b5ce8b199b49faa5f0a2ee238a6bc opc=cd63cb71954a9f4e48a5994e37a02baf imsi=001010000000001
cat > "$work/subs.json" <<JSON
{"subscribers": [{"impi": "$imsi@ims.mnc001.mcc001.3gppnetwork.org", "k": "$k", "opc": "$opc"}]}
JSON
"$netsim" --subscribers "$work/subs.json" --naf-host 127.0.0.1 --bsf-host 127.0.0.1 \
  --cert "$pki/loopback.pem" --key "$pki/loopback.key" --ready-file "$work/ready.json" 2> "$work/netsim.log" &
pids+=($!)
"$modem" --k "$k" --opc "$opc" --imsi "$imsi" --ready-file "$work/modem" 2> "$work/modem.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && [ -s "$work/modem" ] && break; sleep 0.1; done
bsf=$(sed -n 's/.*"bsf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
naf=$(sed -n 's/.*"naf":{[^}]*"port":\([0-9]*\).*/\1/p' "$work/ready.json")
tty=$(cat "$work/modem")
[ -n "$bsf" ] && [ -n "$naf" ] && [ -n "$tty" ] || { cat "$work/netsim.log" "$work/modem.log" >&2; exit 1; }
fail=0 pass=0
check() {  # check NAME CODE PATTERN -- command...
  local name=$1 code=$2 pattern=$3; shift 4
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq "$code" ] && grep -Eq -- "$pattern" <<<"$out"; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name (exit $rc, wanted $code and /$pattern/):"; echo "$out" | head -20
  fi
}
( umask 077; cat > "$work/utcli.json" ) <<JSON
{
  "identity": {"impu": "sip:alice@example.test"},
  "usim": {"backend": "at", "device": "$tty", "at_timeout_ms": 3000},
  "bsf": {"url": "http://127.0.0.1:$bsf/"},
  "xcap": {"root": "https://127.0.0.1:$naf/xcap-root"},
  "tls": {"ca_file": "$pki/ca.pem"},
  "storage_dir": "$work/state"
}
JSON
check "usim info reads the card's IMSI through AT+CSIM" 0 "$imsi" -- "$utcli" --config "$work/utcli.json" usim info
check "bootstrap runs AKA on the card behind the modem" 0 "B-TID" -- "$utcli" --config "$work/utcli.json" bootstrap --force
check "buddies over Ut with the modem's USIM" 0 "buddies" -- "$utcli" --config "$work/utcli.json" buddies list
# A second user of the port while one holds it: refused, not interleaved.
python3 - "$tty" "$work/locked" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()  # the lock is held from here on
time.sleep(3)
PY
pids+=($!)
# Wait for the lock itself (a fixed sleep raced a slow start on a loaded machine).
for _ in $(seq 1 100); do [ -e "$work/locked" ] && break; sleep 0.1; done
check "a port another process holds is refused" 1 "another process holds the port" -- \
  "$utcli" --config "$work/utcli.json" usim info
sed "s|\"device\": \"$tty\"|\"device\": \"$work/no-such-tty\"|" "$work/utcli.json" > "$work/missing.json"
chmod 600 "$work/missing.json"
check "a missing port names the device" 1 "no-such-tty" -- "$utcli" --config "$work/missing.json" usim info
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "--- netsim"; cat "$work/netsim.log"; echo "--- modem"; cat "$work/modem.log"; }
exit "$fail"
