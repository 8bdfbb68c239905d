//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, nightly) and for
//! the corpus replay tests that run the same functions on stable.
//!
//! Each function takes arbitrary bytes, must never panic, and checks a
//! property where one exists. Limits are reduced so that the fuzzer explores
//! parsing instead of spending its time in key derivations.

#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::borrow::Cow;

use pfxgen_asn1::{Reader, ber};

use crate::{Limits, Password, Pfx, Profile, WriteOptions};

/// Limits for fuzzing: every structural limit as in production, but
/// iteration counts capped low so one input costs microseconds.
#[must_use]
pub fn limits() -> Limits {
    Limits {
        max_iterations: 64,
        max_work: 4096,
        ..Limits::default()
    }
}

/// `Pfx::parse` on arbitrary bytes; parsing twice gives the same answer.
pub fn pfx_parse(data: &[u8]) {
    let limits = limits();
    let first = Pfx::parse(data, &limits);
    let second = Pfx::parse(data, &limits);
    assert_eq!(
        first.is_ok(),
        second.is_ok(),
        "parsing is not deterministic"
    );
    if let Ok(pfx) = first {
        let _ = pfx.unencrypted_certificates();
        let _ = pfx.mac().map(|m| m.algorithm.to_string());
    }
}

/// Parse, then open with a fixed password, the empty and the absent one,
/// then run every analysis on what opened.
pub fn pfx_open(data: &[u8]) {
    let limits = limits();
    let Ok(pfx) = Pfx::parse(data, &limits) else {
        return;
    };
    for password in [
        Password::from_str_copy("fuzz"),
        Password::empty(),
        Password::absent(),
    ] {
        if let Ok(opened) = pfx.open(&password, &limits) {
            assert!(opened.work_spent <= limits.max_work, "work budget exceeded");
            let pairs = opened.key_certificates();
            assert_eq!(pairs.len(), opened.keys.len());
            if let Some(ee) = opened.end_entity() {
                let chain = opened.chain(ee);
                assert!(
                    chain.certificates.len() <= opened.certificates.len(),
                    "chain longer than the file"
                );
            }
        }
    }
}

/// BER normalisation: the output is never longer than the input, is DER by
/// our own strict reader's rules (normalising it again changes nothing),
/// and parses element by element.
pub fn ber_normalize(data: &[u8]) {
    let Ok(out) = ber::normalize(data, 32) else {
        return;
    };
    assert!(out.len() <= data.len(), "normalisation grew the input");
    let again = ber::normalize(&out, 32).expect("normalised output must normalise again");
    assert!(
        matches!(again, Cow::Borrowed(_)),
        "normalised output is not a fixed point"
    );
    assert_eq!(*again, *out);
    walk(&mut Reader::top(&out, "fuzz"), 0);
}

/// Reads every element strictly; constructed ones recursively.
fn walk(r: &mut Reader<'_>, depth: usize) {
    while !r.is_empty() {
        let tlv = r
            .read_any("element")
            .expect("normalised output must be strict DER");
        if tlv.tag & 0x20 != 0 && depth < 40 {
            walk(&mut tlv.reader(), depth + 1);
        }
    }
}

/// An EncryptedPrivateKeyInfo (PKCS#8 encrypted): parse the scheme, decrypt
/// with a fixed password, load the key if it decrypts.
pub fn encrypted_pkcs8(data: &[u8]) {
    let _ = crate::decrypt_pkcs8(data, &Password::from_str_copy("fuzz"), &limits());
}

/// Round trip: a PFX written from fuzzer-chosen options opens to exactly
/// the key and certificate that went in.
pub fn pfx_roundtrip(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let profile = if selector & 1 == 0 {
        Profile::Modern
    } else {
        Profile::Compat
    };
    // At most 63: within the fuzzing limits even when every derivation runs twice.
    let iterations = u32::from(selector >> 2).max(1);
    let friendly: String = String::from_utf8_lossy(rest)
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let Ok(key) = pfxgen_keygen::PrivateKey::generate(pfxgen_keygen::KeyAlgorithm::EcdsaP256)
    else {
        return;
    };
    let Ok(cert) = pfxgen_x509::CertificateParams::default().self_signed(&key) else {
        return;
    };
    let options = WriteOptions {
        profile,
        iterations,
        friendly_name: if friendly.is_empty() {
            None
        } else {
            Some(friendly.clone())
        },
    };
    let password = Password::empty();
    let der =
        crate::write_pfx(&key, &cert, &[], &password, &options).expect("writing must succeed");
    let limits = limits();
    let opened = Pfx::parse(&der, &limits)
        .and_then(|p| p.open(&password, &limits))
        .expect("our own file must open");
    assert_eq!(opened.certificates.len(), 1);
    assert_eq!(
        opened.certificates[0].certificate.as_ref().ok(),
        Some(&cert)
    );
    assert!(
        opened.keys[0]
            .key
            .as_ref()
            .is_ok_and(|k| k.matches(&key.public_key()))
    );
    if !friendly.is_empty() {
        assert_eq!(
            opened.keys[0].attributes.friendly_name.as_deref(),
            Some(friendly.as_str())
        );
    }
}

/// A private key file (PEM or DER, any form): recognise it, then load it
/// with a fixed password. A key that loads re-encrypts and decrypts to
/// the same key.
pub fn key_file(data: &[u8]) {
    let limits = limits();
    let Ok(file) = crate::KeyFile::parse(data, &limits) else {
        return;
    };
    let password = Password::from_str_copy("fuzz");
    if let Ok(key) = file.load(Some(&password), &limits) {
        let again = crate::encrypt_pkcs8(&key, &password, 1000)
            .and_then(|der| crate::decrypt_pkcs8(&der, &password, &Limits::default()))
            .expect("a loaded key must re-encrypt and decrypt");
        assert!(again.matches(&key.public_key()), "re-encrypted key differs");
    }
}

/// A certificate file (PEM, DER certificate, PKCS#7 PEM or DER): every
/// certificate read survives a PKCS#7 round trip.
pub fn certificate_file(data: &[u8]) {
    let limits = limits();
    let Ok(file) = crate::read_certificate_file(data, &limits) else {
        return;
    };
    assert!(!file.certificates.is_empty(), "an empty file was accepted");
    let p7 = crate::pkcs7_certs_only(&file.certificates);
    let back = crate::read_certificate_file(&p7, &Limits::default())
        .expect("our own PKCS#7 must read back");
    assert_eq!(back.certificates, file.certificates);
}

/// The PEM reader of key, certificate and PKCS#7 files (`pack`, `csr`,
/// `export`): at most [`crate::pem::MAX_PEM_BLOCKS`] blocks, never more
/// bytes out than text in, and every block it accepts writes back
/// ([`crate::pem::to_pem`]) and reads again to the same label and bytes.
/// The certificates of the bundle then go through end-entity selection and
/// chain building, which stay within the bundle and its bounds.
pub fn pem_bundle(data: &[u8]) {
    let Ok(blocks) = crate::pem::pem_blocks(data, &limits()) else {
        return;
    };
    assert!(
        blocks.len() <= crate::pem::MAX_PEM_BLOCKS,
        "too many blocks"
    );
    let decoded: usize = blocks.iter().map(|b| b.der.len()).sum();
    assert!(
        decoded <= data.len(),
        "decoded more bytes than the text holds"
    );
    for block in &blocks {
        let pem = crate::pem::to_pem(&block.label, &block.der)
            .expect("a label that was read must be writable");
        let back = crate::pem::pem_blocks(pem.as_bytes(), &Limits::default())
            .expect("our own PEM must read back");
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].label, block.label);
        assert_eq!(*back[0].der, *block.der);
    }
    let certificates: Vec<pfxgen_x509::Certificate> = blocks
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .filter_map(|b| pfxgen_x509::Certificate::from_der(&b.der).ok())
        .collect();
    let readable: Vec<Option<&pfxgen_x509::Certificate>> = certificates.iter().map(Some).collect();
    if let Some(leaf) = pfxgen_x509::end_entity_of(&readable) {
        let chain = pfxgen_x509::Chain::build(&readable, leaf);
        let length = chain.certificates.len();
        assert!(length <= readable.len().min(pfxgen_x509::MAX_CHAIN_LENGTH));
        assert_eq!(chain.signatures.len(), length);
        let mut seen = chain.certificates.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), length, "a certificate appears twice in a chain");
    }
}
