//! Weaknesses and producer quirks (docs/consumers.md, "Weaknesses"):
//! reported, never refused.

use pfxgen_keygen::SignatureAlgorithm;
use pfxgen_pkcs12::{
    BagKind, Cipher, Content, EncryptionScheme, Hash, MacAlgorithm, MacStatus, Opened, Pfx,
};

use super::verdict::{KdfUse, count, kdf_uses};

/// Iteration counts above this are not flagged as low.
pub const LOW_ITERATIONS: u32 = 100_000;

/// Departures from the standard that pfxgen read anyway, one sentence
/// each: bytes after the PFX, a PBES2 keyLength that does not match the
/// cipher, NSS's BMPString PBES2 password, a certificate stored twice.
#[must_use]
pub fn producer_quirks(pfx: &Pfx, opened: Option<&Opened>) -> Vec<String> {
    let mut out = Vec::new();
    let trailing = pfx.trailing_bytes();
    if trailing > 0 {
        out.push(format!(
            "{} after the end of the PFX ignored (not covered by the MAC; OpenSSL and \
             .NET ignore them too)",
            count(trailing as u64, "byte")
        ));
    }
    for u in kdf_uses(pfx, opened) {
        let Some(s) = &u.scheme else { continue };
        if let Some((len, cipher_len)) = s.key_length_mismatch() {
            let alternative = s
                .key_length_cipher()
                .map(|c| format!(" (or {}, as NSS reads it)", c.name()))
                .unwrap_or_default();
            out.push(format!(
                "{}: PBES2 keyLength {len} does not match {} ({cipher_len} bytes), a producer \
                 bug; read as {}{alternative}",
                u.what,
                s.cipher().name(),
                s.cipher().name()
            ));
        }
    }
    if let Some(o) = opened {
        out.extend(o.workarounds.iter().map(ToString::to_string));
        out.extend(duplicate_certificates(o));
    }
    out
}

/// A certificate stored more than once. .NET loads such files: its loader
/// (dotnet/runtime `X509CertificateLoader.Pkcs12.cs`, `ProcessSafeContents`)
/// counts certificates against `MaxCertificates` without looking for
/// duplicates, and on Linux `X509CertificateLoader.Unix.cs`
/// (`MatchCertAndKeys`) binds a key to each copy that matches it by
/// localKeyId or public key, loading the key again for the second copy;
/// only a load with `X509KeyStorageFlags.EphemeralKeySet` refuses that
/// second binding ("Windows compat: don't allow double-bind"). .NET's own
/// test files (runtime-assets `System.Net.TestData`) hold such duplicates.
fn duplicate_certificates(o: &Opened) -> Vec<String> {
    let mut out = Vec::new();
    let certs: Vec<(usize, &[u8])> = o
        .certificates
        .iter()
        .filter_map(|c| c.certificate.as_ref().ok().map(|cert| (c.bag, cert.der())))
        .collect();
    for (i, (bag, der)) in certs.iter().enumerate() {
        if certs.iter().take(i).any(|(_, d)| d == der) {
            continue;
        }
        let copies: Vec<String> = certs
            .iter()
            .filter(|(_, d)| d == der)
            .map(|(b, _)| b.to_string())
            .collect();
        if copies.len() > 1 {
            out.push(format!(
                "certificate in bag {bag} is stored {} times (bags {}): .NET loads the file, \
                 but refuses it with X509KeyStorageFlags.EphemeralKeySet when one key \
                 belongs to more than one copy",
                copies.len(),
                copies.join(", ")
            ));
        }
    }
    out
}

/// Weak algorithms, low iteration counts, missing integrity protection,
/// and the [`producer_quirks`] read anyway.
#[must_use]
pub fn weaknesses(pfx: &Pfx, opened: Option<&Opened>, passwordless: bool) -> Vec<String> {
    let mut out = producer_quirks(pfx, opened);
    out.extend(mac_weaknesses(pfx, opened, passwordless));
    // A keyBag outside encryptedData is readable without the password,
    // whatever the MAC says.
    for (index, content) in pfx.contents().iter().enumerate() {
        if let Content::Data { bags } = content {
            if bags.iter().any(|b| b.kind == BagKind::Key) {
                out.push(format!(
                    "a private key in ContentInfo #{index} is not encrypted (keyBag): anyone \
                     with the file can read it, password or not"
                ));
            }
        }
    }
    for u in kdf_uses(pfx, opened) {
        out.extend(kdf_weaknesses(&u, passwordless));
    }
    if let Some(o) = opened {
        out.extend(certificate_weaknesses(o));
        if !o.skipped_contents.is_empty() {
            out.push(format!(
                "contents of unknown type skipped: {}",
                o.skipped_contents.join(", ")
            ));
        }
    }
    out
}

/// No MAC, an HMAC-SHA1 MAC, a MAC keyed with the empty password.
fn mac_weaknesses(pfx: &Pfx, opened: Option<&Opened>, passwordless: bool) -> Vec<String> {
    let Some(mac) = pfx.mac() else {
        return vec!["no MAC: the file's integrity cannot be checked".to_owned()];
    };
    let mut out = Vec::new();
    if let MacAlgorithm::Pkcs12Hmac {
        hash: Hash::Sha1, ..
    } = mac.algorithm
    {
        out.push("MAC: HMAC-SHA1 (legacy)".to_owned());
    }
    let verified = opened.is_some_and(|o| matches!(o.mac, MacStatus::Verified(_)));
    if passwordless && verified {
        out.push(
            "the MAC is keyed with the empty password: anyone can recompute it after \
             changing the file, so it does not show the file is the producer's"
                .to_owned(),
        );
    }
    out
}

/// A weak cipher, PBKDF2 with HMAC-SHA1, a low iteration count.
fn kdf_weaknesses(u: &KdfUse, passwordless: bool) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &u.scheme {
        let cipher = s.cipher();
        if matches!(cipher, Cipher::Rc2 { effective_bits } if effective_bits <= 64)
            || matches!(cipher, Cipher::Rc4 { key_bits } if key_bits <= 64)
            || cipher == Cipher::Des
        {
            out.push(format!(
                "{}: {} is trivially brute-forced",
                u.what,
                cipher.name()
            ));
        } else if let Cipher::Rc4 { .. } = cipher {
            out.push(format!(
                "{}: {} (weak stream cipher, banned from TLS by RFC 7465; pfxgen reads it \
                 but never writes it)",
                u.what,
                cipher.name()
            ));
        } else if cipher.is_weak() {
            out.push(format!("{}: {} (legacy cipher)", u.what, cipher.name()));
        }
        if let EncryptionScheme::Pbes2 { kdf, .. } = s {
            if kdf.prf == Hash::Sha1 {
                out.push(format!("{}: PBKDF2 with HMAC-SHA1 (legacy)", u.what));
            }
        }
    }
    if !passwordless && u.iterations < LOW_ITERATIONS {
        out.push(format!(
            "{}: low iteration count {} (pfxgen writes {})",
            u.what,
            u.iterations,
            pfxgen_pkcs12::DEFAULT_ITERATIONS
        ));
    }
    out
}

/// SHA-1 signatures and unrecognised critical extensions.
fn certificate_weaknesses(o: &Opened) -> Vec<String> {
    let mut out = Vec::new();
    for cert in o
        .certificates
        .iter()
        .filter_map(|e| e.certificate.as_ref().ok())
    {
        if cert.signature_algorithm().ok() == Some(SignatureAlgorithm::RsaPkcs1Sha1) {
            out.push(format!("certificate {}: SHA-1 signature", cert.subject()));
        }
        for (oid, critical) in &cert.extensions().other {
            if *critical {
                out.push(format!(
                    "certificate {}: unrecognised critical extension {oid} (RFC 5280 \
                     readers must reject the certificate)",
                    cert.subject()
                ));
            }
        }
    }
    out
}
