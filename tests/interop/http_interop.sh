#!/usr/bin/env bash
# HTTP interop: utkit's HTTP client with Digest (through `utcli http`) against
# real, independent servers started here on loopback, each over TLS:
#   * Apache httpd 2.4 mod_auth_digest (MD5, qop=auth only)
#   * lighttpd 1.4 mod_auth with mod_gnutls (Digest SHA-256)
#   * tinyproxy as a forward proxy: https through CONNECT to Apache
# usage: http_interop.sh CASE UTCLI PKI_DIR        (exit 77 = skipped)
set -uo pipefail
case_name=$1 utcli=$2
pki=$(cd "$3" && pwd) || { echo "no PKI at $3" >&2; exit 1; }
host=naf.example.test
pids=()
work=$(mktemp -d /tmp/utkit-http-interop.XXXXXX)
chmod 755 "$work"
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -f "$work/httpd.pid" ] && kill "$(cat "$work/httpd.pid")" 2>/dev/null
  rm -rf "$work"
  return 0
}
trap cleanup EXIT
fail() { echo "FAIL [$case_name]: $*" >&2; for f in "$work"/*.log "$work"/ldlog/*.log; do [ -f "$f" ] && sed 's/^/  | /' "$f" >&2; done; exit 1; }
skip() { echo "SKIP [$case_name]: $*"; exit 77; }

free_port() { echo $(( 20000 + (RANDOM % 20000) )); }
wait_port() {
  local i
  for i in $(seq 1 50); do
    bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

export UTKIT_TEST_PASSWORD="Circle Of Life"

start_apache() {  # [cert] ; sets apache_port
  local cert=${1:-good}
  command -v apache2 >/dev/null || skip "apache2 not installed"
  apache_port=$(free_port)
  mkdir -p "$work/htdocs/private"
  echo "hello from apache" > "$work/htdocs/private/index.html"
  echo "alice:apache-realm:$(md5 "alice:apache-realm:$UTKIT_TEST_PASSWORD")" > "$work/htdigest"
  chmod -R a+rX "$work"
  local m=/usr/lib/apache2/modules
  cat > "$work/httpd.conf" <<CONF
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authn_core_module $m/mod_authn_core.so
LoadModule authn_file_module $m/mod_authn_file.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule authz_user_module $m/mod_authz_user.so
LoadModule auth_digest_module $m/mod_auth_digest.so
LoadModule socache_shmcb_module $m/mod_socache_shmcb.so
LoadModule ssl_module $m/mod_ssl.so
LoadModule dir_module $m/mod_dir.so
ServerName $host
ServerRoot $work
Listen 127.0.0.1:$apache_port
PidFile $work/httpd.pid
DefaultRuntimeDir $work
Mutex file:$work default
ErrorLog $work/apache-error.log
LogLevel warn
User nobody
Group nogroup
DocumentRoot $work/htdocs
DirectoryIndex index.html
SSLSessionCache shmcb:$work/ssl_scache(512000)
SSLEngine on
SSLCertificateFile $pki/$cert.pem
SSLCertificateKeyFile $pki/$cert.key
SSLProtocol all
SSLCipherSuite AES128-SHA:AES256-SHA
<Directory $work/htdocs/private>
  AuthType Digest
  AuthName "apache-realm"
  AuthDigestProvider file
  AuthUserFile $work/htdigest
  Require valid-user
</Directory>
CONF
  apache2 -f "$work/httpd.conf" -DFOREGROUND > "$work/apache-stdout.log" 2>&1 &
  pids+=($!)
  wait_port "$apache_port" || fail "apache did not start"
}

start_lighttpd() {  # sets lighttpd_port
  command -v lighttpd >/dev/null || skip "lighttpd not installed"
  [ -f /usr/lib/lighttpd/mod_gnutls.so ] || skip "lighttpd-mod-gnutls not installed"
  lighttpd_port=$(free_port)
  mkdir -p "$work/lroot/secure"
  echo "hello from lighttpd" > "$work/lroot/secure/index.html"
  echo "alice:$UTKIT_TEST_PASSWORD" > "$work/lighttpd.users"
  cat "$pki/good.pem" "$pki/good.key" > "$work/lighttpd.pem"
  mkdir -p "$work/ldlog"
  chmod -R a+rX "$work"
  chmod 777 "$work/ldlog"  # lighttpd opens its log after dropping to nobody
  cat > "$work/lighttpd.conf" <<CONF
server.modules = ("mod_auth", "mod_authn_file", "mod_gnutls")
server.document-root = "$work/lroot"
server.bind = "127.0.0.1"
server.port = $lighttpd_port
server.errorlog = "$work/ldlog/lighttpd-error.log"
server.username = "nobody"
server.groupname = "nogroup"
index-file.names = ("index.html")
ssl.engine = "enable"
ssl.pemfile = "$work/lighttpd.pem"
auth.backend = "plain"
auth.backend.plain.userfile = "$work/lighttpd.users"
auth.require = ("/secure/" => ("method" => "digest", "algorithm" => "SHA-256", "realm" => "lighttpd-realm", "require" => "valid-user"))
CONF
  lighttpd -D -f "$work/lighttpd.conf" > "$work/lighttpd-stdout.log" 2>&1 &
  pids+=($!)
  wait_port "$lighttpd_port" || fail "lighttpd did not start"
}

start_tinyproxy() {  # sets proxy_port
  command -v tinyproxy >/dev/null || skip "tinyproxy not installed"
  proxy_port=$(free_port)
  cat > "$work/tinyproxy.conf" <<CONF
Port $proxy_port
Listen 127.0.0.1
Timeout 30
Allow 127.0.0.1
ConnectPort $apache_port
LogFile "$work/tinyproxy.log"
LogLevel Info
MaxClients 10
CONF
  tinyproxy -d -c "$work/tinyproxy.conf" > "$work/tinyproxy-stdout.log" 2>&1 &
  pids+=($!)
  wait_port "$proxy_port" || fail "tinyproxy did not start"
}

run() {
  out=$("$utcli" --json http "$@" 2>&1)
  rc=$?
  echo "$out"
}
expect() {  # exit-code patterns...
  local code=$1; shift
  [ "$rc" -eq "$code" ] || fail "exit $rc (want $code): $out"
  local p
  for p in "$@"; do grep -q -- "$p" <<<"$out" || fail "missing $p in: $out"; done
}

case "$case_name" in
  apache-digest-md5)
    start_apache
    base="https://$host:$apache_port"
    run GET "$base/private/" --ca "$pki/ca.pem" --connect-to "$host:$apache_port=127.0.0.1" \
        --user alice --password-env UTKIT_TEST_PASSWORD --repeat 3
    expect 0 '"status":200' 'hello from apache' '"suite_id":"0x002F"'
    # Two of the three requests went out with the cached nonce (nc=2, 3): 4 exchanges, one connection.
    grep -q '"exchanges":4' <<<"$out" || fail "cached nonce not used: $out"
    grep -q '"preemptive_auth":2' <<<"$out" || fail "cached nonce not used: $out"
    grep -q '"tcp_connects":1' <<<"$out" || fail "connection not kept alive: $out" ;;
  apache-digest-wrong-password)
    start_apache
    export UTKIT_BAD_PASSWORD="wrong"
    run GET "https://$host:$apache_port/private/" --ca "$pki/ca.pem" --connect-to "$host:$apache_port=127.0.0.1" \
        --user alice --password-env UTKIT_BAD_PASSWORD
    expect 5 '"error":"auth.failed"' ;;
  apache-no-credentials)
    start_apache
    run GET "https://$host:$apache_port/private/" --ca "$pki/ca.pem" --connect-to "$host:$apache_port=127.0.0.1"
    expect 5 '"error":"auth.no_credentials"' 'apache-realm' ;;
  lighttpd-digest-sha256)
    start_lighttpd
    run GET "https://$host:$lighttpd_port/secure/" --ca "$pki/ca.pem" --connect-to "$host:$lighttpd_port=127.0.0.1" \
        --user alice --password-env UTKIT_TEST_PASSWORD --repeat 2
    expect 0 '"status":200' 'hello from lighttpd'
    grep -qi 'password doesn.t match\|digest' "$work/ldlog/lighttpd-error.log" 2>/dev/null && fail "lighttpd logged an auth failure" ;;
  tinyproxy-connect)
    # The proxy resolves the target itself, so the target is named by address.
    start_apache loopback
    start_tinyproxy
    run GET "https://127.0.0.1:$apache_port/private/" --ca "$pki/ca.pem" --proxy "http://127.0.0.1:$proxy_port" \
        --user alice --password-env UTKIT_TEST_PASSWORD
    expect 0 '"status":200' 'hello from apache' '"proxy_tunnels":1'
    grep -q "CONNECT" "$work/tinyproxy.log" || fail "tinyproxy saw no CONNECT" ;;
  apache-hostile-body)
    # A body that is not UTF-8 and carries terminal escapes: --json must not
    # abort (JSON escapes the controls, invalid bytes become U+FFFD), and the
    # human output must not pass the escapes to the terminal.
    start_apache
    printf 'bad \xff\xfe utf-8, \x1b[2J clear screen, \x1b]0;title\x07, CR\rforged line\n' > "$work/htdocs/hostile.txt"
    chmod a+r "$work/htdocs/hostile.txt"
    run GET "https://$host:$apache_port/hostile.txt" --ca "$pki/ca.pem" --connect-to "$host:$apache_port=127.0.0.1"
    expect 0 '"status":200' '\\u001b\[2J'
    grep -q $'\xff' <<<"$out" && fail "raw invalid UTF-8 in the JSON: $out"
    grep -q $'\x1b' <<<"$out" && fail "raw ESC in the JSON"
    human=$("$utcli" http GET "https://$host:$apache_port/hostile.txt" --ca "$pki/ca.pem" \
            --connect-to "$host:$apache_port=127.0.0.1" 2>&1) || fail "human output failed: $human"
    grep -q $'\x1b' <<<"$human" && fail "raw ESC reached the terminal"
    grep -q $'\r' <<<"$human" && fail "raw CR reached the terminal"
    grep -qF '\x1b[2J' <<<"$human" || fail "the escape is not shown as text: $human"
    grep -qF '\xff' <<<"$human" || fail "the invalid byte is not shown as text: $human" ;;
  *) fail "unknown case" ;;
esac
echo "PASS [$case_name]"
