#!/usr/bin/env bash
# Regenerates the seed corpora under fuzz/corpus/<target>/ (committed).
# Recipe: OpenSSL 3 CLI (version recorded in corpus/SEEDS.txt), the real-world
# and RFC 9579 files from crates/pkcs12/tests/examples, and the hostile
# inputs of crates/pkcs12/tests/hostile.rs (written by that test with
# PFXGEN_WRITE_HOSTILE_SEEDS=1). Low iteration counts (<= 50) so the fuzzer,
# whose limits stop derivations above 64 iterations, gets past the MAC.
#
#   fuzz/make-seeds.sh        (from anywhere; needs openssl)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus="$here/corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p "$corpus"/{pfx_parse,pfx_open,ber_normalize,encrypted_pkcs8,pfx_roundtrip,x509_certificate,pkcs8,password_policy}

export FUZZ_PW=fuzz
keys=(
    "rsa:1024|-sha256"
    "rsa:2048|-sha256"
    "ec -pkeyopt ec_paramgen_curve:P-256|-sha256"
    "ec -pkeyopt ec_paramgen_curve:P-384|-sha384"
    "ec -pkeyopt ec_paramgen_curve:P-521|-sha512"
    "ec -pkeyopt ec_paramgen_curve:P-256|-sha384"
    "ed25519|"
)
n=0
for spec in "${keys[@]}"; do
    n=$((n + 1))
    newkey=${spec%%|*}
    digest=${spec##*|}
    # shellcheck disable=SC2086
    openssl req -x509 -nodes -newkey $newkey -keyout k$n.pem -out c$n.pem -days 400 -subj "/CN=seed $n/O=pfxgen" $digest \
        -addext "subjectAltName=DNS:seed$n.example,IP:192.0.2.$n" 2>/dev/null
    openssl x509 -in c$n.pem -outform DER -out "$corpus/x509_certificate/cert$n.der"
    openssl pkey -in k$n.pem -outform DER -out "$corpus/pkcs8/key$n.der"
    openssl pkey -in k$n.pem -pubout -outform DER -out "$corpus/pkcs8/spki$n.der"
    for v in "-v2 aes-256-cbc -v2prf hmacWithSHA256" "-v2 des3" "-v1 PBE-SHA1-3DES" "-v1 PBE-SHA1-RC2-40"; do
        tag=$(echo "$v" | tr -c 'a-zA-Z0-9' '_')
        # shellcheck disable=SC2086
        openssl pkcs8 -topk8 -in k$n.pem -outform DER -out "$corpus/encrypted_pkcs8/key${n}_$tag.der" \
            -passout env:FUZZ_PW -iter 20 $v 2>/dev/null || true
    done
    for opts in "" "-legacy" "-keypbe NONE -certpbe NONE" "-nomac" "-macalg sha1" "-macalg sha512" \
        "-keypbe AES-128-CBC -certpbe DES-EDE3-CBC" "-keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128 -legacy"; do
        tag=$(echo "k$n$opts" | tr -c 'a-zA-Z0-9' '_')
        # shellcheck disable=SC2086
        openssl pkcs12 -export -inkey k$n.pem -in c$n.pem -name "seed $n" -out "$tag.p12" -passout env:FUZZ_PW -iter 20 $opts 2>/dev/null || continue
        cp "$tag.p12" "$corpus/pfx_open/$tag.p12"
    done
    openssl pkcs12 -export -inkey k$n.pem -in c$n.pem -out "$corpus/pfx_open/k${n}_empty.p12" -passout pass: -iter 20
done
# A chain: leaf signed by a CA, exported with the CA.
openssl pkcs12 -export -inkey k2.pem -in c2.pem -certfile c3.pem -out "$corpus/pfx_open/chain.p12" -passout env:FUZZ_PW -iter 20

cp "$root"/crates/pkcs12/tests/examples/real-world/*.p12 "$root"/crates/pkcs12/tests/examples/real-world/*.pfx "$corpus/pfx_parse/"
cp "$root"/crates/pkcs12/tests/examples/rfc9579/*.p12 "$corpus/pfx_parse/"
cp "$corpus"/pfx_open/*.p12 "$corpus/pfx_parse/"
cp "$corpus"/pfx_parse/* "$corpus/ber_normalize/"
cp "$corpus"/x509_certificate/* "$corpus/ber_normalize/"

printf 'Correct-Horse-Battery-9!' > "$corpus/password_policy/strong"
printf 'Password123!' > "$corpus/password_policy/common"
printf 'Pässwörd€-2026!x' > "$corpus/password_policy/non_ascii"
printf 'aaaa1234ABCD!' > "$corpus/password_policy/patterns"
printf '\x00\x01' > "$corpus/pfx_roundtrip/modern"
printf '\x01token signing \xe2\x82\xac' > "$corpus/pfx_roundtrip/compat_named"

# Key files and certificate files (pack's inputs): every key form, PEM and
# DER, plain and encrypted; certificates, bundles and PKCS#7 certs-only.
mkdir -p "$corpus"/{key_file,certificate_file}
K="$corpus/key_file"; C="$corpus/certificate_file"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out r.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out e.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out e3.pem
for k in r e e3; do
    cp $k.pem "$K/${k}_pkcs8.pem"
    openssl pkey -in $k.pem -outform DER -out "$K/${k}_pkcs8.der"
    openssl pkey -in $k.pem -traditional -out "$K/${k}_trad.pem"
    openssl pkcs8 -topk8 -in $k.pem -out "$K/${k}_enc.pem" -passout env:FUZZ_PW -iter 20 -v2 aes-256-cbc -v2prf hmacWithSHA256
    openssl pkcs8 -topk8 -in $k.pem -outform DER -out "$K/${k}_enc.der" -passout env:FUZZ_PW -iter 20 -v1 PBE-SHA1-3DES
done
openssl rsa -in r.pem -outform DER -traditional -out "$K/r_trad.der" 2>/dev/null
openssl ec -in e.pem -outform DER -out "$K/e_trad.der" 2>/dev/null
openssl ec -in e3.pem -outform DER -out "$K/e3_trad.der" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -out "$K/e_params_and_key.pem"
openssl genrsa -aes128 -passout env:FUZZ_PW -out "$K/r_proctype.pem" 1024 2>/dev/null
openssl req -x509 -key e.pem -out ca.pem -subj /CN=seedCA -days 400 2>/dev/null
openssl req -x509 -key r.pem -out r.crt -subj /CN=seedleaf -days 400 2>/dev/null
cat r.crt ca.pem > "$C/bundle.pem"
openssl x509 -in ca.pem -outform DER -out "$C/ca.der"
openssl crl2pkcs7 -nocrl -certfile r.crt -certfile ca.pem -out "$C/chain_pem.p7b"
openssl crl2pkcs7 -nocrl -certfile r.crt -certfile ca.pem -outform DER -out "$C/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile ca.pem -outform DER -out "$C/one.p7b"
cat r.crt "$K/e_params_and_key.pem" > "$C/cert_and_key.pem"

# PEM bundles (pem_bundle): a three-level chain in and out of order, with
# OpenSSL's "Bag Attributes" text, CRLF line ends, a key beside its
# certificate, and the blocks the reader refuses (traditional encryption
# headers, a mismatched END line, damaged base64).
mkdir -p "$corpus/pem_bundle"
B="$corpus/pem_bundle"
openssl req -x509 -key e3.pem -out root.pem -subj /CN=seedRoot -days 400 \
    -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -new -key e.pem -subj /CN=seedInter 2>/dev/null |
    openssl x509 -req -CA root.pem -CAkey e3.pem -days 400 -out inter.pem \
        -extfile <(printf 'basicConstraints=critical,CA:TRUE\n') 2>/dev/null
openssl req -new -key r.pem -subj /CN=seedLeaf 2>/dev/null |
    openssl x509 -req -CA inter.pem -CAkey e.pem -days 400 -out leaf.pem 2>/dev/null
cat leaf.pem inter.pem root.pem > "$B/chain.pem"
cat root.pem leaf.pem inter.pem > "$B/chain_out_of_order.pem"
{ printf 'Bag Attributes\n    localKeyID: 01 02\nsubject=/CN=seedLeaf\n'; cat leaf.pem; printf 'junk\n'; cat inter.pem; } > "$B/bag_attributes.pem"
sed 's/$/\r/' leaf.pem > "$B/crlf.pem"
cat leaf.pem r.pem > "$B/cert_and_key.pem"
cp "$K/r_proctype.pem" "$B/proc_type.pem"
sed 's/END CERTIFICATE/END X509 CRL/' leaf.pem > "$B/mismatched_end.pem"
sed '2s/^./*/' leaf.pem > "$B/damaged_base64.pem"
printf -- '-----BEGIN CERTIFICATE\r-----\nYWJj\n-----END CERTIFICATE\r-----\n' > "$B/cr_in_label.pem"

openssl version > "$corpus/SEEDS.txt"
echo "made by fuzz/make-seeds.sh on $(date -u +%Y-%m-%d)" >> "$corpus/SEEDS.txt"
echo "seeds written to $corpus"
