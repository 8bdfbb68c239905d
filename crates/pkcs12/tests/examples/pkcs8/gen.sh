#!/bin/sh
# Regenerates the encrypted PKCS#8 test vectors with the real OpenSSL CLI
# (made with OpenSSL 3.0.19, 27 Jan 2026). Test-only key: never used elsewhere.
# The password is `pw` everywhere; `spki.der` is the public key they all hold.
set -eu
cd "$(dirname "$0")"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem
openssl pkey -in key.pem -pubout -outform DER -out spki.der
# PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC (OpenSSL 3's default).
openssl pkcs8 -topk8 -in key.pem -outform DER -v2 aes-256-cbc -v2prf hmacWithSHA256 \
    -iter 2048 -passout pass:pw -out pbes2_aes256_sha256.p8
# PBES2, PBKDF2-HMAC-SHA1, 3DES-CBC.
openssl pkcs8 -topk8 -in key.pem -outform DER -v2 des3 -v2prf hmacWithSHA1 \
    -iter 2048 -passout pass:pw -out pbes2_3des_sha1.p8
# PKCS#12 PBE with SHA-1 and 3DES (what old Windows writes).
openssl pkcs8 -topk8 -in key.pem -outform DER -v1 PBE-SHA1-3DES \
    -iter 2048 -passout pass:pw -out pkcs12_pbe_3des.p8
rm key.pem
