//! A rotated certificate is like the one it replaces.
//!
//! `rotate` without certificate options makes the new certificate with the
//! current one's key algorithm, subject, subject alternative names,
//! extended key usages and validity length, so that relying parties that
//! pin the token algorithm (`ES384` stays `ES384`) or the subject keep
//! working. Any option the operator gives overrides, and every difference
//! between the current and the new certificate is listed in the plan and
//! the result ("algorithm: ECDSA P-384 → RSA 2048"), so nothing changes
//! silently.

use pfxgen_keygen::{Curve, KeyAlgorithm, KeyKind};
use pfxgen_x509::{Certificate, ExtendedKeyUsage, SanEntry};

use crate::make::{CertificateSpec, MAX_DAYS};

/// "RSA 2048", "ECDSA P-384", for messages.
#[must_use]
pub fn describe_kind(kind: KeyKind) -> String {
    match kind {
        KeyKind::Rsa { bits } => format!("RSA {bits}"),
        KeyKind::Ec(curve) => format!("ECDSA {}", curve.name()),
        _ => "another key type".to_owned(),
    }
}

/// The key algorithm pfxgen makes that is closest to `kind`, with a note
/// when it is not the same.
fn algorithm_like(kind: KeyKind) -> (KeyAlgorithm, Option<String>) {
    match kind {
        KeyKind::Rsa { bits } if bits < 2048 => (
            KeyAlgorithm::Rsa2048,
            Some(format!(
                "the current RSA {bits} key is below the 2048-bit minimum: the new key is RSA 2048"
            )),
        ),
        KeyKind::Rsa { bits: 2048 } => (KeyAlgorithm::Rsa2048, None),
        KeyKind::Rsa { bits: 3072 } => (KeyAlgorithm::Rsa3072, None),
        KeyKind::Rsa { bits: 4096 } => (KeyAlgorithm::Rsa4096, None),
        KeyKind::Rsa { bits } => (
            KeyAlgorithm::Rsa4096,
            Some(format!(
                "pfxgen does not make RSA {bits} keys: the new key is RSA 4096"
            )),
        ),
        KeyKind::Ec(Curve::P384) => (KeyAlgorithm::EcdsaP384, None),
        KeyKind::Ec(Curve::P521) => (KeyAlgorithm::EcdsaP521, None),
        KeyKind::Ec(_) => (KeyAlgorithm::EcdsaP256, None),
        _ => (
            KeyAlgorithm::Rsa2048,
            Some("the current key type cannot be made again: the new key is RSA 2048".to_owned()),
        ),
    }
}

/// The current certificate's validity length in whole days, within what
/// `generate` accepts.
fn validity_days(cert: &Certificate) -> u32 {
    let days = cert.not_before().days_until(cert.not_after());
    u32::try_from(days.clamp(1, i64::from(MAX_DAYS))).unwrap_or(MAX_DAYS)
}

/// Fills every certificate option the operator did not give from `old`.
/// Returns notes for what could not be carried over exactly.
pub fn inherit(args: &mut CertificateSpec, old: &Certificate) -> Vec<String> {
    let mut notes = Vec::new();
    if !args.algorithm_given {
        match old.public_key() {
            Ok(key) => {
                let (alg, note) = algorithm_like(key.kind());
                args.algorithm = alg;
                notes.extend(note);
            }
            Err(_) => notes
                .push("the current public key cannot be read: the new key is RSA 2048".to_owned()),
        }
    }
    if args.subject.is_none() {
        match old.subject().parse() {
            Ok(name) => args.subject = Some(name),
            Err(e) => notes.push(format!(
                "the current subject cannot be made again ({e}): the new certificate has the default subject"
            )),
        }
    }
    let ext = old.extensions();
    if args.sans.is_empty() {
        for san in &ext.subject_alt_names {
            match san.parse::<SanEntry>() {
                Ok(entry) => args.sans.push(entry),
                Err(_) => notes.push(format!(
                    "the subject alternative name {san} cannot be made again; it is left out"
                )),
            }
        }
    }
    if args.ekus.is_empty() {
        if let Some((_, ekus)) = &ext.extended_key_usage {
            for eku in ekus {
                match eku.parse::<ExtendedKeyUsage>() {
                    Ok(e) => args.ekus.push(e),
                    Err(_) => notes.push(format!(
                        "the extended key usage {eku} cannot be made again; it is left out"
                    )),
                }
            }
        }
    }
    if args.days.is_none() {
        args.days = Some(validity_days(old));
    }
    notes
}

/// Every difference between the current and the new certificate that a
/// relying party could notice, one line each ("algorithm: A → B").
#[must_use]
pub fn differences(old: &Certificate, new: &Certificate) -> Vec<String> {
    let mut out = Vec::new();
    let kind = |c: &Certificate| {
        c.public_key()
            .map_or_else(|_| "unknown".to_owned(), |k| describe_kind(k.kind()))
    };
    let (a, b) = (kind(old), kind(new));
    if a != b {
        out.push(format!("algorithm: {a} → {b}"));
    }
    let (a, b) = (old.subject(), new.subject());
    if a != b {
        out.push(format!("subject: {a} → {b}"));
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_owned()
        } else {
            v.join(", ")
        }
    };
    let (a, b) = (
        &old.extensions().subject_alt_names,
        &new.extensions().subject_alt_names,
    );
    if a != b {
        out.push(format!(
            "subject alternative names: {} → {}",
            list(a),
            list(b)
        ));
    }
    let ekus = |c: &Certificate| {
        c.extensions()
            .extended_key_usage
            .as_ref()
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (a, b) = (ekus(old), ekus(new));
    if a != b {
        out.push(format!("extended key usages: {} → {}", list(&a), list(&b)));
    }
    let (a, b) = (validity_days(old), validity_days(new));
    if a != b {
        out.push(format!("validity: {a} → {b} days"));
    }
    out
}
