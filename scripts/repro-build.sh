#!/usr/bin/env bash
# Reproducible-build check: builds the release `pfxgen` binary twice from the
# committed tree (HEAD), in two different temporary folders with separate
# target directories and nothing shared but the toolchain and the already
# downloaded crates, then compares the SHA-256 of the two binaries. Exits 1
# if they differ.
#
#   scripts/repro-build.sh            build HEAD twice, compare
#   KEEP=1 scripts/repro-build.sh     keep the two build folders (for diffoscope)
#   REPRO_DIR=/path scripts/repro-build.sh   build under /path instead of $TMPDIR
#
# What makes the builds path-independent:
#   --remap-path-prefix=<build folder>=/build      the source and target folders
#   --remap-path-prefix=<cargo home>=/cargo        crate sources from the registry
#   (the standard library already carries /rustc/<commit> paths)
#   CARGO_INCREMENTAL=0, the release profile of Cargo.toml (codegen-units = 1,
#   thin LTO, panic = abort, debuginfo stripped), --locked, SOURCE_DATE_EPOCH
#   from the commit date (rustc does not read it; build scripts may).
# The flags are passed with CARGO_ENCODED_RUSTFLAGS (unit separator between
# flags) so that folders with spaces work.
#
# Uncommitted changes are NOT built: the script builds `git archive HEAD`.
# Works offline (`cargo fetch` must have been run once: the script uses the
# crates already in $CARGO_HOME, --offline).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

cargo_home=${CARGO_HOME:-$HOME/.cargo}
cargo_home=$(cd "$cargo_home" && pwd -P)
commit=$(git rev-parse HEAD)
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct "$commit")
export CARGO_INCREMENTAL=0
unset RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR || true

echo "== toolchain"
rustc -Vv
cargo -V
echo "== commit $commit (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
if [[ -n $(git status --porcelain --untracked-files=no) ]]; then
    echo "note: the work tree has uncommitted changes; they are not part of this build (HEAD is built)"
fi

# Make sure every crate is on disk before going offline (no-op when it is).
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked --offline >/dev/null

base=$(mktemp -d "${REPRO_DIR:-${TMPDIR:-/tmp}}/pfxgen-repro.XXXXXX")
base=$(cd "$base" && pwd -P)
cleanup() {
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "== kept $base"
    else
        rm -rf "$base"
    fi
}
trap cleanup EXIT

sep=$'\x1f'
build() {
    local dir=$1
    mkdir -p "$dir/src"
    git archive --format=tar "$commit" | tar -x -C "$dir/src"
    local flags="--remap-path-prefix=$dir=/build${sep}--remap-path-prefix=$cargo_home=/cargo"
    echo "== building in $dir" >&2
    local start=$SECONDS
    (
        cd "$dir/src"
        CARGO_TARGET_DIR="$dir/target" CARGO_ENCODED_RUSTFLAGS="$flags" \
            cargo build --release --locked --offline -p pfxgen --quiet
    )
    echo "   built in $((SECONDS - start)) s" >&2
}

# Two different folders: paths differ, so only the remapping can make the
# binaries equal. Built one after the other (each uses all cores).
build "$base/a"
build "$base/b"

hash_a=$(sha256sum "$base/a/target/release/pfxgen" | cut -d' ' -f1)
hash_b=$(sha256sum "$base/b/target/release/pfxgen" | cut -d' ' -f1)
size=$(stat -c %s "$base/a/target/release/pfxgen")
echo "== results (commit $commit, $size bytes)"
echo "$hash_a  build A ($base/a)"
echo "$hash_b  build B ($base/b)"

# Tell-tales of non-reproducible builds, reported either way.
for x in a b; do
    if grep -qaF "$base" "$base/$x/target/release/pfxgen"; then
        echo "warning: build $x embeds its build folder path" >&2
    fi
    if grep -qaF "$cargo_home" "$base/$x/target/release/pfxgen"; then
        echo "warning: build $x embeds the cargo home path" >&2
    fi
done

if [[ $hash_a != "$hash_b" ]]; then
    echo "NOT REPRODUCIBLE: the two builds differ (rerun with KEEP=1 and compare them with diffoscope)" >&2
    exit 1
fi
echo "REPRODUCIBLE: sha256 $hash_a"
