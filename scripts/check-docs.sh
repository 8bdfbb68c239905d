#!/usr/bin/env bash
# Checks the man page and the shell completions that pfxgen generates from
# its command table (`pfxgen __man`, `pfxgen __completions SHELL`):
#   - `man --warnings` renders pfxgen(1) without a single warning;
#   - bash, zsh and fish accept their scripts (`-n`), and fish's completion
#     engine, given the script, completes a command, an option, a choice and
#     a folder as expected (bash's is exercised by crates/cli/tests/cli/docgen.rs);
#   - the PowerShell script is only generated: no PowerShell here to run it.
#
#   scripts/check-docs.sh                 generate with target/debug/pfxgen
#                                         (built first), then check
#   scripts/check-docs.sh PAGE DIR        check a page and a completions folder
#                                         (pfxgen.bash, _pfxgen, pfxgen.fish,
#                                         pfxgen.ps1), as scripts/dist.sh does
#
# Installs man-db, zsh and fish with apt when they are missing and apt is
# usable (CI runs as root); otherwise it stops with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if (($# == 0)); then
    cargo build --locked -p pfxgen --quiet
    out=target/docs-check
    mkdir -p "$out/completions"
    target/debug/pfxgen __man >"$out/pfxgen.1"
    for shell in bash zsh fish powershell; do
        target/debug/pfxgen __completions "$shell" >"$out/completions/$shell"
    done
    mv "$out/completions/bash" "$out/completions/pfxgen.bash"
    mv "$out/completions/zsh" "$out/completions/_pfxgen"
    mv "$out/completions/fish" "$out/completions/pfxgen.fish"
    mv "$out/completions/powershell" "$out/completions/pfxgen.ps1"
    set -- "$out/pfxgen.1" "$out/completions"
fi
page=$1
comp=$(cd "$2" && pwd)

install_missing man:man-db zsh:zsh fish:fish

echo "== man --warnings $page"
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
if [[ -n $warnings ]]; then
    echo "$warnings" >&2
    echo "check-docs.sh: man printed warnings" >&2
    exit 1
fi
lines=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | wc -l)
((lines > 100)) || { echo "check-docs.sh: the page renders to only $lines lines" >&2; exit 1; }
echo "   no warnings; $lines lines at 80 columns"

echo "== completion scripts parse"
bash -n "$comp/pfxgen.bash"
zsh -n "$comp/_pfxgen"
fish --no-execute "$comp/pfxgen.fish"
[[ -s $comp/pfxgen.ps1 ]]
echo "   bash, zsh, fish: OK; PowerShell: generated, not run (no PowerShell here)"

echo "== fish completes from the script"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/service-a"
touch "$tmp/service.pfx"
expect() {
    local line=$1 want=$2 got
    got=$(cd "$tmp" && fish --no-config -c "source '$comp/pfxgen.fish'; complete -C '$line'" | cut -f1 | LC_ALL=C sort | tr '\n' ' ')
    if [[ $got != "$want" ]]; then
        echo "check-docs.sh: fish completes '$line' to '$got', expected '$want'" >&2
        exit 1
    fi
}
expect "pfxgen ge" "gen generate "
expect "pfxgen generate --algorithm ecdsa-p3" "ecdsa-p384 "
expect "pfxgen rotate --service-dir serv" "service-a/ "
expect "pfxgen verify --js" "--json "
echo "   OK"
