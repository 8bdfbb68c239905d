//! Key-derivation and MAC values from sources independent of this crate,
//! so that a mistake shared by the reader and the test builders
//! (`testing::mac_data` uses the crate's own KDF) cannot go unnoticed.

#![allow(clippy::unwrap_used)]

use pfxgen_asn1::writer as d;
use pfxgen_pkcs12::{
    Hash, Limits, MacStatus, Password, PasswordForm, Pfx,
    kdf::{self, KdfPurpose},
    testing::{self, hex},
};

/// golang.org/x/crypto/pkcs12, `pbkdf_test.go`,
/// `TestThatPBKDFWorksCorrectlyForLongKeys`: SHA-1, ID 1 (key), 2048
/// iterations, 24 bytes (more than one SHA-1 block). Also what OpenSSL 3.0
/// gives: `openssl kdf -keylen 24 -kdfopt digest:SHA1 -kdfopt
/// hexpass:0073006500730061006d00650000 -kdfopt hexsalt:ffffffffffffffff
/// -kdfopt iter:2048 -kdfopt id:1 PKCS12KDF`.
#[test]
fn pkcs12_kdf_go_vector_for_long_keys() {
    let password = Password::from_str_copy("sesame").bmp();
    assert_eq!(*password, hex("0073006500730061006d00650000"));
    let key = kdf::pkcs12_kdf(Hash::Sha1, &password, &[0xFF; 8], KdfPurpose::Key, 2048, 24);
    assert_eq!(
        *key,
        hex("7cd9fd3e2b3be7691a44e3bef0f9ea0fb9b897d4e325d9d1")
    );
}

/// golang.org/x/crypto/pkcs12, `pbkdf_test.go`,
/// `TestThatPBKDFHandlesLeadingZeros`: an intermediate I_j with a leading
/// zero byte (the empty password, BMP `00 00`).
#[test]
fn pkcs12_kdf_go_vector_with_leading_zeros() {
    let key = kdf::pkcs12_kdf(
        Hash::Sha1,
        &Password::empty().bmp(),
        &hex("f37e05b518324b4b"),
        KdfPurpose::Key,
        2048,
        24,
    );
    assert_eq!(
        *key,
        hex("00f759ff47d14dd03665d5943cb3c4a39a2555c02aed66e1")
    );
}

/// The MAC key of `testing::mac_data` (password `pw`, salt 16 x 07, 2048
/// iterations, SHA-256) and the MAC over `30 00`, from OpenSSL 3.0:
/// `openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexpass:007000770000
/// -kdfopt hexsalt:07070707070707070707070707070707 -kdfopt iter:2048
/// -kdfopt id:3 PKCS12KDF`, then `printf '\x30\x00' | openssl dgst -sha256
/// -mac HMAC -macopt hexkey:<key>`.
const PW_MAC_KEY: &str = "F8760E44A8D919DDFDBE2D4E2D2CD5BED1B5E086EF0DFB350622FE22B88CBE2E";
const PW_MAC_OVER_EMPTY_SEQUENCE: &str =
    "897c5fc0f8be5f9b7243837fd1c3aa4b34fa04561f43aea862cc182e48e79d88";

#[test]
fn pkcs12_kdf_mac_key_and_hmac_match_openssl() {
    let key = kdf::pkcs12_kdf(
        Hash::Sha256,
        &Password::from_str_copy("pw").bmp(),
        &[7; 16],
        KdfPurpose::Mac,
        2048,
        32,
    );
    assert_eq!(*key, hex(PW_MAC_KEY));
    assert_eq!(
        kdf::hmac(Hash::Sha256, &key, &[0x30, 0x00]),
        hex(PW_MAC_OVER_EMPTY_SEQUENCE)
    );
}

/// The MacData over an empty SEQUENCE written by hand from the value
/// OpenSSL computed: HMAC-SHA256, salt 16 x 07, 2048 iterations.
fn openssl_mac_data() -> Vec<u8> {
    let alg = d::sequence(&[
        &d::oid(&der::asn1::ObjectIdentifier::new_unwrap(
            "2.16.840.1.101.3.4.2.1",
        )),
        &d::null(),
    ]);
    d::sequence(&[
        &d::sequence(&[&alg, &d::octet_string(&hex(PW_MAC_OVER_EMPTY_SEQUENCE))]),
        &d::octet_string(&[7; 16]),
        &d::integer_u64(2048),
    ])
}

/// The test builder writes exactly the MacData OpenSSL's values give, so the
/// hostile-input tests that rely on it start from a correct MAC.
#[test]
fn testing_mac_data_is_the_independently_computed_mac() {
    let auth_safe = [0x30, 0x00];
    let iterations = d::integer_u64(2048);
    let built = testing::mac_data(
        &Password::from_str_copy("pw"),
        &auth_safe,
        &iterations,
        2048,
    );
    assert_eq!(built, openssl_mac_data());
}

/// A PFX whose MacData is written by hand from the OpenSSL-computed value
/// verifies, and fails for another password: the reader's MAC check is
/// pinned to an outside value, not to the crate's own KDF.
#[test]
fn a_mac_computed_by_openssl_verifies() {
    let pfx = testing::pfx_with(
        &d::integer_u64(3),
        &testing::data_content(&[0x30, 0x00]),
        Some(&openssl_mac_data()),
    );
    let parsed = Pfx::parse(&pfx, &Limits::default()).unwrap();
    // A classic PKCS#12 HMAC is what .NET can verify (PBMAC1 is not:
    // boundaries.rs and work_budget.rs).
    assert!(parsed.mac().unwrap().dotnet_supported());
    let opened = parsed
        .open(&Password::from_str_copy("pw"), &Limits::default())
        .unwrap();
    assert_eq!(opened.mac, MacStatus::Verified(PasswordForm::AsGiven));
    assert!(
        parsed
            .open(&Password::from_str_copy("pW"), &Limits::default())
            .is_err()
    );
}
