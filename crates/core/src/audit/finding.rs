//! The findings of an audit, as typed values: REUSE (the same certificate,
//! key, issuer and serial, or file in several instances), EXPIRY,
//! UNVERIFIED, UNSUPPORTED, UNREADABLE and BUDGET. Identical findings (same
//! kind, same message) are grouped into one naming every instance.

use std::collections::BTreeMap;

use pfxgen_x509::{UtcTime, hex_upper};

use crate::{
    audit::{
        analyse::{Analysed, Facts},
        collect::{Instance, Problem},
    },
    files::open::Integrity,
    policy::verdict,
};

/// An instance named in a finding, with the certificate it holds when the
/// finding compares certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The instance's label (or a path that was not read).
    pub instance: String,
    /// The `kid` of its certificate, for findings about different
    /// certificates.
    pub kid: Option<String>,
}

impl core::fmt::Display for Member {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.kid {
            Some(kid) => write!(f, "{} (kid {kid})", self.instance),
            None => f.write_str(&self.instance),
        }
    }
}

/// One finding and the instances it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// REUSE: one certificate in several instances.
    SameCertificate {
        /// Its `kid`.
        kid: String,
        /// Where.
        instances: Vec<Member>,
    },
    /// REUSE: one public key in different certificates (re-issued on an old
    /// key).
    SameKey {
        /// How many different certificates.
        certificates: usize,
        /// Where, with each certificate's `kid`.
        instances: Vec<Member>,
    },
    /// REUSE: one issuer and serial number in different certificates.
    SameSerial {
        /// The serial, hex.
        serial: String,
        /// How many different certificates.
        certificates: usize,
        /// Where, with each certificate's `kid`.
        instances: Vec<Member>,
    },
    /// REUSE: byte-identical files, at least one of which could not be
    /// read (so the certificate comparison above could not see it).
    SameFile {
        /// SHA-256 of the file, hex.
        sha256: String,
        /// Where.
        instances: Vec<Member>,
    },
    /// EXPIRY: expired, or expiring within the warning period.
    Expiry {
        /// "expired 3 days ago", "expires in 10 days".
        phrase: String,
        /// The `notAfter` date.
        not_after: String,
        /// Where.
        instances: Vec<Member>,
    },
    /// UNVERIFIED: the certificate may not be the producer's.
    Unverified {
        /// Why (never [`Integrity::MacVerified`] or
        /// [`Integrity::CertificateFile`]).
        integrity: Integrity,
        /// Where.
        instances: Vec<Member>,
    },
    /// UNSUPPORTED: the identity server cannot sign with it.
    Unsupported {
        /// Why.
        reasons: Vec<String>,
        /// Where.
        instances: Vec<Member>,
    },
    /// UNREADABLE: missing, damaged, wrong password, not a regular file.
    Unreadable {
        /// Why.
        reason: String,
        /// Where.
        instances: Vec<Member>,
    },
    /// BUDGET: reading it would cost more work than allowed.
    Budget {
        /// Why.
        reason: String,
        /// Where.
        instances: Vec<Member>,
    },
}

/// The instance list of any finding (every variant has one).
macro_rules! instances_of {
    ($finding:expr) => {
        match $finding {
            Finding::SameCertificate { instances, .. }
            | Finding::SameKey { instances, .. }
            | Finding::SameSerial { instances, .. }
            | Finding::SameFile { instances, .. }
            | Finding::Expiry { instances, .. }
            | Finding::Unverified { instances, .. }
            | Finding::Unsupported { instances, .. }
            | Finding::Unreadable { instances, .. }
            | Finding::Budget { instances, .. } => instances,
        }
    };
}

impl Finding {
    /// `REUSE`, `EXPIRY`, `UNVERIFIED`, `UNSUPPORTED`, `UNREADABLE` or
    /// `BUDGET`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SameCertificate { .. }
            | Self::SameKey { .. }
            | Self::SameSerial { .. }
            | Self::SameFile { .. } => "REUSE",
            Self::Expiry { .. } => "EXPIRY",
            Self::Unverified { .. } => "UNVERIFIED",
            Self::Unsupported { .. } => "UNSUPPORTED",
            Self::Unreadable { .. } => "UNREADABLE",
            Self::Budget { .. } => "BUDGET",
        }
    }

    /// The finding in one sentence.
    #[must_use]
    pub fn message(&self) -> String {
        let n = self.instances().len();
        match self {
            Self::SameCertificate { kid, .. } => {
                format!("the same certificate (kid {kid}) is used by {n} instances")
            }
            Self::SameKey { certificates, .. } => format!(
                "the same public key is in {certificates} different certificates (a re-issued certificate on an old key)"
            ),
            Self::SameSerial {
                serial,
                certificates,
                ..
            } => format!(
                "serial {serial} from the same issuer is in {certificates} different certificates"
            ),
            Self::SameFile { sha256, .. } => format!(
                "the same file (SHA-256 {sha256}) is used by {n} instances, not all of them readable"
            ),
            Self::Expiry {
                phrase, not_after, ..
            } => format!("{phrase} ({not_after})"),
            Self::Unverified { integrity, .. } => unverified_message(*integrity).to_owned(),
            Self::Unsupported { reasons, .. } => reasons.join("; "),
            Self::Unreadable { reason, .. } | Self::Budget { reason, .. } => reason.clone(),
        }
    }

    /// The instances concerned.
    #[must_use]
    pub fn instances(&self) -> &[Member] {
        instances_of!(self)
    }

    fn instances_mut(&mut self) -> &mut Vec<Member> {
        instances_of!(self)
    }
}

fn unverified_message(integrity: Integrity) -> &'static str {
    match integrity {
        Integrity::NotChecked => {
            "read without the password: the MAC was not checked, so the certificate may not be the producer's"
        }
        Integrity::NoMac => "the file has no MAC: its contents could have been changed by anyone",
        _ => {
            "the MAC is keyed with the empty password: anyone can recompute it after changing the file, so the certificate may not be the producer's"
        }
    }
}

fn one(instance: &Instance) -> Vec<Member> {
    vec![Member {
        instance: instance.label.clone(),
        kid: None,
    }]
}

/// Instances whose certificate was read, with its `kid`.
type Read<'a> = Vec<(&'a Instance, &'a Facts, String)>;

/// The read instances grouped by `key`, each with its certificate's `kid`.
fn grouped<'a, K: Ord>(
    read: &Read<'a>,
    key: impl Fn(&Facts) -> K,
) -> Vec<(K, Vec<(&'a Instance, String)>)> {
    let mut groups: BTreeMap<K, Vec<(&Instance, String)>> = BTreeMap::new();
    for (inst, facts, kid) in read {
        groups
            .entry(key(facts))
            .or_default()
            .push((inst, kid.clone()));
    }
    groups.into_iter().collect()
}

/// How many different certificates a group holds, and its members.
fn different(group: &[(&Instance, String)]) -> (usize, Vec<Member>) {
    let mut kids: Vec<&String> = group.iter().map(|(_, k)| k).collect();
    kids.sort();
    kids.dedup();
    let members = group
        .iter()
        .map(|(i, k)| Member {
            instance: i.label.clone(),
            kid: Some(k.clone()),
        })
        .collect();
    (kids.len(), members)
}

/// REUSE: the same certificate, the same key under different certificates,
/// the same issuer and serial under different certificates.
fn reuse(read: &Read<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (kid, group) in grouped(read, |f| hex_upper(&f.cert.sha1_thumbprint())) {
        if group.len() > 1 {
            let instances = group.iter().flat_map(|(i, _)| one(i)).collect();
            out.push(Finding::SameCertificate { kid, instances });
        }
    }
    for (_, group) in grouped(read, |f| f.spki.clone()) {
        if let (certificates @ 2.., instances) = different(&group) {
            out.push(Finding::SameKey {
                certificates,
                instances,
            });
        }
    }
    for ((_, serial), group) in grouped(read, |f| (f.cert.issuer_der(), f.cert.serial_hex())) {
        if let (certificates @ 2.., instances) = different(&group) {
            out.push(Finding::SameSerial {
                serial,
                certificates,
                instances,
            });
        }
    }
    out
}

/// REUSE by file hash: byte-identical files where at least one could not
/// be read (when all were read, the certificate comparison reports them).
fn same_files(instances: &[Instance], results: &[Analysed]) -> Vec<Finding> {
    let mut by_hash: BTreeMap<&[u8], Vec<(&Instance, bool)>> = BTreeMap::new();
    for (inst, r) in instances.iter().zip(results) {
        if let Some(hash) = &r.sha256 {
            let read = matches!(r.read, Some(Ok(_)));
            by_hash.entry(hash).or_default().push((inst, read));
        }
    }
    by_hash
        .into_iter()
        .filter(|(_, g)| g.len() > 1 && g.iter().any(|(_, read)| !read))
        .map(|(hash, g)| Finding::SameFile {
            sha256: hex_upper(hash),
            instances: g.iter().flat_map(|(i, _)| one(i)).collect(),
        })
        .collect()
}

/// EXPIRY, UNVERIFIED and UNSUPPORTED for one read instance.
fn health(inst: &Instance, f: &Facts, now: UtcTime, warn_days: u32) -> Vec<Finding> {
    let mut out = Vec::new();
    if now > f.cert.not_after() || verdict::days_left(&f.cert, now) < i64::from(warn_days) {
        out.push(Finding::Expiry {
            phrase: verdict::expiry_phrase(&f.cert, now),
            not_after: f.cert.not_after().to_string(),
            instances: one(inst),
        });
    }
    if !matches!(
        f.integrity,
        Integrity::MacVerified | Integrity::CertificateFile
    ) {
        out.push(Finding::Unverified {
            integrity: f.integrity,
            instances: one(inst),
        });
    }
    let support = verdict::certificate_support(&f.cert);
    if !support.ok {
        out.push(Finding::Unsupported {
            reasons: support.reasons,
            instances: one(inst),
        });
    }
    out
}

/// Every finding, identical ones grouped, in a stable order: REUSE, then
/// each instance's findings in label order, then what could not be read.
#[must_use]
pub fn findings(
    instances: &[Instance],
    results: &[Analysed],
    problems: &[Problem],
    now: UtcTime,
    warn_days: u32,
) -> Vec<Finding> {
    let mut read: Read<'_> = Vec::new();
    for (inst, r) in instances.iter().zip(results) {
        if let Some(Ok(f)) = &r.read {
            read.push((inst, f, hex_upper(&f.cert.sha1_thumbprint())));
        }
    }
    let mut all = reuse(&read);
    all.extend(same_files(instances, results));
    for (inst, f, _) in &read {
        all.extend(health(inst, f, now, warn_days));
    }
    for (inst, r) in instances.iter().zip(results) {
        if let Some(Err(e)) = &r.read {
            let (reason, instances) = (e.message().to_owned(), one(inst));
            all.push(match e.kind() {
                "BUDGET" => Finding::Budget { reason, instances },
                _ => Finding::Unreadable { reason, instances },
            });
        }
    }
    all.extend(problems.iter().map(|p| Finding::Unreadable {
        reason: p.why.clone(),
        instances: vec![Member {
            instance: p.what.clone(),
            kid: None,
        }],
    }));
    group(all)
}

/// Merges findings with the same kind and message, keeping the first's
/// place.
fn group(all: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut index: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for f in all {
        let key = (f.kind(), f.message());
        match index.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(first) => first.instances_mut().extend(f.instances().iter().cloned()),
            None => {
                index.insert(key, out.len());
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreadable(who: &str, why: &str) -> Finding {
        Finding::Unreadable {
            reason: why.to_owned(),
            instances: vec![Member {
                instance: who.to_owned(),
                kid: None,
            }],
        }
    }

    #[test]
    fn identical_findings_are_grouped_in_first_place() {
        let grouped = group(vec![
            unreadable("a", "wrong password"),
            unreadable("b", "damaged"),
            unreadable("c", "wrong password"),
        ]);
        assert_eq!(grouped.len(), 2);
        let who: Vec<&str> = grouped[0]
            .instances()
            .iter()
            .map(|m| m.instance.as_str())
            .collect();
        assert_eq!(who, ["a", "c"]);
        assert_eq!(grouped[1].message(), "damaged");
    }
}
