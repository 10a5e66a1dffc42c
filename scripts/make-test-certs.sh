#!/usr/bin/env bash
# Regenerates the TLS test fixtures in Tests/TransportTests/Certificates.
#
# Why a script: the fixtures are data with provenance. Anyone can re-create them (EC P-256 keys,
# validity 36500 days so tests never expire) and see exactly which SANs each certificate carries.
#
#   ca.pem / ca-key.pem                 test CA (the only trust anchor the tests pass as caFile)
#   server.pem / server-key.pem         DNS:localhost, IP:127.0.0.1, IP:::1, signed by the CA
#   wrong-host.pem / wrong-host-key.pem DNS:wrong.example, signed by the CA
#   untrusted.pem / untrusted-key.pem   self-signed DNS:localhost, IP:127.0.0.1 (not in any trust store)
#
# Usage: scripts/make-test-certs.sh [output-dir]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/Tests/TransportTests/Certificates}"
days=36500
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

newkey() { # $1 = key file; EC P-256 (prime256v1), PKCS#8 PEM
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
}

# Test CA: basicConstraints CA:TRUE is required for OpenSSL to accept it as an issuer (RFC 5280 §4.2.1.9).
newkey "$out/ca-key.pem"
openssl req -x509 -new -key "$out/ca-key.pem" -sha256 -days "$days" \
    -subj "/O=MarketMux Test/CN=MarketMux Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$out/ca.pem"

leaf() { # $1 = name, $2 = subjectAltName, signed by the test CA
    local name="$1" san="$2"
    newkey "$out/$name-key.pem"
    openssl req -new -key "$out/$name-key.pem" -subj "/O=MarketMux Test/CN=$name" -out "$work/$name.csr"
    cat > "$work/$name.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$san
EXT
    openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" \
        -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
        -extfile "$work/$name.ext" -out "$out/$name.pem"
}

# Hostname checks use only subjectAltName (RFC 6125 §6.4.4: CN is ignored when SANs exist).
leaf server "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf wrong-host "DNS:wrong.example"

# Self-signed leaf with the right names: fails chain verification, not hostname verification.
newkey "$out/untrusted-key.pem"
openssl req -x509 -new -key "$out/untrusted-key.pem" -sha256 -days "$days" \
    -subj "/O=Untrusted/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "extendedKeyUsage=serverAuth" \
    -out "$out/untrusted.pem"

# Test-only keys: world-readable so any CI user can load them; never use them outside tests.
chmod 644 "$out"/*.pem
rm -f "$out/.keep"
openssl verify -CAfile "$out/ca.pem" "$out/server.pem" "$out/wrong-host.pem"
