//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the
//! same functions the cargo-fuzz targets call, on stable, in every
//! `cargo test`. A crash the fuzzer found and that was fixed stays fixed.
//! (`kdf_differential` is replayed by `tests/kdf.rs`, next to its oracles.)

use pfxgen_keygen::fuzzing::replay;
use pfxgen_pkcs12::fuzzing;

/// What a target runs on one input.
type Target = fn(&[u8]);

/// Each target of this crate and its function; `replay` names the target
/// and the corpus file that failed.
const TARGETS: [(&str, Target); 8] = [
    ("pfx_parse", fuzzing::pfx_parse),
    ("pfx_open", fuzzing::pfx_open),
    ("ber_normalize", fuzzing::ber_normalize),
    ("encrypted_pkcs8", fuzzing::encrypted_pkcs8),
    ("pfx_roundtrip", fuzzing::pfx_roundtrip),
    ("key_file", fuzzing::key_file),
    ("certificate_file", fuzzing::certificate_file),
    ("pem_bundle", fuzzing::pem_bundle),
];

#[test]
fn replay_every_corpus() {
    for (target, function) in TARGETS {
        replay(target, function);
    }
}
