#!/usr/bin/env bash
# Benchmark: the speed of pfxgen's key derivation against the hardware
# limit, and `verify` of a default file against `openssl pkcs12 -noout`.
#
#   scripts/bench-kdf.sh [RUNS]
#
# 1. SHA-256 compressions per CPU second inside PBKDF2-HMAC-SHA256 (the
#    `work_calibration` example: 2,000,000 iterations, two compressions
#    each), beside what `openssl speed -evp sha256` gets from the same
#    compression function on 16 KiB blocks (bytes per second / 64). The
#    ratio is how close the KDF loop runs to the hash itself. Both are CPU
#    time, so a busy machine does not skew the ratio much.
# 2. Wall time of `pfxgen verify` of one file made by `pfxgen generate` at
#    its defaults (ECDSA P-256, 200,000 iterations: a MAC and two PBKDF2
#    derivations) against `openssl pkcs12 -noout` on the same file, which
#    does the same three derivations. Uses hyperfine (apt-get install
#    hyperfine) and a release build.
set -euo pipefail
runs=${1:-21}
. "$(dirname "$0")/lib.sh"
bench_setup

echo "== KDF compression rate (CPU time)"
ours=$(cargo run --release --quiet -p pfxgen-pkcs12 --example work_calibration \
    --manifest-path "$root/Cargo.toml" | awk '/one SHA-256 compression/ { print $4 }')
speed=$(openssl speed -evp sha256 -bytes 16384 -seconds 3 2>/dev/null | awk '/^sha256/ { print $2 }')
python3 - "$ours" "$speed" <<'PY'
import sys
ns = float(sys.argv[1])
kb = float(sys.argv[2].rstrip("k"))  # openssl speed prints 1000s of bytes per second
ours = 1e9 / ns
ossl = kb * 1000 / 64
print(f"pfxgen PBKDF2-HMAC-SHA256:         {ours/1e6:6.2f} M compressions/s")
print(f"openssl speed -evp sha256 (16 KiB): {ossl/1e6:6.2f} M compressions/s")
print(f"ratio: {ours/ossl*100:.0f}%")
PY

echo "== verify of a default file (wall time)"
cd "$work"
"$bin" generate --algorithm ecdsa-p256 --password-env BENCH_PW --out . >/dev/null
hyperfine --runs "$runs" --warmup 2 --style basic --export-json verify.json \
    -n "pfxgen verify" "$bin verify openssl.pfx --password-env BENCH_PW >/dev/null" \
    -n "openssl pkcs12 -noout" "openssl pkcs12 -in openssl.pfx -noout -passin env:BENCH_PW" \
    >/dev/null
bench_summary verify.json 24
