//! What a PFX means for its consumers: can the identity server sign with
//! it, can old Windows import it, is it inside .NET's loader limits, and
//! what is weak about it. The rules are written down in
//! docs/consumers.md; each lives in its own module of [`crate::policy`]
//! and is re-exported here. Each reason says which rule failed.

use pfxgen_pkcs12::{Content, EncryptionScheme, Opened, Pfx};
use pfxgen_x509::{Certificate, UtcTime};

pub use super::{
    dotnet::dotnet_limits,
    identity::{certificate_support, identity_server, key_problem},
    weakness::{LOW_ITERATIONS, producer_quirks, weaknesses},
    windows::legacy_windows,
};

/// A yes/no answer with the reasons for "no" (and notes for "yes").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the answer is yes.
    pub ok: bool,
    /// Why not (or notes).
    pub reasons: Vec<String>,
}

impl Verdict {
    pub(crate) fn from_reasons(reasons: Vec<String>) -> Self {
        Self {
            ok: reasons.is_empty(),
            reasons,
        }
    }
}

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

/// Whole days as a phrase: `less than a day` (for 0), `1 day`, `3 days`.
fn day_span(days: i64) -> String {
    if days <= 0 {
        "less than a day".to_owned()
    } else {
        day_count(days.unsigned_abs())
    }
}

/// `expired 3 days ago` once `cert` has expired, else `left` applied to
/// the time it has left (`less than a day`, `1 day`, `3 days`).
fn time_phrase(cert: &Certificate, now: UtcTime, left: impl FnOnce(String) -> String) -> String {
    if now > cert.not_after() {
        return format!("expired {} ago", day_span(cert.not_after().days_until(now)));
    }
    left(day_span(days_left(cert, now)))
}

/// `expired 3 days ago`, `expires in less than a day`, `expires in 1 day`.
#[must_use]
pub fn expiry_phrase(cert: &Certificate, now: UtcTime) -> String {
    time_phrase(cert, now, |span| format!("expires in {span}"))
}

/// `20 days left`, `less than a day left`, `expired 3 days ago`.
#[must_use]
pub fn days_left_phrase(cert: &Certificate, now: UtcTime) -> String {
    time_phrase(cert, now, |span| format!("{span} left"))
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
        assert_eq!(days_left_phrase(&cert, at(-3 * 86_400)), "3 days left");
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
