#!/usr/bin/env bash
# Builds every release artifact of the committed tree (HEAD) into target/dist/:
#
#   pfxgen-V-src.tar.gz        offline source bundle: `git archive HEAD`, every
#                              crate vendored (`cargo vendor`) and a
#                              .cargo/config.toml that uses them; reproducible
#   pfxgen-V-x86_64-linux      static binary (glibc linked in, a static-pie),
#                              built twice by scripts/repro-build.sh and
#                              compared before it is shipped
#   pfxgen_V-1_amd64.deb       /usr/bin/pfxgen, pfxgen(1), completions for
#   pfxgen-V-1.x86_64.rpm      bash, zsh, fish and PowerShell, licenses,
#                              README, SECURITY.md, AUDIT.md and the SBOM
#   pfxgen.1, completions/     the man page and completion scripts, as packaged
#   pfxgen-V.cdx.json          the SBOM (CycloneDX 1.5, scripts/sbom.py)
#   SHA256SUMS                 over every file above
#
#   scripts/dist.sh                  everything above
#   scripts/dist.sh --check-offline  also unpack the bundle in a new folder and
#                                    build it with no network (unshare -n) and
#                                    an empty CARGO_HOME, then run the binary
#   scripts/dist.sh --bundle-only [--check-offline]   only the source bundle
#   VARIANTS="release static" scripts/dist.sh   also check that the ordinary
#                                    `cargo build --release` binary is
#                                    reproducible (what CI runs)
#
# Needs: git, cargo (the crates fetched once: `cargo fetch`), python3, gzip;
# file, nm (binutils), dpkg-deb and rpmbuild (rpm) are installed with apt
# when missing, as are man-db, zsh and fish (scripts/check-docs.sh);
# --check-offline needs unshare with the right to make a network namespace
# (root). Uncommitted changes are not
# shipped: everything comes from HEAD.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
. scripts/lib.sh

check_offline=0
bundle_only=0
for arg in "$@"; do
    case $arg in
        --check-offline) check_offline=1 ;;
        --bundle-only) bundle_only=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "dist.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

# Tools from Debian packages, installed when missing (CI runs as root).
install_missing file:file nm:binutils dpkg-deb:dpkg rpmbuild:rpm

commit=$(git rev-parse HEAD)
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct "$commit")
version=$(git show "$commit:Cargo.toml" | sed -n 's/^version = "\(.*\)"$/\1/p' | head -n1)
[[ -n $version ]] || { echo "dist.sh: no version in Cargo.toml" >&2; exit 1; }
dist=$repo/target/dist
work=$dist/.work
if [[ -n $(git status --porcelain --untracked-files=no) ]]; then
    echo "note: the work tree has uncommitted changes; they are not part of the artifacts (HEAD is)"
fi
echo "== pfxgen $version, commit $commit (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
rm -rf "$dist"
mkdir -p "$work"

# Reproducible tar.gz of folder $2 (inside $1) to $3: sorted names, one
# mtime, numeric root owner, no atime/ctime, gzip without name or time.
reproducible_tar() {
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        --mode='u+rw,go+r,go-w' --format=posix \
        --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
        -C "$1" -cf - "$2" | gzip -9n >"$3"
}

# ---------------------------------------------------------------- bundle
bundle=pfxgen-$version-src.tar.gz
make_bundle() {
    local root=$work/src/pfxgen-$version
    echo "== offline source bundle $bundle"
    mkdir -p "$root"
    git archive --format=tar "$commit" | tar -x -C "$root"
    # Every crate on disk first, for every platform (cargo build and test
    # fetch only the host's); a no-op when they are, offline when no network.
    cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked --offline >/dev/null
    # Every crate of Cargo.lock, for every platform (Windows crates too: the
    # bundle also builds there). fuzz/ is its own workspace and is not
    # vendored: fuzzing needs nightly and the network anyway.
    cargo vendor --locked --offline --versioned-dirs --manifest-path "$root/Cargo.toml" \
        "$root/vendor" >/dev/null 2>"$work/vendor.log" ||
        { cat "$work/vendor.log" >&2; exit 1; }
    mkdir -p "$root/.cargo"
    cat >"$root/.cargo/config.toml" <<'EOF'
# Written by scripts/dist.sh: build from the crates in vendor/ only, so that
# `cargo build --release --offline --locked` needs no network and no registry.
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"
EOF
    reproducible_tar "$work/src" "pfxgen-$version" "$dist/$bundle"
    echo "   $(du -h "$dist/$bundle" | cut -f1), $(ls "$root/vendor" | wc -l) vendored crates"
}

# Unpacks the bundle in a new folder and builds it the way the README says,
# with no network and an empty cargo home, then runs the binary.
check_bundle_offline() {
    echo "== offline build of the bundle (unshare -n, empty CARGO_HOME)"
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pfxgen-offline.XXXXXX")
    mkdir "$dir/cargo-home"
    tar -xzf "$dist/$bundle" -C "$dir"
    # The toolchain stays where rustup put it; cargo's home is empty.
    local cargo rustc
    cargo=$(rustup which cargo 2>/dev/null || command -v cargo)
    rustc=$(rustup which rustc 2>/dev/null || command -v rustc)
    local start=$SECONDS
    unshare -n -- env CARGO_HOME="$dir/cargo-home" RUSTC="$rustc" \
        sh -c 'cd "$1" && "$2" build --release --offline --locked' sh \
        "$dir/pfxgen-$version" "$cargo"
    local took=$((SECONDS - start))
    local bin=$dir/pfxgen-$version/target/release/pfxgen
    "$bin" version
    (cd "$dir" && "$bin" generate --no-password --algorithm ecdsa-p256 --out "$dir" >/dev/null &&
        "$bin" verify --no-password "$dir/openssl.pfx" >/dev/null)
    if [[ -n $(ls -A "$dir/cargo-home") ]]; then
        echo "   (cargo wrote only its own caches to the empty home: $(ls -A "$dir/cargo-home" | tr '\n' ' '))"
    fi
    echo "   offline build OK in $took s; the built binary generated and verified a PFX"
    rm -rf "$dir"
}

make_bundle
if ((bundle_only)); then
    ((check_offline)) && check_bundle_offline
    (cd "$dist" && sha256sum "$bundle" | tee SHA256SUMS)
    exit 0
fi

# ---------------------------------------------------------------- binary
binary=pfxgen-$version-x86_64-linux
echo "== static binary $binary (scripts/repro-build.sh: two builds, compared)"
VARIANTS=${VARIANTS:-static} OUT_DIR="$work/bin" scripts/repro-build.sh
cp "$work/bin/pfxgen-static" "$dist/$binary"
chmod 0755 "$dist/$binary"
check_static() {
    local bin=$1 kind
    kind=$(file -b "$bin")
    echo "   file: $kind"
    [[ $kind == *"static-pie linked"* || $kind == *"statically linked"* ]] ||
        { echo "dist.sh: $bin is not statically linked" >&2; exit 1; }
    ldd "$bin" 2>&1 | grep -qE 'not a dynamic executable|statically linked' ||
        { echo "dist.sh: ldd lists libraries for $bin" >&2; exit 1; }
    # glibc's NSS (user, group and host lookups) would dlopen shared
    # libraries at run time; none of it may be linked in.
    local nss
    nss=$(nm "$bin" | awk '{print $NF}' |
        grep -E '^(getpw|getgr(nam|gid|ent)|getspnam|initgroups|getaddrinfo|gethostby|getservby|getnetby|getprotoby|_nss_|__nss_)' || true)
    [[ -z $nss ]] || { echo "dist.sh: NSS functions linked in: $nss" >&2; exit 1; }
    echo "   ldd: not dynamic; no NSS function linked in"
}
check_static "$dist/$binary"

# ---------------------------------------------------------------- docs
echo "== man page and completions (from the binary's command table)"
"$dist/$binary" __man >"$dist/pfxgen.1"
mkdir -p "$dist/completions"
"$dist/$binary" __completions bash >"$dist/completions/pfxgen.bash"
"$dist/$binary" __completions zsh >"$dist/completions/_pfxgen"
"$dist/$binary" __completions fish >"$dist/completions/pfxgen.fish"
"$dist/$binary" __completions powershell >"$dist/completions/pfxgen.ps1"
scripts/check-docs.sh "$dist/pfxgen.1" "$dist/completions"
python3 scripts/sbom.py "$dist/pfxgen-$version.cdx.json"

# ---------------------------------------------------------------- packages
# Lays out the installed files under $1; $2 is where zsh looks (Debian:
# vendor-completions, Fedora: site-functions).
stage() {
    local root=$1 zsh_dir=$2 doc=$1/usr/share/doc/pfxgen
    install -D -m 0755 "$dist/$binary" "$root/usr/bin/pfxgen"
    install -d -m 0755 "$root/usr/share/man/man1" "$doc"
    gzip -9n <"$dist/pfxgen.1" >"$root/usr/share/man/man1/pfxgen.1.gz"
    install -D -m 0644 "$dist/completions/pfxgen.bash" "$root/usr/share/bash-completion/completions/pfxgen"
    install -D -m 0644 "$dist/completions/_pfxgen" "$root/$zsh_dir/_pfxgen"
    install -D -m 0644 "$dist/completions/pfxgen.fish" "$root/usr/share/fish/vendor_completions.d/pfxgen.fish"
    install -D -m 0644 "$dist/completions/pfxgen.ps1" "$root/usr/share/pfxgen/completions/pfxgen.ps1"
    for f in README.md SECURITY.md AUDIT.md LICENSE-MIT LICENSE-APACHE; do
        git show "$commit:$f" >"$doc/$f"
        chmod 0644 "$doc/$f"
    done
    install -m 0644 "$dist/pfxgen-$version.cdx.json" "$doc/pfxgen.cdx.json"
}

summary="make, check and rotate an identity server's PKCS#12 token-signing certificate"
description="pfxgen makes, inspects, verifies and rotates the openssl.pfx an OAuth 2.0 /
OpenID Connect identity server (ASP.NET Core + IdentityServer) signs its
tokens with, in one pure-Rust binary: no OpenSSL, no C cryptography."

deb=pfxgen_$version-1_amd64.deb
make_deb() {
    echo "== $deb"
    local root=$work/deb
    stage "$root" usr/share/zsh/vendor-completions
    cat >"$root/usr/share/doc/pfxgen/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: pfxgen
Comment: The statically linked binary also contains the Rust crates listed
 in pfxgen.cdx.json (each under MIT, Apache-2.0 or a compatible licence, as
 listed there and in AUDIT.md) and the GNU C Library (LGPL-2.1-or-later).

Files: *
Copyright: 2026 The pfxgen authors
License: MIT or Apache-2.0
 See /usr/share/doc/pfxgen/LICENSE-MIT and /usr/share/doc/pfxgen/LICENSE-APACHE.
EOF
    mkdir -p "$root/DEBIAN"
    (cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
    cat >"$root/DEBIAN/control" <<EOF
Package: pfxgen
Version: $version-1
Architecture: amd64
Maintainer: The pfxgen authors <pfxgen@example.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Section: utils
Priority: optional
Homepage: https://example.invalid/pfxgen
Description: $summary
$(sed 's/^/ /' <<<"$description")
EOF
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    dpkg-deb --root-owner-group -Zxz -z9 --build "$root" "$dist/$deb" >/dev/null
    dpkg-deb -c "$dist/$deb"
}

rpm_name=pfxgen-$version-1.x86_64.rpm
make_rpm() {
    echo "== $rpm_name"
    local top=$work/rpm root=$work/rpm-root
    stage "$root" usr/share/zsh/site-functions
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    mkdir -p "$top/SPECS"
    {
        cat <<EOF
Name: pfxgen
Version: $version
Release: 1
Summary: $summary
License: MIT OR Apache-2.0
URL: https://example.invalid/pfxgen
BuildArch: x86_64
AutoReqProv: no

%description
$description

%install
cp -a "$root/." "%{buildroot}/"

%files
EOF
        # The files, and the folders that belong to pfxgen alone.
        (cd "$root" && find usr -type f | LC_ALL=C sort | sed 's|^|/|')
        echo "%dir /usr/share/doc/pfxgen"
        echo "%dir /usr/share/pfxgen"
        echo "%dir /usr/share/pfxgen/completions"
    } >"$top/SPECS/pfxgen.spec"
    # Reproducible: time from SOURCE_DATE_EPOCH, a fixed build host, no
    # debuginfo or post-install rewriting of the already built files.
    rpmbuild -bb --quiet --target x86_64-linux \
        --define "_topdir $top" \
        --define "_buildhost reproducible.invalid" \
        --define "use_source_date_epoch_as_buildtime 1" \
        --define "clamp_mtime_to_source_date_epoch 1" \
        --define "_build_id_links none" \
        --define "debug_package %{nil}" \
        --define "__os_install_post %{nil}" \
        --define "_binary_payload w9.gzdio" \
        "$top/SPECS/pfxgen.spec" >"$work/rpmbuild.log" 2>&1 ||
        { cat "$work/rpmbuild.log" >&2; exit 1; }
    cp "$top/RPMS/x86_64/$rpm_name" "$dist/$rpm_name"
    rpm -qlp "$dist/$rpm_name"
}

make_deb
make_rpm

# ---------------------------------------------------------------- sums
rm -rf "$work"
((check_offline)) && check_bundle_offline
(
    cd "$dist"
    find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS
    echo "== target/dist/SHA256SUMS"
    cat SHA256SUMS
    echo "== sizes"
    ls -l --time-style=+ "$bundle" "$binary" "$deb" "$rpm_name" | awk '{print $5, $NF}'
)
