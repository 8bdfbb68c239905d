//! The .NET PKCS#12 loader's rules (docs/consumers.md, "The .NET PKCS#12
//! loader"). The values are `pfxgen_pkcs12::DotNetLimits` (the writer in
//! that crate stays inside them); this module is the only place that
//! checks a file against them.

use pfxgen_pkcs12::{
    BagKind, Cipher, Content, DotNetLimits, EncryptionScheme, MacAlgorithm, Opened, Pfx, Workaround,
};

use super::verdict::{KdfUse, Verdict, kdf_uses};

/// Whether the file is inside .NET 9's default `Pkcs12LoaderLimits`.
/// Returns the verdict and the total iteration count.
#[must_use]
pub fn dotnet_limits(pfx: &Pfx, opened: Option<&Opened>, passwordless: bool) -> (Verdict, u64) {
    let uses = kdf_uses(pfx, opened);
    let total: u64 = uses.iter().map(|u| u64::from(u.iterations)).sum();
    let mut reasons = mac_rules(pfx);
    reasons.extend(kdf_rules(&uses));
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
        reasons.extend(count_rules(o));
        reasons.extend(bag_rules(o));
        reasons.extend(password_form_rules(o));
        reasons.extend(crossed_key_ids(o));
    }
    if passwordless && total > DotNetLimits::MAX_PASSWORDLESS_TOTAL_ITERATIONS {
        reasons.push(format!(
            "password-less file with {total} iterations in total; older .NET caps password-less imports at {}",
            DotNetLimits::MAX_PASSWORDLESS_TOTAL_ITERATIONS
        ));
    }
    (Verdict::from_reasons(reasons), total)
}

/// The MAC: not PBMAC1, and at most `MAX_MAC_ITERATIONS`.
fn mac_rules(pfx: &Pfx) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(mac) = pfx.mac() {
        match &mac.algorithm {
            MacAlgorithm::Pbmac1 { .. } => {
                reasons.push(".NET does not implement PBMAC1 MACs".to_owned());
            }
            MacAlgorithm::Unsupported { digest, .. } => reasons.push(format!(
                "the MAC uses {digest}; .NET verifies HMAC with SHA-1, SHA-256, SHA-384 or \
                 SHA-512 only"
            )),
            _ => {}
        }
        if u64::from(mac.iterations()) > DotNetLimits::MAX_MAC_ITERATIONS {
            reasons.push(format!(
                "MAC iterations {} > {}",
                mac.iterations(),
                DotNetLimits::MAX_MAC_ITERATIONS
            ));
        }
    }
    reasons
}

/// Each encryption: at most `MAX_KDF_ITERATIONS`, and not RC4.
fn kdf_rules(uses: &[KdfUse]) -> Vec<String> {
    let mut reasons = Vec::new();
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
    reasons
}

/// At most `MAX_KEYS` keys and `MAX_CERTIFICATES` certificates.
fn count_rules(o: &Opened) -> Vec<String> {
    let mut reasons = Vec::new();
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
    reasons
}

/// Duplicate attributes are refused; keys and certificates in a nested
/// safeContentsBag are ignored.
fn bag_rules(o: &Opened) -> Vec<String> {
    let mut reasons = Vec::new();
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
    reasons
}

/// .NET decrypts PBES2 with the password's UTF-8 bytes: a part that opened
/// only in NSS's old BMPString form does not open there.
fn password_form_rules(o: &Opened) -> Vec<String> {
    o.workarounds
        .iter()
        .filter_map(|w| match w {
            Workaround::NssBmpStringPassword { what } => Some(format!(
                "{what} is encrypted with the BMPString form of the password (NSS before \
                 3.31); .NET uses the UTF-8 bytes and cannot decrypt it"
            )),
            _ => None,
        })
        .collect()
}

/// A key whose localKeyId names a certificate of another key: .NET's loader
/// binds by localKeyId first and fails. (The same certificate stored twice
/// is not refused: see `weakness::duplicate_certificates`.)
fn crossed_key_ids(o: &Opened) -> Vec<String> {
    let mut reasons = Vec::new();
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
    reasons
}
