#!/usr/bin/env bash
# Benchmark: `pfxgen audit` over N distinct password-protected PFX files
# (default 2000, made with `pfxgen generate` at its default 200,000
# iterations), spread over service folders, plus copies that share a
# certificate, against a shell loop of `openssl pkcs12 -nokeys` over the same
# files (which, like audit, checks the MAC and decrypts the certificates).
# Uses hyperfine and a release build.
#
#   scripts/bench-audit.sh [N] [RUNS]
set -euo pipefail
n=${1:-2000}
runs=${2:-3}
. "$(dirname "$0")/lib.sh"
bench_setup
echo "making $n files in $work ..."
start=$(date +%s)
seq 1 "$n" | xargs -P "$(nproc)" -I{} sh -c '
    d="'"$work"'/env{}"; mkdir -p "$d"
    printf "{ \"X509CertificatePath\": \"openssl.pfx\" }" > "$d/appsettings.json"
    "'"$bin"'" generate --algorithm ecdsa-p256 --out "$d" --password-env BENCH_PW >/dev/null'
# Ten copies: the same certificate in two places, found as REUSE.
for i in $(seq 1 10); do mkdir -p "$work/copy$i"; cp "$work/env$i/openssl.pfx" "$work/copy$i/"; done
echo "made in $(( $(date +%s) - start )) s"
echo "* env:BENCH_PW" > "$work/map"
cd "$work"
hyperfine --runs "$runs" --style basic -i --export-json audit.json \
    -n "pfxgen audit" "$bin audit . --passwords map --json >/dev/null" \
    -n "openssl pkcs12 -nokeys loop" \
    'for f in */openssl.pfx; do openssl pkcs12 -in "$f" -nokeys -passin env:BENCH_PW >/dev/null || exit 1; done' \
    >/dev/null
python3 - audit.json "$n" <<'PY'
import json, statistics, sys
rs = json.load(open(sys.argv[1]))["results"]
n = int(sys.argv[2]) + 10
for r in rs:
    t = r["times"]
    print(f'{r["command"]:<28} {n} files: median {statistics.median(t):.2f} s, min {min(t):.2f} s, max {max(t):.2f} s over {len(t)} runs; {statistics.median(t)/n*1000:.1f} ms per file')
m = [statistics.median(r["times"]) for r in rs]
print(f"pfxgen / openssl: {m[0]/m[1]:.2f}")
PY
# The 10 planted copies are REUSE findings, so audit exits 1 here: expected.
status=0
"$bin" audit . --passwords map > summary.txt || status=$?
tail -1 summary.txt
[ "$status" -eq 1 ] || { echo "audit exited $status, expected 1 (findings)" >&2; exit 1; }
