//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the
//! same functions the cargo-fuzz targets call, on stable, in every
//! `cargo test`. A crash the fuzzer found and that was fixed stays fixed.

use std::path::PathBuf;

fn replay(target: &str, f: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| f(&data));
        assert!(result.is_ok(), "{target}: {} panicked", path.display());
        n += 1;
    }
    assert!(n > 0, "{target}: empty corpus in {}", dir.display());
}

#[test]
fn replay_pfx_parse() {
    replay("pfx_parse", pfxgen_pkcs12::fuzzing::pfx_parse);
}

#[test]
fn replay_pfx_open() {
    replay("pfx_open", pfxgen_pkcs12::fuzzing::pfx_open);
}

#[test]
fn replay_ber_normalize() {
    replay("ber_normalize", pfxgen_pkcs12::fuzzing::ber_normalize);
}

#[test]
fn replay_encrypted_pkcs8() {
    replay("encrypted_pkcs8", pfxgen_pkcs12::fuzzing::encrypted_pkcs8);
}

#[test]
fn replay_pfx_roundtrip() {
    replay("pfx_roundtrip", pfxgen_pkcs12::fuzzing::pfx_roundtrip);
}
