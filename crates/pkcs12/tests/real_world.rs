//! PFX files from Windows, macOS, Firefox/NSS and OpenSSL (provenance and
//! hashes in `tests/examples/real-world/README.md`), all holding the same
//! PKITS key and certificate, password `password`.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
#![allow(clippy::panic)]

use pfxgen_pkcs12::{
    Cipher, Content, EncryptionScheme, Hash, Limits, MacAlgorithm, MacStatus, Password, Pfx,
};

const CERT: &[u8] = include_bytes!("examples/real-world/end_entity.crt");

fn check(name: &str, bytes: &[u8]) -> Pfx {
    let limits = Limits::default();
    let pfx = Pfx::parse(bytes, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
    let opened = pfx
        .open(&Password::from_str_copy("password"), &limits)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(matches!(opened.mac, MacStatus::Verified(_)), "{name}");
    assert_eq!(opened.keys.len(), 1, "{name}");
    assert_eq!(opened.certificates.len(), 1, "{name}");
    let cert = opened.certificates[0].certificate.as_ref().unwrap();
    assert_eq!(cert.der(), CERT, "{name}: certificate bytes");
    let key = opened.keys[0].key.as_ref().unwrap();
    assert!(
        key.matches(&cert.public_key().unwrap()),
        "{name}: key does not match"
    );
    assert_eq!(opened.key_certificates(), vec![Some(0)]);
    assert_eq!(
        opened.keys[0].attributes.friendly_name.as_deref(),
        Some("Valid Certificate Path Test1 EE"),
        "{name}"
    );
    assert!(matches!(
        pfx.open(&Password::from_str_copy("Password"), &limits),
        Err(pfxgen_pkcs12::Error::WrongPassword)
    ));
    pfx
}

/// The hash and iteration count of a classic PKCS#12 MAC.
fn pkcs12_mac(pfx: &Pfx) -> (Hash, u32) {
    match &pfx.mac().unwrap().algorithm {
        MacAlgorithm::Pkcs12Hmac {
            hash, iterations, ..
        } => (*hash, *iterations),
        other => panic!("not a PKCS#12 MAC: {other:?}"),
    }
}

/// Whether some encrypted content of `pfx` uses a scheme `is_expected`
/// accepts.
fn any_encrypted(pfx: &Pfx, is_expected: impl Fn(&EncryptionScheme) -> bool) -> bool {
    pfx.contents().iter().any(|c| match c {
        Content::Encrypted {
            scheme: Ok(scheme), ..
        } => is_expected(scheme),
        _ => false,
    })
}

#[test]
fn decode_openssl_3des() {
    let pfx = check(
        "openssl",
        include_bytes!("examples/real-world/openssl_3des.p12"),
    );
    assert!(!pfx.was_ber());
    assert_eq!(pkcs12_mac(&pfx), (Hash::Sha1, 2048));
}

#[test]
fn decode_firefox_nss_ber_with_rc2_40_certificates() {
    let pfx = check(
        "firefox",
        include_bytes!("examples/real-world/firefox_nss_ber.p12"),
    );
    assert!(pfx.was_ber(), "NSS writes indefinite lengths");
    assert_eq!(pfx.mac().unwrap().iterations(), 600_000);
    assert!(any_encrypted(&pfx, |scheme| matches!(
        scheme,
        EncryptionScheme::Pkcs12Pbe {
            cipher: Cipher::Rc2 { effective_bits: 40 },
            ..
        }
    )));
}

#[test]
fn decode_macos_keychain_mac_with_one_iteration() {
    let pfx = check(
        "macos",
        include_bytes!("examples/real-world/macos_keychain.p12"),
    );
    assert_eq!(pfx.mac().unwrap().iterations(), 1);
}

#[test]
fn decode_windows_aes_with_nul_terminated_friendly_name() {
    let pfx = check(
        "windows-aes",
        include_bytes!("examples/real-world/windows_aes.pfx"),
    );
    assert_eq!(pkcs12_mac(&pfx), (Hash::Sha256, 2000));
    assert!(any_encrypted(&pfx, |scheme| matches!(
        scheme,
        EncryptionScheme::Pbes2 {
            cipher: Cipher::Aes256,
            ..
        }
    )));
}

#[test]
fn decode_windows_tdes() {
    let pfx = check(
        "windows-tdes",
        include_bytes!("examples/real-world/windows_tdes.pfx"),
    );
    assert_eq!(pkcs12_mac(&pfx).0, Hash::Sha1);
}
