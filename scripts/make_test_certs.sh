#!/bin/sh
# Test certificates for the TLS listener tests (never for production): writes into DIR (default
# ./build/test-certs, gitignored) a CA, two server certificates for 127.0.0.1/localhost, a client
# certificate signed by the CA (CN=device-7), a second CA with its own client certificate (the
# "other CA" case) and a key that matches no certificate. Idempotent: an existing set is kept.
set -eu
dir=${1:-build/test-certs}
mkdir -p "$dir"
cd "$dir"
# A set younger than a week is kept (the certificates are valid for 30 days).
[ -n "$(find done -mtime -7 2>/dev/null)" ] && exit 0
days=30
subj() { printf '/O=Vireo test/CN=%s' "$1"; }
openssl_q() { openssl "$@" 2>/dev/null; }

# CA and other CA (self-signed, EC P-256: quick to make and to handshake)
for ca in ca other-ca; do
  openssl_q req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$ca.key" -out "$ca.crt" \
    -days $days -subj "$(subj "Vireo test $ca")" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
done

# issue NAME CA SUBJECT-CN EXTFILE-LINES
issue() {
  name=$1 ca=$2 cn=$3 ext=$4
  openssl_q req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" -subj "$(subj "$cn")"
  printf '%s\n' "$ext" > "$name.ext"
  openssl_q x509 -req -in "$name.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -out "$name.crt" -days $days -extfile "$name.ext"
  rm -f "$name.csr" "$name.ext"
}
issue server ca localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
# A second server certificate (CN renewed.localhost) for the certificate-reload test.
issue server2 ca renewed.localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
issue client ca device-7 "extendedKeyUsage=clientAuth"
issue other-client other-ca intruder "extendedKeyUsage=clientAuth"
# A valid key that belongs to no certificate here (the "key does not match cert" case).
openssl_q genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out mismatched.key
touch done
