#!/usr/bin/env bash
# Benchmark: wall time of `pfxgen generate` against the same job done with
# the openssl command line (req -x509 -newkey + pkcs12 -export), per key
# algorithm, at equal parameters. Uses hyperfine (apt-get install hyperfine)
# and a release build.
#
#   scripts/bench-generate.sh [RUNS] [ALGORITHM...]
#
# Two pairs per algorithm: 2,048 iterations (OpenSSL's default, pfxgen
# `--iterations 2048`) and 200,000 (pfxgen's default, OpenSSL `-iter 200000
# -maciter -macalg sha256`). Prints each median and pfxgen / openssl.
set -euo pipefail
runs=${1:-15}
shift || true
algs=("$@")
((${#algs[@]})) || algs=(rsa-2048 rsa-4096 ecdsa-p256 ecdsa-p384)
. "$(dirname "$0")/lib.sh"
bench_setup
cd "$work"

for alg in "${algs[@]}"; do
    case $alg in
        rsa-2048) newkey="rsa:2048" ;;
        rsa-4096) newkey="rsa:4096" ;;
        ecdsa-p256) newkey="ec -pkeyopt ec_paramgen_curve:P-256" ;;
        ecdsa-p384) newkey="ec -pkeyopt ec_paramgen_curve:P-384" ;;
        *) echo "unknown algorithm $alg" >&2; exit 2 ;;
    esac
    case $alg in ecdsa-p384) md=-sha384 ;; *) md=-sha256 ;; esac
    ossl="openssl req -x509 -newkey $newkey -nodes -keyout k.pem -out c.pem -days 365 -subj /CN=bench $md 2>/dev/null"
    export_cmd="openssl pkcs12 -export -inkey k.pem -in c.pem -out o.pfx -passout env:BENCH_PW"
    hyperfine --runs "$runs" --warmup 2 --style basic --export-json "$alg.json" \
        --prepare 'rm -f openssl.pfx o.pfx k.pem c.pem' \
        -n "pfxgen $alg, 2048 iterations" \
        "$bin generate --algorithm $alg --iterations 2048 --password-env BENCH_PW --out . >/dev/null" \
        -n "openssl $alg, 2048 iterations" "$ossl && $export_cmd" \
        -n "pfxgen $alg, 200000 iterations" \
        "$bin generate --algorithm $alg --password-env BENCH_PW --out . >/dev/null" \
        -n "openssl $alg, 200000 iterations" "$ossl && $export_cmd -iter 200000 -maciter -macalg sha256" \
        >/dev/null
    bench_summary "$alg.json" 40 "2048 iterations" "200000"
done
