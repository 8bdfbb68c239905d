//! Fuzz entry points (see `fuzz/`): PKCS#8 and SubjectPublicKeyInfo decoding.

#![allow(clippy::expect_used, clippy::panic)]

use crate::{PrivateKey, PublicKey};

/// Decodes an unencrypted PKCS#8 key; a key that loads re-encodes to a
/// PKCS#8 that loads to the same key.
pub fn pkcs8(data: &[u8]) {
    if let Ok(key) = PrivateKey::from_pkcs8_der(data) {
        let der = key.to_pkcs8_der().expect("a loaded key must encode");
        let again = PrivateKey::from_pkcs8_der(&der).expect("our own encoding must load");
        assert!(
            again.matches(&key.public_key()),
            "round trip changed the key"
        );
    }
    if let Ok(public) = PublicKey::from_spki_der(data) {
        let again =
            PublicKey::from_spki_der(public.to_spki_der()).expect("canonical SPKI must load");
        assert_eq!(again, public);
    }
}

/// Replays every committed input of `fuzz/corpus/<target>/` through `f` and
/// panics naming the first input that panics (or when the corpus is
/// missing or empty). The corpus replay tests of every crate use this, on
/// stable, so a crash found by the fuzzer and fixed stays fixed.
pub fn replay(target: &str, f: fn(&[u8])) {
    // Read at run time: a compile-time `env!` would bake the build folder into
    // this crate and make release builds differ between folders.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("run under cargo test");
    let dir = std::path::Path::new(&manifest_dir)
        .join("../../fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut n = 0;
    for entry in entries {
        let path = entry.expect("corpus entry").path();
        let data = std::fs::read(&path).expect("corpus file");
        let result = std::panic::catch_unwind(|| f(&data));
        assert!(result.is_ok(), "{target}: {} panicked", path.display());
        n += 1;
    }
    assert!(n > 0, "{target}: empty corpus in {}", dir.display());
}
