#!/usr/bin/env bash
# Benchmark: wall time of `pfxgen generate` against the same job done with
# the openssl command line (req -x509 -newkey + pkcs12 -export), per key
# algorithm. Uses hyperfine (apt-get install hyperfine) and a release build.
#
#   scripts/bench-generate.sh [RUNS]
#
# Two OpenSSL variants are timed: its defaults (2048 iterations) and the
# same 200,000 iterations pfxgen uses, so the comparison is like for like.
set -euo pipefail
runs=${1:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release -p pfxgen --manifest-path "$root/Cargo.toml" >/dev/null
bin="$root/target/release/pfxgen"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export BENCH_PW='Correct-Horse-Battery-9!'
openssl version

for alg in rsa-2048 rsa-4096 ecdsa-p256; do
    case $alg in
        rsa-2048) newkey="rsa:2048" ;;
        rsa-4096) newkey="rsa:4096" ;;
        ecdsa-p256) newkey="ec -pkeyopt ec_paramgen_curve:P-256" ;;
    esac
    ossl="openssl req -x509 -newkey $newkey -nodes -keyout k.pem -out c.pem -days 365 -subj /CN=bench -sha256 2>/dev/null"
    hyperfine --runs "$runs" --warmup 2 --style basic --export-json "$alg.json" \
        --prepare 'rm -f openssl.pfx o.pfx k.pem c.pem' \
        -n "pfxgen $alg" "$bin generate --algorithm $alg --password-env BENCH_PW --out . >/dev/null" \
        -n "openssl $alg (defaults, 2048 iterations)" \
        "$ossl && openssl pkcs12 -export -inkey k.pem -in c.pem -out o.pfx -passout env:BENCH_PW" \
        -n "openssl $alg (200000 iterations)" \
        "$ossl && openssl pkcs12 -export -inkey k.pem -in c.pem -out o.pfx -passout env:BENCH_PW -iter 200000 -maciter -macalg sha256" \
        >/dev/null
    python3 - "$alg.json" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = r["times"]
    print(f'{r["command"]:<48} median {statistics.median(t)*1000:8.1f} ms   min {min(t)*1000:8.1f}   max {max(t)*1000:8.1f}   runs {len(t)}')
PY
done
