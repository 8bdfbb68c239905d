//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the
//! same functions the cargo-fuzz targets call, on stable, in every
//! `cargo test`. A crash the fuzzer found and that was fixed stays fixed.

use pfxgen_keygen::fuzzing::replay;
use pfxgen_pkcs12::fuzzing;

#[test]
fn replay_pfx_parse() {
    replay("pfx_parse", fuzzing::pfx_parse);
}

#[test]
fn replay_pfx_open() {
    replay("pfx_open", fuzzing::pfx_open);
}

#[test]
fn replay_ber_normalize() {
    replay("ber_normalize", fuzzing::ber_normalize);
}

#[test]
fn replay_encrypted_pkcs8() {
    replay("encrypted_pkcs8", fuzzing::encrypted_pkcs8);
}

#[test]
fn replay_pfx_roundtrip() {
    replay("pfx_roundtrip", fuzzing::pfx_roundtrip);
}

#[test]
fn replay_key_file() {
    replay("key_file", fuzzing::key_file);
}

#[test]
fn replay_certificate_file() {
    replay("certificate_file", fuzzing::certificate_file);
}

#[test]
fn replay_pem_bundle() {
    replay("pem_bundle", fuzzing::pem_bundle);
}
