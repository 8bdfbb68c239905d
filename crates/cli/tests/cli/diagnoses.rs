//! What `verify` says, and with which exit status, when a password opens
//! only part of a file: a key under its own password (Java `keytool
//! -keypass` made such files), given the store password and given the key
//! password. The file is assembled from two files pfxgen writes, one per
//! password, with the MAC made over the result with the store password.

use crate::common::{TempDir, pfxgen};
use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{Password, Profile, WriteOptions, testing, write_pfx};
use pfxgen_x509::CertificateParams;

/// The (header length, content length) of the DER element at the start of
/// `der` (definite lengths only: pfxgen writes DER).
fn header(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let n = usize::from(first & 0x7F);
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    (2 + n, len)
}

/// The content of the element at the start of `der`, and what follows it.
fn split(der: &[u8]) -> (&[u8], &[u8]) {
    let (h, len) = header(der);
    (&der[h..h + len], &der[h + len..])
}

/// The ContentInfos of a DER PFX, as encoded.
fn content_infos(pfx: &[u8]) -> Vec<Vec<u8>> {
    let (pfx_body, _) = split(pfx);
    let (_, rest) = split(pfx_body); // version
    let (auth_safe_ci, _) = split(rest);
    let (_, rest) = split(auth_safe_ci); // contentType
    let (explicit, _) = split(rest); // [0]
    let (octets, _) = split(explicit);
    let (mut items, _) = split(octets);
    let mut out = Vec::new();
    while !items.is_empty() {
        let (h, len) = header(items);
        out.push(items[..h + len].to_vec());
        items = &items[h + len..];
    }
    out
}

/// Whether a ContentInfo is `encryptedData` (1.2.840.113549.1.7.6).
fn is_encrypted(ci: &[u8]) -> bool {
    let (body, _) = split(ci);
    let (oid, _) = split(body);
    oid.last() == Some(&6)
}

#[test]
fn a_key_under_its_own_password_is_diagnosed_for_each_password() {
    let dir = TempDir::new("two-passwords");
    let d = dir.path();
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    let options = WriteOptions {
        profile: Profile::Modern,
        iterations: 2048,
        ..WriteOptions::default()
    };
    let (store, keypass) = ("Store-Pass-1!", "Key-Pass-2!");
    let with = |pw: &str| {
        content_infos(&write_pfx(&key, &cert, &[], &Password::from_str_copy(pw), &options).unwrap())
    };
    let certs = with(store).into_iter().find(|ci| is_encrypted(ci)).unwrap();
    let key_ci = with(keypass)
        .into_iter()
        .find(|ci| !is_encrypted(ci))
        .unwrap();
    let file = testing::pfx(&[certs, key_ci], &Password::from_str_copy(store), 2048);
    std::fs::write(d.join("two.pfx"), file).unwrap();

    let args = ["verify", "two.pfx", "--password-env", "PFXGEN_TEST_PW"];
    let run = pfxgen(d, &args, Some(store))
        .fails_with(3)
        .stderr_contains(
            "cannot decrypt the private key in bag 1, although the integrity check (MAC) \
             verified with this password",
        )
        .stderr_contains("hint: pfxgen takes one password per file");
    assert!(run.stdout().is_empty(), "{}", run.describe());
    pfxgen(d, &args, Some(keypass))
        .fails_with(3)
        .stderr_contains(
            "the integrity check (MAC) fails with this password, which decrypts the private \
             key in ContentInfo #1 but not the encrypted SafeContents (ContentInfo #0)",
        )
        .stderr_contains(
            "hint: if the file has a store password and a key password, give the store password",
        );
    pfxgen(d, &args, Some("neither"))
        .fails_with(3)
        .stderr_contains("wrong password");
}
