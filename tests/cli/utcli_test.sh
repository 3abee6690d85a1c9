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
cfg() { printf '%s' "$1" > "$work/c.json"; chmod 600 "$work/c.json"; }

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
expect 3 "xcap.root' \\(or an 'operator' profile\\) is required" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"root": "ftp://x"}}'
expect 3 "xcap.root' must be an http" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"root": "https://x/r"}}'
expect 3 "tls.ca_file' is required" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"profile": "3gpp"}}'
expect 3 "xcap.profile" -- "$utcli" --config "$work/c.json" buddies list
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "resolve": {"h:1": "not-an-ip"}, "xcap": {"root": "http://h:1/r"}}'
expect 3 "resolve.h:1" -- "$utcli" --config "$work/c.json" buddies list
expect 2 "needs one URI" -- "$utcli" --config "$work/c.json" buddies add
expect 0 "buddies add URI" -- "$utcli" buddies --help
expect 0 "ss cf enable  COND --to URI" -- "$utcli" ss --help
expect 2 "ss cf enable needs --to URI" -- "$utcli" --config "$work/c.json" ss cf enable busy
expect 2 "unknown condition 'sometimes'" -- "$utcli" --config "$work/c.json" ss cf enable sometimes --to tel:+1
expect 2 "--timer takes 5 to 180 seconds" -- "$utcli" --config "$work/c.json" ss cf enable no-reply --to tel:+1 --timer 3
expect 2 "--timer goes with ss cf enable no-reply" -- "$utcli" --config "$work/c.json" ss cf enable busy --to tel:+1 --timer 20
expect 2 "unknown barring 'everything'" -- "$utcli" --config "$work/c.json" ss cb enable everything
expect 2 "ss clir restricted\|not-restricted" -- "$utcli" --config "$work/c.json" ss clir maybe
expect 2 "ss cw on\|off" -- "$utcli" --config "$work/c.json" ss cw
expect 2 "unknown command 'ss forward'" -- "$utcli" --config "$work/c.json" ss forward
expect 0 "usim auth RAND AUTN" -- "$utcli" usim --help
expect 0 "^utcli \\(utkit\\) ${UTKIT_EXPECTED_VERSION:-[0-9]+\\.[0-9]+\\.[0-9]+}" -- "$utcli" --version
expect 0 "8 http: the final response" -- "$utcli" --help
# A word after the command is never taken for another command: this is
# "buddies add" of a buddy called http (it stops at the bad resolve entry).
expect 3 "resolve.h:1" -- "$utcli" --config "$work/c.json" buddies add http
expect 3 "resolve.h:1" -- "$utcli" --config "$work/c.json" buddies add tls-probe
# Every failure under --json is a JSON object on stdout.
out=$("$utcli" --json --config "$work/none.json" usim info 2>/dev/null) && bad "exit 0 for a missing config" || true
grep -q '^{"error":{"code":"config.missing","message":"cannot read config file' <<<"$out" && ok || bad "no JSON error: $out"
out=$("$utcli" --json frobnicate 2>/dev/null) || true
grep -q '"exit":2' <<<"$out" && ok || bad "no JSON usage error: $out"
# Numbers on the command line are checked.
expect 2 "reconnect takes a count" -- "$utcli" tls-probe 127.0.0.1:1 --reconnect -1
expect 2 "timeout takes milliseconds" -- "$utcli" tls-probe 127.0.0.1:1 --timeout -5
expect 2 "timeout takes milliseconds" -- "$utcli" http GET http://127.0.0.1:1/ --timeout -5
# Configuration: keys named, files checked before any network use.
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "bsf": {"url": "bsf.example.net"}}'
expect 3 "bsf.url' must be an http" -- "$utcli" --config "$work/c.json" bootstrap
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "tls": {"ca_file": "'$work'/no-ca.pem"}}'
expect 3 "tls.ca_file' names" -- "$utcli" --config "$work/c.json" bootstrap
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "timeouts": {"request_ms": -5}}'
expect 3 "timeouts.request_ms' must be a whole number" -- "$utcli" --config "$work/c.json" bootstrap
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}}'
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "tls": {"max_fragment": 3000}}'
expect 3 "tls.max_fragment' must be 0 \\(no limit\\), 512" -- "$utcli" --config "$work/c.json" bootstrap
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "xcap": {"cache_max_kib": 4096}}'
expect 3 "xcap.cache_max_kib' must be a whole number from 0 to 1024" -- "$utcli" --config "$work/c.json" buddies list
# Operator profiles: a built-in name or a file beside the configuration.
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "operator": "nope"}'
expect 3 "config key 'operator': no operator profile named 'nope' \\(built in: 3gpp, document-writes" -- "$utcli" --config "$work/c.json" ss show
printf '%s' '{"base": "3gpp", "simservs": {"disable": "never"}}' > "$work/op.json"
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "operator": "op.json"}'
expect 3 "operator profile '.*op.json': config key 'simservs.disable' must be" -- "$utcli" --config "$work/c.json" ss show
printf '%s' '{"headers": {"X-A": "1\r\nInjected: 2"}}' > "$work/op.json"
expect 3 "config key 'headers.X-A'" -- "$utcli" --config "$work/c.json" ss show
printf '%s' '{"base": "document-writes", "xcap": {"root": "ftp://x"}}' > "$work/op.json"
expect 3 "config key 'xcap.root' must be an http" -- "$utcli" --config "$work/c.json" ss show
# A profile without a root derives it from the IMSI; with neither, the key is named.
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}, "operator": "3gpp"}'
expect 3 "cannot derive the XCAP root: no IMSI" -- "$utcli" --config "$work/c.json" ss show
cfg '{"identity": {"impi": "a@b"}, "usim": {"k": "'$k'", "opc": "'$opc'", "state_file": "'$work'/s"}}'
chmod 644 "$work/c.json"
expect 3 "other users may read it \\(mode 0644\\); run: chmod 600" -- "$utcli" --config "$work/c.json" usim info
chmod 600 "$work/c.json"
mkfifo "$work/fifo.json"
expect 3 "not a regular file" -- timeout 10 "$utcli" --config "$work/fifo.json" usim info
# The configuration is found through UTKIT_CONFIG, then the XDG directory.
expect 0 "IMPI +a@b" -- env UTKIT_CONFIG="$work/c.json" "$utcli" usim info
mkdir -p "$work/xdg/utkit" && cp -p "$work/c.json" "$work/xdg/utkit/config.json"
expect 0 "IMPI +a@b" -- env -u UTKIT_CONFIG XDG_CONFIG_HOME="$work/xdg" "$utcli" usim info
expect 2 "needs a configuration" -- env -u UTKIT_CONFIG XDG_CONFIG_HOME="$work/none" HOME="$work/none" "$utcli" usim info

# No core file: utcli holds K, OPc, CK, IK and Ks. Seen on a running utcli
# (a TLS probe pausing between two connections to a local openssl s_server).
# Waits (up to 10 s) until a server listens on 127.0.0.1:PORT: a fixed sleep
# was too short on a loaded machine, and the probe then ended at once.
listening() {
  local i
  for i in $(seq 100); do
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  return 1
}
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/k.pem" -out "$work/c.pem" -days 1 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1
  port=$(( 20000 + RANDOM % 20000 ))
  openssl s_server -accept "127.0.0.1:$port" -cert "$work/c.pem" -key "$work/k.pem" -quiet -naccept 2 \
    >/dev/null 2>&1 </dev/null &
  srv=$!
  listening "$port" || bad "openssl s_server did not listen on port $port"
  (ulimit -c unlimited; exec "$utcli" tls-probe "localhost:$port" --connect-to 127.0.0.1 --ca "$work/c.pem" \
     --reconnect 1 --pause 2000 >/dev/null 2>&1) &
  cli=$!
  sleep 1
  limits=$(cat "/proc/$cli/limits" 2>/dev/null || echo "(utcli had already exited)")
  grep -qE "^Max core file size +0 +0 " <<<"$limits" && ok || bad "core files not disabled: $limits"
  wait "$cli" || true
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true

  # A failure after the handshake fails the probe: the server never answers
  # what --send wrote, so the read times out.
  port=$(( 20000 + RANDOM % 20000 ))
  openssl s_server -accept "127.0.0.1:$port" -cert "$work/c.pem" -key "$work/k.pem" -quiet -naccept 1 \
    >/dev/null 2>&1 </dev/null &
  srv=$!
  listening "$port" || bad "openssl s_server did not listen on port $port"
  expect 4 "FAILED after the handshake" -- "$utcli" tls-probe "localhost:$port" --connect-to 127.0.0.1 \
    --ca "$work/c.pem" --send 'hello\r\n' --timeout 700
  kill "$srv" 2>/dev/null || true
  wait "$srv" 2>/dev/null || true
fi

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
# Misplaced global options after the command still work.
expect 5 '"status":"sync_failure"' -- "$utcli" --config "$work/c.json" usim auth "$rand" "$autn" --json
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
