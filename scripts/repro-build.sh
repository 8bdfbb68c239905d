#!/usr/bin/env bash
# Reproducible-build check: builds the `pfxgen` binaries twice from the
# committed tree (HEAD), in two different temporary folders with separate
# target directories and nothing shared but the toolchain and the already
# downloaded crates, then compares the SHA-256 of the two builds of each.
# Exits 1 if they differ. Two variants:
#   release   `cargo build --release` as a developer runs it (glibc, dynamic)
#   static    the binary that is shipped (scripts/dist.sh): the same, with
#             `-C target-feature=+crt-static --target x86_64-unknown-linux-gnu`
#             (glibc linked in: a static-pie with no run-time dependencies)
#
#   scripts/repro-build.sh            build both variants twice, compare
#   VARIANTS=static scripts/repro-build.sh   only the static binary
#   OUT_DIR=/path scripts/repro-build.sh     also copy build A's binaries to
#                                     /path/pfxgen-<variant> (for dist.sh)
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
variants=(${VARIANTS:-release static})
# Where a variant's binary lands inside its target directory.
binary_path() {
    case $1 in
        release) echo release/pfxgen ;;
        static) echo x86_64-unknown-linux-gnu/release/pfxgen ;;
        *) echo "unknown variant $1 (release or static)" >&2; exit 2 ;;
    esac
}
build() {
    local dir=$1 variant=$2
    [[ -d $dir/src ]] || { mkdir -p "$dir/src"; git archive --format=tar "$commit" | tar -x -C "$dir/src"; }
    local flags="--remap-path-prefix=$dir=/build${sep}--remap-path-prefix=$cargo_home=/cargo"
    local target=()
    if [[ $variant == static ]]; then
        # --target keeps the flag away from build scripts and proc-macros,
        # which must stay dynamic to be loaded by the compiler.
        flags+="${sep}-Ctarget-feature=+crt-static"
        target=(--target x86_64-unknown-linux-gnu)
    fi
    echo "== building $variant in $dir" >&2
    local start=$SECONDS
    (
        cd "$dir/src"
        CARGO_TARGET_DIR="$dir/target" CARGO_ENCODED_RUSTFLAGS="$flags" \
            cargo build --release --locked --offline -p pfxgen "${target[@]}" --quiet
    )
    echo "   built in $((SECONDS - start)) s" >&2
}

# Two different folders: paths differ, so only the remapping can make the
# binaries equal. Built one after the other (each uses all cores).
for variant in "${variants[@]}"; do
    binary_path "$variant" >/dev/null
    build "$base/a" "$variant"
    build "$base/b" "$variant"
done

status=0
for variant in "${variants[@]}"; do
    rel=$(binary_path "$variant")
    hash_a=$(sha256sum "$base/a/target/$rel" | cut -d' ' -f1)
    hash_b=$(sha256sum "$base/b/target/$rel" | cut -d' ' -f1)
    size=$(stat -c %s "$base/a/target/$rel")
    echo "== results: $variant (commit $commit, $size bytes)"
    echo "$hash_a  build A ($base/a/target/$rel)"
    echo "$hash_b  build B ($base/b/target/$rel)"
    # Tell-tales of non-reproducible builds, reported either way.
    for x in a b; do
        if grep -qaF "$base" "$base/$x/target/$rel"; then
            echo "warning: build $x embeds its build folder path" >&2
        fi
        if grep -qaF "$cargo_home" "$base/$x/target/$rel"; then
            echo "warning: build $x embeds the cargo home path" >&2
        fi
    done
    if [[ $hash_a != "$hash_b" ]]; then
        echo "NOT REPRODUCIBLE ($variant): the two builds differ (rerun with KEEP=1 and compare them with diffoscope)" >&2
        status=1
        continue
    fi
    echo "REPRODUCIBLE ($variant): sha256 $hash_a"
    if [[ -n ${OUT_DIR:-} ]]; then
        mkdir -p "$OUT_DIR"
        cp "$base/a/target/$rel" "$OUT_DIR/pfxgen-$variant"
    fi
done
exit $status
