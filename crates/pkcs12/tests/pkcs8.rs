//! `decrypt_pkcs8` on its own: `EncryptedPrivateKeyInfo` files written by
//! the real OpenSSL CLI (`tests/examples/pkcs8/gen.sh`), the wrong password,
//! and its limits (input size in `boundaries.rs`; the derivation budget
//! here).

use pfxgen_pkcs12::{Error, Limits, Password, decrypt_pkcs8};

const SPKI: &[u8] = include_bytes!("examples/pkcs8/spki.der");
const PBES2_AES256_SHA256: &[u8] = include_bytes!("examples/pkcs8/pbes2_aes256_sha256.p8");
const PBES2_3DES_SHA1: &[u8] = include_bytes!("examples/pkcs8/pbes2_3des_sha1.p8");
const PKCS12_PBE_3DES: &[u8] = include_bytes!("examples/pkcs8/pkcs12_pbe_3des.p8");

const ALL: [(&str, &[u8]); 3] = [
    ("PBES2 AES-256 SHA-256", PBES2_AES256_SHA256),
    ("PBES2 3DES SHA-1", PBES2_3DES_SHA1),
    ("PKCS#12 PBE 3DES", PKCS12_PBE_3DES),
];

#[test]
fn decrypt_pkcs8_reads_what_openssl_writes() {
    for (name, der) in ALL {
        let key = decrypt_pkcs8(der, &Password::from_str_copy("pw"), &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.public_key().to_spki_der(), SPKI, "{name}");
    }
}

#[test]
fn decrypt_pkcs8_with_the_wrong_password_is_a_decryption_failure() {
    for (name, der) in ALL {
        for wrong in ["pW", "", "pw "] {
            match decrypt_pkcs8(der, &Password::from_str_copy(wrong), &Limits::default()) {
                Err(Error::DecryptionFailed {
                    what,
                    mac_verified: false,
                }) => assert_eq!(what, "the private key"),
                other => panic!("{name} with {wrong:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn decrypt_pkcs8_refuses_a_damaged_ciphertext() {
    for (name, der) in ALL {
        // Flip a bit in the last ciphertext block: the padding (or the
        // decrypted structure) no longer checks out.
        let mut damaged = der.to_vec();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x01;
        assert!(
            matches!(
                decrypt_pkcs8(&damaged, &Password::from_str_copy("pw"), &Limits::default()),
                Err(Error::DecryptionFailed { .. })
            ),
            "{name}"
        );
    }
}

#[test]
fn decrypt_pkcs8_refuses_trailing_bytes_and_non_sequences() {
    let mut trailing = PBES2_AES256_SHA256.to_vec();
    trailing.push(0);
    assert!(matches!(
        decrypt_pkcs8(
            &trailing,
            &Password::from_str_copy("pw"),
            &Limits::default()
        ),
        Err(Error::Malformed { .. })
    ));
    assert!(matches!(
        decrypt_pkcs8(
            &[0x05, 0x00],
            &Password::from_str_copy("pw"),
            &Limits::default()
        ),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn decrypt_pkcs8_iteration_count_is_checked_against_max_iterations() {
    // All three files use 2048 iterations.
    for (name, der) in ALL {
        let pw = Password::from_str_copy("pw");
        let at = Limits {
            max_iterations: 2048,
            ..Limits::default()
        };
        assert!(decrypt_pkcs8(der, &pw, &at).is_ok(), "{name}");
        let below = Limits {
            max_iterations: 2047,
            ..Limits::default()
        };
        assert!(
            matches!(
                decrypt_pkcs8(der, &pw, &below),
                Err(Error::IterationCount { .. })
            ),
            "{name}"
        );
    }
}
