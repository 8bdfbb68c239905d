//! Making sense of what a PFX holds: which key belongs to which
//! certificate, which certificate is the end entity, and its chain.
//!
//! Keys are paired with certificates by public key, not by `localKeyId`
//! alone (producers disagree on `localKeyId`, and a wrong one must not pair
//! a key with the wrong certificate); `localKeyId` is the fallback only for
//! keys pfxgen cannot load. Chains are built by name and checked by
//! signature, visiting each certificate at most once, so issuer cycles end.

use pfxgen_x509::Certificate;

use crate::{CertEntry, Opened};

/// A certification path inside the file, from a certificate towards its
/// root.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Chain {
    /// Indices into [`Opened::certificates`], starting with the certificate
    /// the chain was built from.
    pub certificates: Vec<usize>,
    /// For each certificate in `certificates`, whether its signature verifies
    /// with the next one's key (the last one: with its own key if it is
    /// self-signed); `None` when it could not be checked.
    pub signatures: Vec<Option<bool>>,
    /// The path ends in a self-signed certificate.
    pub complete: bool,
    /// The issuer links loop (a certificate would appear twice).
    pub cycle: bool,
}

/// The end-entity certificate among `certificates` when no key says which:
/// the first that carries a `localKeyId` (producers put it on the
/// certificate that has a key), else the first that is not a CA and issued
/// none of the others, else the first.
#[must_use]
pub fn end_entity_of(certificates: &[CertEntry]) -> Option<usize> {
    let cert = |i: usize| {
        certificates
            .get(i)
            .and_then(|c| c.certificate.as_ref().ok())
    };
    let n = certificates.len();
    if let Some(i) = (0..n).find(|&i| {
        cert(i).is_some()
            && certificates
                .get(i)
                .is_some_and(|c| c.attributes.local_key_id.is_some())
    }) {
        return Some(i);
    }
    let issues_another = |i: usize| {
        let Some(ci) = cert(i) else { return false };
        let subject = ci.subject_der();
        (0..n).any(|j| j != i && cert(j).is_some_and(|cj| cj.issuer_der() == subject))
    };
    (0..n)
        .find(|&i| cert(i).is_some_and(|c| !c.is_ca()) && !issues_another(i))
        .or_else(|| (0..n).find(|&i| cert(i).is_some()))
}

impl Opened {
    fn cert(&self, index: usize) -> Option<&Certificate> {
        self.certificates
            .get(index)
            .and_then(|c| c.certificate.as_ref().ok())
    }

    /// For each entry of [`Opened::keys`], the index of the certificate it
    /// belongs to: the first whose public key equals the key's; for a key
    /// that could not be loaded, the first with the same `localKeyId`.
    #[must_use]
    pub fn key_certificates(&self) -> Vec<Option<usize>> {
        self.keys
            .iter()
            .map(|entry| match &entry.key {
                Ok(key) => {
                    let public = key.public_key();
                    (0..self.certificates.len()).find(|&i| {
                        self.cert(i)
                            .and_then(|c| c.public_key().ok())
                            .is_some_and(|p| p == public)
                    })
                }
                Err(_) => entry.attributes.local_key_id.as_ref().and_then(|id| {
                    self.certificates
                        .iter()
                        .position(|c| c.attributes.local_key_id.as_ref() == Some(id))
                }),
            })
            .collect()
    }

    /// The end-entity certificate: the one the (first) key belongs to; with
    /// no key, as [`end_entity_of`] decides.
    #[must_use]
    pub fn end_entity(&self) -> Option<usize> {
        if let Some(i) = self.key_certificates().into_iter().flatten().next() {
            return Some(i);
        }
        end_entity_of(&self.certificates)
    }

    /// The chain from certificate `from` up to a self-signed root, as far as
    /// the file holds it.
    #[must_use]
    pub fn chain(&self, from: usize) -> Chain {
        let mut chain = Chain {
            certificates: vec![from],
            signatures: Vec::new(),
            complete: false,
            cycle: false,
        };
        let mut current = from;
        loop {
            let Some(cert) = self.cert(current) else {
                chain.signatures.push(None);
                break;
            };
            if cert.is_self_issued() {
                let ok = cert
                    .public_key()
                    .ok()
                    .map(|k| cert.verify_signature(&k).is_ok());
                chain.signatures.push(ok);
                chain.complete = ok == Some(true);
                break;
            }
            let issuer_name = cert.issuer_der();
            let candidates: Vec<usize> = (0..self.certificates.len())
                .filter(|&j| {
                    j != current && self.cert(j).is_some_and(|c| c.subject_der() == issuer_name)
                })
                .collect();
            let verifies = |j: usize| {
                self.cert(j)
                    .and_then(|c| c.public_key().ok())
                    .is_some_and(|k| cert.verify_signature(&k).is_ok())
            };
            let next = candidates
                .iter()
                .copied()
                .find(|&j| verifies(j))
                .or_else(|| candidates.first().copied());
            let Some(next) = next else {
                chain.signatures.push(None);
                break;
            };
            chain.signatures.push(Some(verifies(next)));
            if chain.certificates.contains(&next) {
                chain.cycle = true;
                break;
            }
            chain.certificates.push(next);
            current = next;
        }
        chain
    }
}
