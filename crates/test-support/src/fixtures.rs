//! Keys and PFX files built with pfxgen's own library, for tests that need
//! a file with a given shape faster or odder than `pfxgen generate` makes.

use std::path::Path;

use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{Limits, Opened, Password, Pfx, WriteOptions, testing, write_pfx};
use pfxgen_x509::{Certificate, CertificateParams};

/// PBKDF2 iterations of the fixtures: low, so that tests stay quick.
pub const ITERATIONS: u32 = 2048;

/// A fresh ECDSA P-256 key (the quickest to generate).
#[must_use]
pub fn p256_key() -> PrivateKey {
    PrivateKey::generate(KeyAlgorithm::EcdsaP256).expect("generate a P-256 key")
}

/// A fresh ECDSA P-256 key and its self-signed certificate (the default
/// certificate parameters).
#[must_use]
pub fn p256_identity() -> (PrivateKey, Certificate) {
    let key = p256_key();
    let cert = self_signed(&key, &CertificateParams::default());
    (key, cert)
}

/// The certificate `params` describes, self-signed by `key`.
#[must_use]
pub fn self_signed(key: &PrivateKey, params: &CertificateParams) -> Certificate {
    params.self_signed(key).expect("self-sign the certificate")
}

/// A PFX of `key` and its certificate `cert`, under `password`, written
/// with `options` (the default profile with [`ITERATIONS`] when `None`).
#[must_use]
pub fn pfx(
    key: &PrivateKey,
    cert: &Certificate,
    password: &str,
    options: Option<&WriteOptions>,
) -> Vec<u8> {
    let quick = WriteOptions {
        iterations: ITERATIONS,
        ..WriteOptions::default()
    };
    let password = Password::from_str_copy(password);
    write_pfx(key, cert, &[], &password, options.unwrap_or(&quick)).expect("write the PFX")
}

/// Writes to `path` a PFX of `key` and the certificate `params` describes,
/// self-signed, under `password` ([`ITERATIONS`] iterations).
pub fn write_self_signed(
    path: &Path,
    key: &PrivateKey,
    params: &CertificateParams,
    password: &str,
) {
    let bytes = pfx(key, &self_signed(key, params), password, None);
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// A PFX built bag by bag: one unencrypted data content holding a key bag
/// per key and a certificate bag per certificate, none of them paired by
/// a local key id, under `password` ([`ITERATIONS`] iterations).
#[must_use]
pub fn loose_bags(keys: &[&PrivateKey], certs: &[&Certificate], password: &str) -> Vec<u8> {
    let mut bags: Vec<Vec<u8>> = keys
        .iter()
        .map(|k| testing::key_bag(&k.to_pkcs8_der().expect("PKCS#8"), &[]))
        .collect();
    bags.extend(certs.iter().map(|c| testing::cert_bag(c.der(), &[])));
    let contents = vec![testing::data_content(&testing::safe_contents(&bags))];
    testing::pfx(&contents, &Password::from_str_copy(password), ITERATIONS)
}

/// A PEM block labelled `label` around the Base64 text `base64`, in lines
/// of `width` characters, each line (the BEGIN and END lines too) ending
/// in `eol` (`"\n"`, or `"\r\n"` as Windows tools write it).
#[must_use]
pub fn pem(label: &str, base64: &str, width: usize, eol: &str) -> String {
    let mut out = format!("-----BEGIN {label}-----{eol}");
    for chunk in base64.as_bytes().chunks(width) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str(eol);
    }
    out.push_str(&format!("-----END {label}-----{eol}"));
    out
}

/// Opens the PFX at `path` with the library under default limits; tests
/// also call it only to assert that the file opens.
///
/// # Panics
/// If the file cannot be read, parsed or opened with `password`.
pub fn open(path: &Path, password: &str) -> Opened {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let limits = Limits::default();
    Pfx::parse(&bytes, &limits)
        .expect("parse the PFX")
        .open(&Password::from_str_copy(password), &limits)
        .expect("open the PFX")
}
