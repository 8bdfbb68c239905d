#!/bin/sh
# Mutation testing of the PKCS#12 security core: BER normalisation, ciphers,
# PKCS#8, MacData, SafeBags, the PFX limits and budget, the KDFs, and
# error.rs (where the limit checks check_limit / check_input_size live).
#
#   cargo install --locked cargo-mutants   # once
#   scripts/mutants.sh                     # all core files (long: see below)
#   scripts/mutants.sh --re 'ber.rs'       # narrow to some mutants
#
# Each mutant is built and tested with the unit and integration tests of
# pfxgen-asn1 (which holds ber.rs) and pfxgen-pkcs12 (doctests are skipped
# for time). Results go to
# target/mutants.out (outcomes.json, caught.txt, missed.txt...). The
# remaining survivors and why each is harmless are listed in
# crates/pkcs12/MUTANTS.md; a new survivor means a missing test or a new
# entry there. About 550 mutants at some 9 s each on an idle two-core
# machine (80 minutes); to finish sooner, split the files with --file and run
# the parts side by side in separate worktrees, each with --in-place. Run it before closing an
# issue that touches these files, not in every CI run.
set -eu
cd "$(dirname "$0")/.."
if ! command -v cargo-mutants >/dev/null 2>&1; then
    echo "cargo-mutants is not installed: cargo install --locked cargo-mutants" >&2
    exit 2
fi
exec cargo mutants \
    --package pfxgen-asn1 \
    --package pfxgen-pkcs12 \
    --test-package pfxgen-asn1 \
    --test-package pfxgen-pkcs12 \
    --file crates/asn1/src/ber.rs \
    --file crates/pkcs12/src/cipher.rs \
    --file crates/pkcs12/src/pkcs8.rs \
    --file crates/pkcs12/src/mac_data.rs \
    --file crates/pkcs12/src/safe_bag.rs \
    --file crates/pkcs12/src/pfx.rs \
    --file crates/pkcs12/src/limits.rs \
    --file crates/pkcs12/src/kdf.rs \
    --file crates/pkcs12/src/error.rs \
    --output target \
    "$@" \
    -- --lib --tests
