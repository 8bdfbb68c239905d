//! PBMAC1 (RFC 9579): the RFC's own test vectors (Appendix A), provenance in
//! `tests/examples/rfc9579/README.md`. Password `1234`, UTF-8.

use pfxgen_pkcs12::{Error, Limits, MacAlgorithm, MacStatus, Password, Pfx};

const A1_SHA256: &[u8] = include_bytes!("examples/rfc9579/a1_pbmac1_sha256.p12");
const A2_SHA256_SHA512: &[u8] = include_bytes!("examples/rfc9579/a2_pbmac1_sha256_sha512.p12");
const A3_SHA512: &[u8] = include_bytes!("examples/rfc9579/a3_pbmac1_sha512.p12");
const A4_BAD_ITERATIONS: &[u8] = include_bytes!("examples/rfc9579/a4_invalid_iteration_count.p12");
const A5_BAD_SALT: &[u8] = include_bytes!("examples/rfc9579/a5_invalid_salt.p12");
const A6_NO_KEY_LENGTH: &[u8] = include_bytes!("examples/rfc9579/a6_missing_key_length.p12");

fn open(bytes: &[u8], password: &str) -> Result<pfxgen_pkcs12::Opened, Error> {
    let limits = Limits::default();
    Pfx::parse(bytes, &limits)?.open(&Password::from_str_copy(password), &limits)
}

#[test]
fn pbmac1_valid_vectors_verify() {
    for (name, bytes) in [
        ("A.1", A1_SHA256),
        ("A.2", A2_SHA256_SHA512),
        ("A.3", A3_SHA512),
    ] {
        let pfx = Pfx::parse(bytes, &Limits::default()).unwrap();
        assert!(
            matches!(pfx.mac().unwrap().algorithm, MacAlgorithm::Pbmac1 { .. }),
            "{name}"
        );
        let opened = open(bytes, "1234").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(matches!(opened.mac, MacStatus::Verified(_)), "{name}");
        assert_eq!(opened.keys.len(), 1, "{name}");
        assert_eq!(opened.certificates.len(), 1, "{name}");
    }
}

#[test]
fn pbmac1_wrong_password_is_reported_as_such() {
    let err = open(A1_SHA256, "12345").unwrap_err();
    assert!(matches!(err, Error::WrongPassword), "{err}");
}

#[test]
fn pbmac1_ignores_macdata_iterations_and_salt() {
    // A.4: PBKDF2 iterationCount 2049 while the MAC was made with 2048 (the
    // value left in MacData.iterations): must fail.
    // A.5: PBKDF2 salt "NOT USED", the real salt only in MacData.macSalt.
    for (name, bytes) in [("A.4", A4_BAD_ITERATIONS), ("A.5", A5_BAD_SALT)] {
        let err = open(bytes, "1234").unwrap_err();
        assert!(matches!(err, Error::IntegrityCheckFailed), "{name}: {err}");
    }
}

#[test]
fn pbmac1_missing_key_length_is_refused_before_any_work() {
    let err = Pfx::parse(A6_NO_KEY_LENGTH, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("keyLength"), "{err}");
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
}
