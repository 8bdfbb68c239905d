#!/usr/bin/env bash
# Places the offline RustSec advisory-database snapshot where deny.toml's
# `[advisories] db-path = "target/advisory-dbs"` makes cargo-deny look for it,
# exactly as ../shared/advisory-db/SNAPSHOT.md prescribes:
#
#   target/advisory-dbs/advisory-db-3157b0e258782691   a git checkout (the
#   folder name is the one cargo-deny derives from the default database URL)
#   whose single commit carries the snapshot's date, 2026-08-21T08:28:40Z
#   (cargo-deny reads the database's date from HEAD).
#
# Source of the snapshot, in order: $ADVISORY_DB_SNAPSHOT, else
# ../shared/advisory-db relative to the repository root.
#
# Idempotent: when the checkout already holds exactly the snapshot's files
# (recorded as a SHA-256 over every file path and content) at the fixed
# commit date, nothing is done. Otherwise the checkout is rebuilt from
# scratch. The commit is deterministic (fixed tree, author, committer and
# dates), so its id is the same on every machine; the script prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

src=${ADVISORY_DB_SNAPSHOT:-$repo/../shared/advisory-db}
dest=$repo/target/advisory-dbs/advisory-db-3157b0e258782691
snapshot_date=2026-08-21T08:28:40Z

if [[ ! -d $src/crates ]]; then
    echo "prepare-advisory-db: no advisory-db snapshot at $src" >&2
    echo "  (set ADVISORY_DB_SNAPSHOT to the folder that holds crates/ and rust/)" >&2
    exit 2
fi
src=$(cd "$src" && pwd -P)

# Fingerprint of the snapshot: every regular file's path and content.
fingerprint() {
    (cd "$1" && find . -path ./.git -prune -o -type f -print0 |
        LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
want=$(fingerprint "$src")
stamp=$dest/.git/pfxgen-snapshot.sha256

if [[ -f $stamp && $(cat "$stamp") == "$want" ]] &&
    [[ $(git -C "$dest" log -1 --format=%ct 2>/dev/null) == "$(date -u -d "$snapshot_date" +%s)" ]] &&
    [[ -z $(git -C "$dest" status --porcelain 2>/dev/null) ]]; then
    echo "prepare-advisory-db: up to date ($dest at $(git -C "$dest" rev-parse HEAD))"
    exit 0
fi

echo "prepare-advisory-db: copying $src -> $dest"
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$src"/. "$dest"/
# The shared copy is read-only; make ours writable so a later run can replace it.
chmod -R u+w "$dest"
rm -rf "$dest/.git"
git -C "$dest" init -q
git -C "$dest" add -A
GIT_AUTHOR_DATE=$snapshot_date GIT_COMMITTER_DATE=$snapshot_date \
    git -C "$dest" -c user.name=snapshot -c user.email=snapshot@localhost \
    -c commit.gpgsign=false commit -qm snapshot
echo "$want" >"$stamp"
echo "prepare-advisory-db: snapshot committed as $(git -C "$dest" rev-parse HEAD) ($(git -C "$dest" log -1 --format=%cI))"
