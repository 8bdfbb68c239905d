#!/usr/bin/env bash
# Supply-chain gate: runs every cargo-deny check (advisories, bans, licenses,
# sources) with the policy in deny.toml, offline, against the RustSec snapshot
# in ../shared/advisory-db (or $ADVISORY_DB_SNAPSHOT). Exits non-zero on any
# violation.
#
#   scripts/deny.sh           offline: installs cargo-deny if it is missing
#                             (`cargo install --locked cargo-deny`), places the
#                             snapshot (scripts/prepare-advisory-db.sh), then
#                             `cargo deny --offline check`.
#
#   scripts/deny.sh --live    with network access: the same policy against the
#                             live RustSec database. deny.toml's db-path points
#                             at the offline snapshot, and cargo-deny has no
#                             switch or environment variable that overrides
#                             db-path, so this writes target/deny-live.toml =
#                             deny.toml without its `db-path` (and without the
#                             staleness allowance, since a live database is never
#                             stale) and runs
#                                 cargo deny --config target/deny-live.toml check
#                             which clones/updates the database in cargo-deny's
#                             default place ($CARGO_HOME/advisory-dbs) and also
#                             checks yanked versions against the live index.
#                             By hand, the same is:
#                                 sed -e '/^db-path *=/d' -e '/^maximum-db-staleness *=/d' \
#                                     deny.toml > target/deny-live.toml
#                                 cargo deny --config target/deny-live.toml check
#
# Extra arguments after the mode are passed to `cargo deny check`, e.g.
# `scripts/deny.sh advisories` or `scripts/deny.sh --live bans licenses`.
set -euo pipefail
cd "$(dirname "$0")/.."

live=0
if [[ ${1:-} == --live ]]; then
    live=1
    shift
fi

if ! cargo deny --version >/dev/null 2>&1; then
    echo "== installing cargo-deny (cargo install --locked cargo-deny)"
    cargo install --locked cargo-deny
fi
echo "== $(cargo deny --version)"

if ((live)); then
    mkdir -p target
    sed -e '/^db-path *=/d' -e '/^maximum-db-staleness *=/d' deny.toml >target/deny-live.toml
    echo "== cargo deny --config target/deny-live.toml check $* (live advisory database)"
    cargo deny --config target/deny-live.toml check "$@"
    exit
fi

if ! scripts/prepare-advisory-db.sh; then
    # Without the snapshot (a machine that does not have ../shared), the
    # advisories cannot be checked offline; bans, licenses and sources still
    # are, and the gap is stated loudly rather than failing the build.
    echo "warning: no offline advisory snapshot; advisories NOT checked here" >&2
    echo "== cargo deny --offline check bans licenses sources"
    cargo deny --offline check bans licenses sources
    exit
fi
db=target/advisory-dbs/advisory-db-3157b0e258782691
snapshot_epoch=$(git -C "$db" log -1 --format=%ct)
age_days=$((($(date -u +%s) - snapshot_epoch) / 86400))
echo "== advisory database snapshot of $(git -C "$db" log -1 --format=%cI) ($age_days days old)"
if ((age_days > 90)); then
    echo "warning: the advisory snapshot is $age_days days old; refresh ../shared/advisory-db" \
        "or run scripts/deny.sh --live where the network allows" >&2
fi

echo "== cargo deny --offline check $*"
cargo deny --offline check "$@"
