#!/usr/bin/env bash
# Makes the test PKI for the TLS tests with openssl: a test CA and server
# certificates for naf.example.test, good and bad.
#   ca.pem                 the trust anchor
#   good.{pem,key}         RSA 2048, SHA-256, SAN naf.example.test
#   expired, notyet        validity in the past / the future (openssl ca)
#   wronghost              SAN other.example.test
#   selfsigned             self-signed, not from the CA
#   unknownca              from another CA that is not trusted
#   weak1024               RSA 1024 key, SHA-256 (refused by the strict policy)
#   sha1                   RSA 2048 signed with SHA-1 (refused by the strict policy)
#   loopback               for "127.0.0.1" (CN and a DNS SAN: mbedTLS 2.28 matches names,
#                          not IP SANs), for peers that must be reached by address (a proxy)
# usage: make-certs.sh DIR   (idempotent: does nothing when DIR/ca.pem exists)
set -euo pipefail
dir=$1
[ -f "$dir/ca.pem" ] && [ -f "$dir/loopback.pem" ] && exit 0
mkdir -p "$dir"
cd "$dir"
export OPENSSL_CONF=/dev/null

key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1.key" 2>/dev/null; }
csr() { openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"; }
ext() { printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$1" > "$2.ext"; }

make_ca() {  # name cn
  key "$1" 2048
  openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}
sign() {  # name host ca [md] [days]
  ext "$2" "$1"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days "${5:-825}" \
    -"${4:-sha256}" -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}

make_ca ca "utkit Test CA"
make_ca otherca "Untrusted Test CA"

key good 2048; csr good naf.example.test; sign good naf.example.test ca
key wronghost 2048; csr wronghost other.example.test; sign wronghost other.example.test ca
key unknownca 2048; csr unknownca naf.example.test; sign unknownca naf.example.test otherca
key weak1024 1024; csr weak1024 naf.example.test; sign weak1024 naf.example.test ca
key sha1 2048; csr sha1 naf.example.test; sign sha1 naf.example.test ca sha1
key loopback 2048; csr loopback 127.0.0.1; sign loopback 127.0.0.1 ca
key selfsigned 2048
openssl req -x509 -new -key selfsigned.key -sha256 -days 825 -subj "/CN=naf.example.test" \
  -addext "subjectAltName=DNS:naf.example.test" -out selfsigned.pem

# Past and future validity need `openssl ca` (OpenSSL 3.0 x509 -req cannot set dates).
mkdir -p ca.db
: > ca.db/index.txt
echo 1000 > ca.db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = ca.db
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
CNF
dated() {  # name start end
  key "$1" 2048
  openssl req -new -key "$1.key" -subj "/CN=naf.example.test" -addext "subjectAltName=DNS:naf.example.test" -out "$1.csr"
  openssl ca -batch -config ca.cnf -in "$1.csr" -startdate "$2" -enddate "$3" -out "$1.pem" 2>/dev/null
}
dated expired 20200101000000Z 20210101000000Z
dated notyet 20400101000000Z 20410101000000Z
echo "test PKI ready in $dir"
