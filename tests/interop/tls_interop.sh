#!/usr/bin/env bash
# TLS interop: utkit's TS 33.141 client (through `utcli tls-probe`) against
# real, independent servers started here on loopback:
#   * openssl s_server (OpenSSL 3.0: AES suites only; no 3DES/RC4 in Debian's build)
#   * gnutls-serv (3DES, RC4, TLS 1.0), run inside a private network namespace
#     that has only `lo`, because it cannot bind to loopback alone.
# usage: tls_interop.sh CASE UTCLI PKI_DIR        (exit 77 = skipped)
set -uo pipefail
case_name=$1 utcli=$2 pki=$3
host=naf.example.test
server_pid="" netns=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$netns" ] && ip netns del "$netns" 2>/dev/null
  return 0
}
trap cleanup EXIT
fail() { echo "FAIL [$case_name]: $*" >&2; exit 1; }
skip() { echo "SKIP [$case_name]: $*"; exit 77; }

in_ns() { if [ -n "$netns" ]; then ip netns exec "$netns" "$@"; else "$@"; fi; }

wait_port() {
  local port=$1 i
  for i in $(seq 1 50); do
    in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && return 0
    [ -n "$server_pid" ] && ! kill -0 "$server_pid" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

# openssl_server CERT ARGS... : s_server on 127.0.0.1 and a free port
openssl_server() {
  command -v openssl >/dev/null || skip "openssl not installed"
  local cert=$1; shift
  local try
  for try in 1 2 3 4 5; do
    port=$(( 20000 + (RANDOM % 20000) ))
    openssl s_server -accept "127.0.0.1:$port" -cert "$pki/$cert.pem" -key "$pki/$cert.key" -www -quiet "$@" \
      > "$log" 2>&1 < /dev/null &
    server_pid=$!
    wait_port "$port" && return 0
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
  done
  cat "$log" >&2
  fail "openssl s_server did not start"
}

# gnutls_server PRIORITY [ARGS...] : gnutls-serv --echo in a fresh network namespace
gnutls_server() {
  command -v gnutls-serv >/dev/null || skip "gnutls-serv not installed (gnutls-bin)"
  netns="utkit-tls-$$"
  ip netns add "$netns" 2>/dev/null || { netns=""; skip "cannot create a network namespace (needs root)"; }
  ip netns exec "$netns" ip link set lo up || fail "cannot bring up lo in $netns"
  local prio=$1; shift
  port=$(( 20000 + (RANDOM % 20000) ))
  ip netns exec "$netns" gnutls-serv --echo -p "$port" --x509certfile "$pki/good.pem" \
    --x509keyfile "$pki/good.key" --priority "$prio" "$@" > "$log" 2>&1 < /dev/null &
  server_pid=$!
  wait_port "$port" || { cat "$log" >&2; fail "gnutls-serv did not start"; }
}

probe() {  # extra utcli args...
  out=$(in_ns "$utcli" tls-probe "$host:$port" --connect-to 127.0.0.1 --ca "$pki/ca.pem" --json --timeout 5000 "$@" 2>&1)
  rc=$?
  echo "$out"
}
expect_ok() {
  [ "$rc" -eq 0 ] || fail "expected success, got exit $rc: $out"
  local p
  for p in "$@"; do grep -q -- "$p" <<<"$out" || fail "missing $p in $out"; done
}
expect_error() {  # error-name [message-part]
  [ "$rc" -eq 4 ] || fail "expected a connection failure, got exit $rc: $out"
  grep -q "\"error\":\"$1\"" <<<"$out" || fail "expected error $1, got: $out"
  [ -z "${2:-}" ] || grep -q -- "$2" <<<"$out" || fail "message lacks '$2': $out"
}

log=$(mktemp /tmp/utkit-interop.XXXXXX)
trap 'cleanup; rm -f "$log"' EXIT
G_BASE='+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+CTYPE-X509'
HTTP='GET / HTTP/1.0\r\n\r\n'

case "$case_name" in
  openssl-tls1.0-aes128)
    openssl_server good -tls1 -cipher 'AES128-SHA@SECLEVEL=0'
    probe --send "$HTTP"; expect_ok '"version":"TLSv1.0"' '"suite_id":"0x002F"' 'HTTP/1.0 200 ok' ;;
  openssl-tls1.1-aes256)
    openssl_server good -tls1_1 -cipher 'AES256-SHA@SECLEVEL=0'
    probe --send "$HTTP"; expect_ok '"version":"TLSv1.1"' '"suite_id":"0x0035"' 'HTTP/1.0 200 ok' ;;
  openssl-tls1.2-aes128)
    openssl_server good -tls1_2 -cipher 'AES128-SHA'
    probe --send "$HTTP"; expect_ok '"version":"TLSv1.2"' '"suite_id":"0x002F"' 'HTTP/1.0 200 ok' ;;
  openssl-tls1.2-aes256)
    openssl_server good -tls1_2 -cipher 'AES256-SHA'
    probe --send "$HTTP"; expect_ok '"version":"TLSv1.2"' '"suite_id":"0x0035"' 'HTTP/1.0 200 ok' ;;
  openssl-offered-suites)
    # The server's page lists the suites both sides share; with every suite
    # on the server, that is exactly what the client offered (of those OpenSSL has).
    openssl_server good -tls1_2 -cipher 'ALL@SECLEVEL=0'
    probe --send "$HTTP"; expect_ok 'AES128-SHA' 'AES256-SHA'
    shared=$(sed -n 's/.*end points:\\n\(.*\)\\nSignature Algorithms.*/\1/p' <<<"$out" | tr -s ' ' '\n' | grep . | sort | tr '\n' ' ')
    [ "$shared" = "AES128-SHA AES256-SHA " ] || fail "common suites are '$shared', want exactly AES128-SHA AES256-SHA" ;;
  openssl-certificate-request)
    # -verify makes s_server send a CertificateRequest (the client certificate
    # optional): the client answers with an empty Certificate and carries on.
    openssl_server good -tls1_2 -cipher 'AES128-SHA' -verify 1
    probe --send "$HTTP"; expect_ok '"ok":true' 'HTTP/1.0 200 ok' ;;
  openssl-resume)
    openssl_server good -tls1_2 -cipher 'AES128-SHA'
    probe --reconnect 2; expect_ok '"resumed":false' '"resumed":true'
    [ "$(grep -o '"resumed":true' <<<"$out" | wc -l)" -eq 2 ] || fail "both reconnections should resume: $out" ;;
  openssl-session-cap)
    openssl_server good -tls1_2 -cipher 'AES128-SHA'
    probe --reconnect 1 --session-max-age 1 --pause 1300; expect_ok '"ok":true'
    grep -q '"resumed":true' <<<"$out" && fail "a session past its cap was resumed: $out" ;;
  openssl-no-shared-suite)
    openssl_server good -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256'
    probe; expect_error tls.no_shared_suite "shares no cipher suite" ;;
  openssl-tls13-only)
    openssl_server good -tls1_3
    probe; expect_error tls.version_refused ;;
  cert-expired)     openssl_server expired -tls1_2 -cipher AES128-SHA; probe; expect_error tls.cert_expired "expired on 2021-01-01" ;;
  cert-notyet)      openssl_server notyet -tls1_2 -cipher AES128-SHA; probe; expect_error tls.cert_not_yet_valid "2040-01-01" ;;
  cert-wronghost)   openssl_server wronghost -tls1_2 -cipher AES128-SHA; probe; expect_error tls.cert_wrong_host "other.example.test" ;;
  cert-selfsigned)  openssl_server selfsigned -tls1_2 -cipher AES128-SHA; probe; expect_error tls.cert_self_signed ;;
  cert-unknownca)   openssl_server unknownca -tls1_2 -cipher AES128-SHA; probe; expect_error tls.cert_unknown_issuer "Untrusted Test CA" ;;
  cert-weak1024)    openssl_server weak1024 -tls1_2 -cipher 'AES128-SHA@SECLEVEL=0'; probe; expect_error tls.cert_weak "1024-bit" ;;
  cert-weak1024-legacy) openssl_server weak1024 -tls1_2 -cipher 'AES128-SHA@SECLEVEL=0'; probe --x509 legacy; expect_ok '"key_bits":1024' ;;
  cert-sha1)        openssl_server sha1 -tls1_2 -cipher 'AES128-SHA@SECLEVEL=0'; probe; expect_error tls.cert_weak "refused hash" ;;
  cert-sha1-legacy) openssl_server sha1 -tls1_2 -cipher 'AES128-SHA@SECLEVEL=0'; probe --x509 legacy; expect_ok '"ok":true' ;;
  gnutls-tls1.0-3des)
    gnutls_server "NONE:+VERS-TLS1.0:+3DES-CBC:$G_BASE"
    probe --send 'ping\n' --reconnect 1; expect_ok '"version":"TLSv1.0"' '"suite_id":"0x000A"' '"reply":"ping' '"resumed":true' ;;
  gnutls-rc4)
    gnutls_server "NONE:+VERS-TLS1.2:+ARCFOUR-128:$G_BASE"
    probe --send 'ping\n'; expect_ok '"version":"TLSv1.2"' '"suite_id":"0x0005"' '"reply":"ping' ;;
  gnutls-rc4-dropped)
    gnutls_server "NONE:+VERS-TLS1.2:+ARCFOUR-128:$G_BASE"
    probe --no-rc4; expect_error tls.no_shared_suite ;;
  gnutls-all-four)
    gnutls_server "NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+AES-128-CBC:+AES-256-CBC:+3DES-CBC:+ARCFOUR-128:$G_BASE"
    probe --send 'ping\n'; expect_ok '"version":"TLSv1.2"' '"reply":"ping'
    grep -qE '"suite_id":"0x(002F|0035|000A|0005)"' <<<"$out" || fail "unexpected suite: $out"
    for s in 0x000A 0x0005 0x002F 0x0035; do
      probe --suites "$s" --send 'ping\n'; expect_ok "\"suite_id\":\"$s\"" '"reply":"ping'
    done ;;
  gnutls-mfl)
    gnutls_server "NONE:+VERS-TLS1.2:+AES-128-CBC:+3DES-CBC:$G_BASE"
    probe --mfl 4096 --truncated-hmac --send 'ping\n'; expect_ok '"ok":true' '"reply":"ping' ;;
  *) fail "unknown case" ;;
esac
echo "PASS [$case_name]"
