//! What a PFX means for its consumers: can the identity server sign with
//! it, can old Windows import it, is it inside .NET's loader limits, and
//! what is weak about it. The rules come from ../shared/BRIEF.md (the
//! consumer's documented behaviour); each reason says which rule failed.

use pfxgen_keygen::{Curve, HashAlgorithm, KeyKind, SignatureAlgorithm};
use pfxgen_pkcs12::{
    BagKind, Cipher, Content, DotNetLimits, EncryptionScheme, Hash, MacAlgorithm, MacStatus,
    Opened, Pfx,
};
use pfxgen_x509::{Certificate, UtcTime};

/// A yes/no answer with the reasons for "no" (and notes for "yes").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the answer is yes.
    pub ok: bool,
    /// Why not (or notes).
    pub reasons: Vec<String>,
}

impl Verdict {
    fn from_reasons(reasons: Vec<String>) -> Self {
        Self {
            ok: reasons.is_empty(),
            reasons,
        }
    }
}

/// Iteration counts above this are not flagged as low.
pub const LOW_ITERATIONS: u32 = 100_000;

/// One key derivation the file requires, for limit checks and warnings.
#[derive(Clone, Debug)]
pub struct KdfUse {
    /// What it protects.
    pub what: String,
    /// Its iteration count.
    pub iterations: u32,
    /// The scheme, when it is an encryption.
    pub scheme: Option<EncryptionScheme>,
}

/// Every key derivation visible in the file (all of them once opened).
#[must_use]
pub fn kdf_uses(pfx: &Pfx, opened: Option<&Opened>) -> Vec<KdfUse> {
    let mut uses = Vec::new();
    if let Some(mac) = pfx.mac() {
        uses.push(KdfUse {
            what: "MAC".to_owned(),
            iterations: mac.iterations(),
            scheme: None,
        });
    }
    for (i, content) in pfx.contents().iter().enumerate() {
        match content {
            Content::Encrypted { scheme: Ok(s), .. } => uses.push(KdfUse {
                what: format!("encrypted contents #{i}"),
                iterations: s.iterations(),
                scheme: Some(s.clone()),
            }),
            Content::Data { bags } if opened.is_none() => {
                for (j, bag) in bags.iter().enumerate() {
                    if let Some(s) = bag.encryption() {
                        uses.push(KdfUse {
                            what: format!("key in contents #{i}, bag {j}"),
                            iterations: s.iterations(),
                            scheme: Some(s.clone()),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(o) = opened {
        for bag in &o.bags {
            if let Some(s) = &bag.bag_encryption {
                uses.push(KdfUse {
                    what: format!("key in bag {}", bag.index),
                    iterations: s.iterations(),
                    scheme: Some(s.clone()),
                });
            }
        }
    }
    uses
}

/// Whether the identity server can sign with this file, and the JWS `alg`
/// it would use.
#[must_use]
pub fn identity_server(opened: &Opened) -> (Verdict, Option<&'static str>) {
    let mut reasons = Vec::new();
    let mut alg = None;
    match opened.keys.len() {
        0 => reasons.push("the file holds no private key".to_owned()),
        1 => {}
        n => reasons.push(format!(
            "the file holds {n} private keys; the identity server needs exactly one"
        )),
    }
    let pairs = opened.key_certificates();
    if let Some(entry) = opened.keys.first() {
        match &entry.key {
            Err(e) => reasons.push(format!("the private key cannot be used: {e}")),
            Ok(key) => {
                if let Some(r) = key_problem(key.kind()) {
                    reasons.push(r);
                } else {
                    alg = Some(key.jws_algorithm().name());
                }
                match pairs.first().copied().flatten() {
                    None => reasons
                        .push("the private key matches no certificate in the file".to_owned()),
                    Some(i) => {
                        if let Some(Ok(cert)) =
                            opened.certificates.get(i).map(|c| c.certificate.as_ref())
                        {
                            reasons.extend(signature_problems(opened, i, cert, key.kind()));
                        }
                    }
                }
            }
        }
    }
    if reasons.is_empty() {
        (Verdict::from_reasons(reasons), alg)
    } else {
        (Verdict::from_reasons(reasons), None)
    }
}

/// Why a key type cannot sign tokens, if it cannot.
#[must_use]
pub fn key_problem(kind: KeyKind) -> Option<String> {
    match kind {
        KeyKind::Rsa { bits } if bits < 2048 => Some(format!(
            "RSA {bits}: the identity server refuses RSA keys under 2048 bits for signing"
        )),
        _ => None,
    }
}

/// Whether `hash` is the one the identity server pairs with `curve`.
fn curve_hash_ok(curve: Curve, hash: HashAlgorithm) -> bool {
    curve.hash() == hash
}

/// Problems with how certificate `index` is signed: the algorithm must be
/// one the identity server accepts, and an ECDSA signature must use the hash
/// that goes with the signer's curve (P-256/SHA-256, P-384/SHA-384,
/// P-521/SHA-512).
fn signature_problems(
    opened: &Opened,
    index: usize,
    cert: &Certificate,
    own_kind: KeyKind,
) -> Vec<String> {
    let mut out = Vec::new();
    let alg = match cert.signature_algorithm() {
        Ok(a) => a,
        Err(_) => {
            out.push(format!(
                "the certificate is signed with {}, which the identity server does not accept",
                cert.signature_algorithm_name()
            ));
            return out;
        }
    };
    if alg == SignatureAlgorithm::RsaPkcs1Sha1 {
        out.push(
            "the certificate is signed with SHA-1 (sha1WithRSAEncryption), which is not accepted"
                .to_owned(),
        );
    }
    // The signer: the key itself when self-signed, else the issuer in the file.
    let signer = if cert.is_self_issued() {
        Some(own_kind)
    } else {
        let chain = opened.chain(index);
        chain
            .certificates
            .get(1)
            .and_then(|&j| opened.certificates.get(j))
            .and_then(|c| c.certificate.as_ref().ok())
            .and_then(|c| c.public_key().ok())
            .map(|k| k.kind())
    };
    match (signer, alg.is_rsa()) {
        (Some(KeyKind::Ec(curve)), false) if !curve_hash_ok(curve, alg.hash()) => out.push(format!(
            "the certificate is signed by a {curve} key with {}; the identity server accepts {curve} only with {}",
            alg.hash().name(),
            curve.hash().name()
        )),
        (Some(KeyKind::Rsa { bits }), true) if bits < 2048 => {
            out.push(format!("the certificate is signed by an RSA {bits} key; at least 2048 bits are required"));
        }
        (Some(kind), is_rsa) if matches!(kind, KeyKind::Rsa { .. }) != is_rsa => {
            out.push(format!("the signature algorithm {} does not fit the signing {kind} key", alg.name()));
        }
        _ => {}
    }
    out
}

/// Whether Windows Server 2016 / Windows 10 before 1709 can import the
/// file: they know only the PKCS#12 PBE algorithms (3DES, RC2) and an
/// HMAC-SHA1 MAC.
#[must_use]
pub fn legacy_windows(pfx: &Pfx, opened: Option<&Opened>) -> Verdict {
    let mut reasons = Vec::new();
    match pfx.mac().map(|m| &m.algorithm) {
        Some(MacAlgorithm::Pbmac1 { .. }) => reasons.push("the MAC is PBMAC1, which old Windows does not know".to_owned()),
        Some(MacAlgorithm::Pkcs12Hmac { hash, .. }) if *hash != Hash::Sha1 => reasons.push(format!(
            "the MAC uses {}; old Windows requires HMAC-SHA1 (Windows 10 RTM rejects SHA-256 even with 3DES)",
            hash.name().to_ascii_uppercase()
        )),
        _ => {}
    }
    let mut pbes2 = false;
    for u in kdf_uses(pfx, opened) {
        if u.scheme.as_ref().is_some_and(EncryptionScheme::is_pbes2) {
            pbes2 = true;
        }
    }
    if pbes2 {
        reasons.push(
            "PBES2/AES encryption: old Windows fails with \"The specified network password is not correct.\"; \
             it needs pbeWithSHAAnd3-KeyTripleDES-CBC (pfxgen's --profile compat)"
                .to_owned(),
        );
    }
    if pfx
        .contents()
        .iter()
        .any(|c| matches!(c, Content::Enveloped))
    {
        reasons.push("public-key encrypted contents (envelopedData)".to_owned());
    }
    Verdict::from_reasons(reasons)
}

/// Whether the file is inside .NET 9's default `Pkcs12LoaderLimits`.
/// Returns the verdict and the total iteration count.
#[must_use]
pub fn dotnet_limits(pfx: &Pfx, opened: Option<&Opened>, passwordless: bool) -> (Verdict, u64) {
    let mut reasons = Vec::new();
    let uses = kdf_uses(pfx, opened);
    let total: u64 = uses.iter().map(|u| u64::from(u.iterations)).sum();
    if let Some(mac) = pfx.mac() {
        if !mac.dotnet_supported() {
            reasons.push(".NET does not implement PBMAC1 MACs".to_owned());
        }
        if u64::from(mac.iterations()) > DotNetLimits::MAX_MAC_ITERATIONS {
            reasons.push(format!(
                "MAC iterations {} > {}",
                mac.iterations(),
                DotNetLimits::MAX_MAC_ITERATIONS
            ));
        }
    }
    for u in uses.iter().filter(|u| u.scheme.is_some()) {
        if u64::from(u.iterations) > DotNetLimits::MAX_KDF_ITERATIONS {
            reasons.push(format!(
                "{}: {} iterations > {}",
                u.what,
                u.iterations,
                DotNetLimits::MAX_KDF_ITERATIONS
            ));
        }
        // RC2 is readable by .NET on Windows and Linux (managed
        // implementation); RC4 is not among the PBE algorithms its loader
        // knows (X509CertificateLoader `GetKdfCount`: unknown algorithm).
        if let Some(EncryptionScheme::Pkcs12Pbe {
            cipher: cipher @ Cipher::Rc4 { .. },
            ..
        }) = &u.scheme
        {
            reasons.push(format!(
                "{}: {} encryption, which .NET's loader does not implement",
                u.what,
                cipher.name()
            ));
        }
    }
    if total > DotNetLimits::MAX_TOTAL_ITERATIONS {
        reasons.push(format!(
            "{total} iterations in total > {}",
            DotNetLimits::MAX_TOTAL_ITERATIONS
        ));
    }
    if pfx
        .contents()
        .iter()
        .any(|c| matches!(c, Content::Enveloped))
    {
        reasons.push(".NET rejects envelopedData contents".to_owned());
    }
    if let Some(o) = opened {
        if o.keys.len() > DotNetLimits::MAX_KEYS {
            reasons.push(format!(
                "{} keys > {}",
                o.keys.len(),
                DotNetLimits::MAX_KEYS
            ));
        }
        if o.certificates.len() > DotNetLimits::MAX_CERTIFICATES {
            reasons.push(format!(
                "{} certificates > {}",
                o.certificates.len(),
                DotNetLimits::MAX_CERTIFICATES
            ));
        }
        for bag in &o.bags {
            for a in &bag.attributes.anomalies {
                if a.contains("more than once") {
                    reasons.push(format!("bag {}: {a}", bag.index));
                }
            }
            if bag.nested
                && matches!(
                    bag.kind,
                    BagKind::Key | BagKind::ShroudedKey | BagKind::Certificate
                )
            {
                reasons.push(format!(
                    "bag {}: a {} inside a nested safeContentsBag, which .NET ignores",
                    bag.index,
                    bag.kind.name()
                ));
            }
        }
        // .NET decrypts PBES2 with the password's UTF-8 bytes: a part that
        // opened only in NSS's old BMPString form does not open there.
        for w in &o.workarounds {
            if let pfxgen_pkcs12::Workaround::NssBmpStringPassword { what } = w {
                reasons.push(format!(
                    "{what} is encrypted with the BMPString form of the password (NSS before \
                     3.31); .NET uses the UTF-8 bytes and cannot decrypt it"
                ));
            }
        }
        // A key whose localKeyId names a certificate of another key: .NET's
        // loader binds by localKeyId first and fails. (The same certificate
        // stored twice is not refused: see `duplicate_certificates`.)
        for entry in &o.keys {
            let (Ok(key), Some(id)) = (&entry.key, &entry.attributes.local_key_id) else {
                continue;
            };
            let crossed = o.certificates.iter().any(|c| {
                c.attributes.local_key_id.as_ref() == Some(id)
                    && c.certificate
                        .as_ref()
                        .ok()
                        .and_then(|c| c.public_key().ok())
                        .is_some_and(|p| !key.matches(&p))
            });
            if crossed {
                reasons.push(format!(
                    "bag {}: the key's localKeyId names a certificate of a different key (.NET refuses this)",
                    entry.bag
                ));
            }
        }
    }
    if passwordless && total > DotNetLimits::MAX_PASSWORDLESS_TOTAL_ITERATIONS {
        reasons.push(format!(
            "password-less file with {total} iterations in total; older .NET caps password-less imports at {}",
            DotNetLimits::MAX_PASSWORDLESS_TOTAL_ITERATIONS
        ));
    }
    (Verdict::from_reasons(reasons), total)
}

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
    match pfx.mac() {
        None => out.push("no MAC: the file's integrity cannot be checked".to_owned()),
        Some(mac) => {
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
        }
    }
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
    }
    if let Some(o) = opened {
        for entry in &o.certificates {
            if let Ok(cert) = &entry.certificate {
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
        }
        if !o.skipped_contents.is_empty() {
            out.push(format!(
                "contents of unknown type skipped: {}",
                o.skipped_contents.join(", ")
            ));
        }
    }
    out
}

/// Days from now until `not_after` (negative once expired).
#[must_use]
pub fn days_left(cert: &Certificate, now: UtcTime) -> i64 {
    now.days_until(cert.not_after())
}

/// `1 finding`, `2 findings`, `0 days`: a count and its noun, singular
/// for one (nouns taking a plain `s`).
#[must_use]
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `1 day`, `2 days`.
#[must_use]
pub fn day_count(n: u64) -> String {
    count(n, "day")
}

/// How long ago `cert` expired, in whole days: `less than a day`, `1 day`,
/// `3 days` (call only once it has expired).
fn expired_ago(cert: &Certificate, now: UtcTime) -> String {
    match cert.not_after().days_until(now) {
        n if n <= 0 => "less than a day".to_owned(),
        n => day_count(n.unsigned_abs()),
    }
}

/// `expired 3 days ago`, `expires in less than a day`, `expires in 1 day`.
#[must_use]
pub fn expiry_phrase(cert: &Certificate, now: UtcTime) -> String {
    if now > cert.not_after() {
        return format!("expired {} ago", expired_ago(cert, now));
    }
    match days_left(cert, now) {
        0 => "expires in less than a day".to_owned(),
        n => format!("expires in {}", day_count(n.unsigned_abs())),
    }
}

/// `20 days left`, `less than a day left`, `expired 3 days ago`.
#[must_use]
pub fn days_left_phrase(cert: &Certificate, now: UtcTime) -> String {
    if now > cert.not_after() {
        return format!("expired {} ago", expired_ago(cert, now));
    }
    match days_left(cert, now) {
        0 => "less than a day left".to_owned(),
        n => format!("{} left", day_count(n.unsigned_abs())),
    }
}

/// A validity problem of `cert` at `now` with `min_days` required, if any.
#[must_use]
pub fn validity_problem(cert: &Certificate, now: UtcTime, min_days: i64) -> Option<String> {
    if now < cert.not_before() {
        return Some(format!("not valid yet: valid from {}", cert.not_before()));
    }
    if now > cert.not_after() {
        return Some(format!(
            "{} ({})",
            expiry_phrase(cert, now),
            cert.not_after()
        ));
    }
    let left = days_left(cert, now);
    if left < min_days {
        return Some(format!(
            "{} ({}), fewer than the {} required",
            expiry_phrase(cert, now),
            cert.not_after(),
            day_count(min_days.unsigned_abs())
        ));
    }
    None
}

/// Whether the identity server could sign with the key of `cert`, judged
/// from the certificate alone (for `audit`, which decrypts no keys): the key
/// type and size, and the signature algorithm (for a self-signed
/// certificate, the hash that goes with its curve).
#[must_use]
pub fn certificate_support(cert: &Certificate) -> Verdict {
    let mut reasons = Vec::new();
    let kind = match cert.public_key() {
        Ok(k) => Some(k.kind()),
        Err(e) => {
            reasons.push(format!("key: {e}"));
            None
        }
    };
    if let Some(r) = kind.and_then(key_problem) {
        reasons.push(r);
    }
    match cert.signature_algorithm() {
        Err(_) => reasons.push(format!(
            "signed with {}, which the identity server does not accept",
            cert.signature_algorithm_name()
        )),
        Ok(SignatureAlgorithm::RsaPkcs1Sha1) => reasons.push("SHA-1 signature".to_owned()),
        Ok(alg) => {
            if let (true, Some(KeyKind::Ec(curve)), false) =
                (cert.is_self_issued(), kind, alg.is_rsa())
            {
                if !curve_hash_ok(curve, alg.hash()) {
                    reasons.push(format!("{curve} key signed with {}", alg.hash().name()));
                }
            }
        }
    }
    Verdict::from_reasons(reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
    use pfxgen_x509::CertificateParams;

    #[test]
    fn expiry_reads_naturally_in_whole_days() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let start = UtcTime::from_unix(1_800_000_000).unwrap();
        let cert = CertificateParams {
            not_before: Some(start),
            validity_days: 10,
            ..CertificateParams::default()
        }
        .self_signed(&key)
        .unwrap();
        let end = cert.not_after();
        let at = |seconds: i64| UtcTime::from_unix(end.unix() + seconds).unwrap();
        assert_eq!(expiry_phrase(&cert, at(-3 * 86_400)), "expires in 3 days");
        assert_eq!(expiry_phrase(&cert, at(-86_400)), "expires in 1 day");
        assert_eq!(
            expiry_phrase(&cert, at(-3_600)),
            "expires in less than a day"
        );
        assert_eq!(days_left_phrase(&cert, at(-3_600)), "less than a day left");
        assert_eq!(
            expiry_phrase(&cert, at(3_600)),
            "expired less than a day ago"
        );
        // A day and a bit is "1 day ago", not 2.
        assert_eq!(expiry_phrase(&cert, at(86_400 + 60)), "expired 1 day ago");
        assert_eq!(
            days_left_phrase(&cert, at(5 * 86_400)),
            "expired 5 days ago"
        );
        assert_eq!(day_count(0), "0 days");
    }
}
