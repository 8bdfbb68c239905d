//! Making sense of what a PFX holds: which key belongs to which
//! certificate, which certificate is the end entity, and its chain.
//!
//! Keys are paired with certificates by public key, not by `localKeyId`
//! alone (producers disagree on `localKeyId`, and a wrong one must not pair
//! a key with the wrong certificate); `localKeyId` is the fallback only for
//! keys pfxgen cannot load. Chains are built by name and checked by
//! signature, visiting each certificate at most once, so issuer cycles end.

use std::collections::HashMap;

use pfxgen_x509::Certificate;

use pfxgen_keygen::PublicKey;

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
    // How many certificates name each issuer: one pass, so a file of many
    // certificates costs linear time, not a comparison of every pair.
    let mut issued: HashMap<Vec<u8>, usize> = HashMap::new();
    for c in (0..n).filter_map(cert) {
        *issued.entry(c.issuer_der()).or_default() += 1;
    }
    let issues_another = |i: usize| {
        let Some(ci) = cert(i) else { return false };
        let subject = ci.subject_der();
        let own = usize::from(ci.issuer_der() == subject);
        issued.get(&subject).is_some_and(|&count| count > own)
    };
    (0..n)
        .find(|&i| cert(i).is_some_and(|c| !c.is_ca()) && !issues_another(i))
        .or_else(|| (0..n).find(|&i| cert(i).is_some()))
}

/// Most issuer candidates whose signature is tried at one step of a chain.
pub const MAX_CANDIDATES_PER_STEP: usize = 8;
/// Most signature verifications spent building one chain.
pub const MAX_SIGNATURE_CHECKS: usize = 64;
/// Longest chain followed.
pub const MAX_CHAIN_LENGTH: usize = 16;

impl Opened {
    fn cert(&self, index: usize) -> Option<&Certificate> {
        self.certificates
            .get(index)
            .and_then(|c| c.certificate.as_ref().ok())
    }

    /// Each certificate's public key, parsed once (None when unreadable).
    fn public_keys(&self) -> Vec<Option<PublicKey>> {
        (0..self.certificates.len())
            .map(|i| self.cert(i).and_then(|c| c.public_key().ok()))
            .collect()
    }

    /// For each entry of [`Opened::keys`], the index of the certificate it
    /// belongs to: the first whose public key equals the key's; for a key
    /// that could not be loaded, the first with the same `localKeyId`.
    #[must_use]
    pub fn key_certificates(&self) -> Vec<Option<usize>> {
        let keys = self.public_keys();
        self.keys
            .iter()
            .map(|entry| match &entry.key {
                Ok(key) => {
                    let public = key.public_key();
                    keys.iter().position(|p| p.as_ref() == Some(&public))
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
    ///
    /// Work is bounded whatever the file holds: at most
    /// [`MAX_CANDIDATES_PER_STEP`] issuers are tried per step,
    /// [`MAX_SIGNATURE_CHECKS`] signatures in all, and [`MAX_CHAIN_LENGTH`]
    /// certificates followed; each certificate is visited at most once, so
    /// issuer cycles end. The chain is `complete` only when every link
    /// verifies and it ends in a self-signed certificate.
    #[must_use]
    pub fn chain(&self, from: usize) -> Chain {
        let keys = self.public_keys();
        let mut chain = Chain {
            certificates: vec![from],
            signatures: Vec::new(),
            complete: false,
            cycle: false,
        };
        let mut checks = 0usize;
        let mut current = from;
        loop {
            let Some(cert) = self.cert(current) else {
                chain.signatures.push(None);
                break;
            };
            let verifies = |j: usize, checks: &mut usize| {
                if *checks >= MAX_SIGNATURE_CHECKS {
                    return None;
                }
                *checks += 1;
                keys.get(j)
                    .and_then(Option::as_ref)
                    .map(|k| cert.verify_signature(k).is_ok())
            };
            if cert.is_self_issued() {
                let ok = verifies(current, &mut checks);
                chain.signatures.push(ok);
                chain.complete =
                    ok == Some(true) && chain.signatures.iter().all(|s| *s == Some(true));
                break;
            }
            if chain.certificates.len() >= MAX_CHAIN_LENGTH {
                chain.signatures.push(None);
                break;
            }
            let issuer_name = cert.issuer_der();
            let candidates: Vec<usize> = (0..self.certificates.len())
                .filter(|&j| {
                    j != current && self.cert(j).is_some_and(|c| c.subject_der() == issuer_name)
                })
                .take(MAX_CANDIDATES_PER_STEP)
                .collect();
            let mut next = None;
            for &j in &candidates {
                match verifies(j, &mut checks) {
                    Some(true) => {
                        next = Some((j, Some(true)));
                        break;
                    }
                    None if checks >= MAX_SIGNATURE_CHECKS => break,
                    _ => {}
                }
            }
            let Some((next, verified)) =
                next.or_else(|| candidates.first().map(|&j| (j, Some(false))))
            else {
                chain.signatures.push(None);
                break;
            };
            chain.signatures.push(
                if checks >= MAX_SIGNATURE_CHECKS && verified != Some(true) {
                    None
                } else {
                    verified
                },
            );
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
