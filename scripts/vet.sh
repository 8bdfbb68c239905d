#!/usr/bin/env bash
# Supply-chain gate: who has reviewed each third-party crate. Runs cargo-vet
# with supply-chain/ and exits non-zero when a crate or version in Cargo.lock
# has neither a safe-to-deploy audit (ours in supply-chain/audits.toml, or an
# imported one recorded in supply-chain/imports.lock) nor an exemption in
# supply-chain/config.toml (safe-to-run is enough for dev-dependencies).
#
#   scripts/vet.sh [ARGS]     installs cargo-vet if it is missing
#                             (`cargo install --locked cargo-vet`), then runs
#                             `cargo vet --locked [ARGS]`: it reads
#                             imports.lock and never fetches the imported
#                             audit sets. This is what CI runs.
#
#   scripts/vet.sh --imports-from DIR ARGS
#                             for a machine that cannot reach the imported
#                             sets' URLs: serves DIR (copies of the sets,
#                             named NAME.audits.toml after the [imports.NAME]
#                             entries of config.toml) on 127.0.0.1, points
#                             config.toml's import URLs there, runs
#                             `cargo vet ARGS` (which refreshes imports.lock),
#                             and puts the URLs back. For example, after
#                             adding a dependency:
#                                 scripts/vet.sh --imports-from DIR regenerate exemptions
#                                 scripts/audit-map.py    # writes the exemption notes
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo vet --version >/dev/null 2>&1; then
    echo "== installing cargo-vet (cargo install --locked cargo-vet)"
    cargo install --locked cargo-vet
fi
echo "== $(cargo vet --version)"

if [[ ${1:-} != --imports-from ]]; then
    echo "== cargo vet --locked $*"
    exec cargo vet --locked "$@"
fi

dir=$(cd "${2:?--imports-from needs a folder}" && pwd)
shift 2
config=supply-chain/config.toml
saved=$(mktemp)
cp "$config" "$saved"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" >/dev/null 2>&1 &
server=$!
restore() {
    kill "$server" 2>/dev/null || true
    # Put the original URLs back, keeping whatever else cargo vet changed.
    python3 - "$config" "$saved" "$port" <<'PY'
import re, sys
config, saved, port = sys.argv[1:]
urls = dict(re.findall(r'(?m)^\[imports\.([^\]]+)\]\nurl = "([^"]+)"', open(saved).read()))
text = open(config).read()
for name, url in urls.items():
    text = text.replace(f'url = "http://127.0.0.1:{port}/{name}.audits.toml"', f'url = "{url}"')
open(config, "w").write(text)
PY
    rm -f "$saved"
}
trap restore EXIT
python3 - "$config" "$dir" "$port" <<'PY'
import os, re, sys
config, folder, port = sys.argv[1:]
text = open(config).read()
names = re.findall(r'(?m)^\[imports\.([^\]]+)\]\nurl = "[^"]+"', text)
missing = [n for n in names if not os.path.isfile(os.path.join(folder, f"{n}.audits.toml"))]
if missing:
    sys.exit(f"vet.sh: {folder} has no " + ", ".join(f"{n}.audits.toml" for n in missing))
for n in names:
    text = re.sub(rf'(?m)^(\[imports\.{re.escape(n)}\]\nurl = )"[^"]+"',
                  lambda m: f'{m.group(1)}"http://127.0.0.1:{port}/{n}.audits.toml"', text)
open(config, "w").write(text)
PY
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null && break
    sleep 0.1
done
echo "== cargo vet $* (imports served from $dir)"
cargo vet "$@"
