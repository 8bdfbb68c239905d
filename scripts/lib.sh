# Shell functions shared by the scripts in this folder; each sources it with
#   . "$(dirname "$0")/lib.sh"
# It defines functions only and runs nothing.

# install_missing PROGRAM:PACKAGE...: installs with apt the Debian package of
# every PROGRAM not on PATH (CI runs as root), updating the package lists only
# when a first attempt fails; stops the script with a message naming the
# packages when apt cannot install them.
install_missing() {
    local need=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
    done
    ((${#need[@]})) || return 0
    echo "== installing ${need[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; } ||
        { echo "$(basename "$0"): cannot install ${need[*]}" >&2; exit 1; }
}

# bench_setup: what every benchmark starts with. Builds the release binary and
# sets `root` (the repository), `bin` (target/release/pfxgen) and `work` (a
# new scratch folder, removed on exit); exports BENCH_PW, the password the
# benchmark's files are made with; prints the OpenSSL version, the cores and
# the load average the numbers are measured under.
bench_setup() {
    root=$(cd "$(dirname "$0")/.." && pwd)
    cargo build --release -p pfxgen --manifest-path "$root/Cargo.toml" >/dev/null
    bin="$root/target/release/pfxgen"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    export BENCH_PW='Correct-Horse-Battery-9!'
    echo "$(openssl version); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_summary JSON WIDTH [LABEL...]: from hyperfine's --export-json file,
# one line per command (its name padded to WIDTH, then the median, minimum and
# maximum wall time in ms and the number of runs), then the ratio of the
# medians of each pfxgen / openssl pair (commands 1 and 2, 3 and 4, ...),
# each followed by "at LABEL" when LABELs are given.
bench_summary() {
    python3 - "$@" <<'PY'
import json, statistics, sys
rs = json.load(open(sys.argv[1]))["results"]
width, labels = int(sys.argv[2]), sys.argv[3:]
for r in rs:
    t = r["times"]
    print(f'{r["command"]:<{width}} median {statistics.median(t)*1000:8.1f} ms   min {min(t)*1000:8.1f}   max {max(t)*1000:8.1f}   runs {len(t)}')
m = [statistics.median(r["times"]) for r in rs]
ratios = [f"{m[i]/m[i+1]:.2f}" for i in range(0, len(m) - 1, 2)]
if labels:
    ratios = [f"{r} at {label}" for r, label in zip(ratios, labels)]
print("pfxgen / openssl: " + ", ".join(ratios))
PY
}
