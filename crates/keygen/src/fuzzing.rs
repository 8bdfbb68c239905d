//! Fuzz entry points (see `fuzz/`): PKCS#8 and SubjectPublicKeyInfo decoding.

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
