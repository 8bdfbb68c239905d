//! Certification paths among the certificates of one file: which one is the
//! end entity, and the chain from a certificate up to its root.
//!
//! A path is built by name chaining (RFC 5280, Section 6.1: "for all x in
//! {1, ..., n-1}, the subject of certificate x is the issuer of certificate
//! x+1") and checked by signature, visiting each certificate at most once,
//! so issuer cycles end. It is a report of what the file holds, not path
//! validation: validity periods, name constraints and policies are not
//! checked, and no trust anchor is consulted.

use std::collections::HashMap;

use pfxgen_keygen::PublicKey;

use crate::Certificate;

/// A certification path among a set of certificates, from a certificate
/// towards its root.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Chain {
    /// Indices into the certificates the chain was built from, starting with
    /// the certificate it was built from.
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

/// Most issuer candidates whose signature is tried at one step of a chain.
pub const MAX_CANDIDATES_PER_STEP: usize = 8;
/// Most signature verifications spent building one chain.
pub const MAX_SIGNATURE_CHECKS: usize = 64;
/// Longest chain followed.
pub const MAX_CHAIN_LENGTH: usize = 16;

/// The end-entity certificate among `certificates` (`None` for one that
/// could not be read): the first that is not a CA and issued none of the
/// others, else the first.
#[must_use]
pub fn end_entity_of(certificates: &[Option<&Certificate>]) -> Option<usize> {
    let cert = |i: usize| certificates.get(i).copied().flatten();
    let n = certificates.len();
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

impl Chain {
    /// The chain from `certificates[from]` up to a self-signed root, as far
    /// as `certificates` holds it (`None` entries could not be read).
    ///
    /// Work is bounded whatever the input: at most
    /// [`MAX_CANDIDATES_PER_STEP`] issuers are tried per step,
    /// [`MAX_SIGNATURE_CHECKS`] signatures in all, and [`MAX_CHAIN_LENGTH`]
    /// certificates followed; each certificate is visited at most once, so
    /// issuer cycles end. The chain is `complete` only when every link
    /// verifies and it ends in a self-signed certificate.
    #[must_use]
    pub fn build(certificates: &[Option<&Certificate>], from: usize) -> Self {
        let mut builder = Builder {
            certificates,
            keys: certificates
                .iter()
                .map(|c| c.and_then(|c| c.public_key().ok()))
                .collect(),
            checks: 0,
        };
        let mut chain = Self {
            certificates: vec![from],
            signatures: Vec::new(),
            complete: false,
            cycle: false,
        };
        let mut current = from;
        while let Some(next) = builder.step(&mut chain, current) {
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

/// The state of one chain being built: the certificates, their keys
/// (parsed once), and the signature checks spent.
struct Builder<'a> {
    certificates: &'a [Option<&'a Certificate>],
    keys: Vec<Option<PublicKey>>,
    checks: usize,
}

impl<'a> Builder<'a> {
    fn cert(&self, index: usize) -> Option<&'a Certificate> {
        self.certificates.get(index).copied().flatten()
    }

    /// Whether `cert`'s signature verifies with certificate `j`'s key;
    /// `None` once the budget is spent or when `j` has no usable key.
    fn verifies(&mut self, cert: &Certificate, j: usize) -> Option<bool> {
        if self.checks >= MAX_SIGNATURE_CHECKS {
            return None;
        }
        self.checks += 1;
        self.keys
            .get(j)
            .and_then(Option::as_ref)
            .map(|k| cert.verify_signature(k).is_ok())
    }

    /// Records the signature of certificate `current` in `chain` and returns
    /// its issuer, or `None` when the chain ends here.
    fn step(&mut self, chain: &mut Chain, current: usize) -> Option<usize> {
        let Some(cert) = self.cert(current) else {
            chain.signatures.push(None);
            return None;
        };
        if cert.is_self_issued() {
            let ok = self.verifies(cert, current);
            chain.signatures.push(ok);
            chain.complete = ok == Some(true) && chain.signatures.iter().all(|s| *s == Some(true));
            return None;
        }
        if chain.certificates.len() >= MAX_CHAIN_LENGTH {
            chain.signatures.push(None);
            return None;
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
            match self.verifies(cert, j) {
                Some(true) => {
                    next = Some((j, Some(true)));
                    break;
                }
                None if self.checks >= MAX_SIGNATURE_CHECKS => break,
                _ => {}
            }
        }
        let Some((next, verified)) = next.or_else(|| candidates.first().map(|&j| (j, Some(false))))
        else {
            chain.signatures.push(None);
            return None;
        };
        chain.signatures.push(
            if self.checks >= MAX_SIGNATURE_CHECKS && verified != Some(true) {
                None
            } else {
                verified
            },
        );
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use pfxgen_keygen::{KeyAlgorithm, PrivateKey};

    use super::*;
    use crate::{CertificateParams, testing};

    fn key() -> PrivateKey {
        PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap()
    }

    /// `subject`'s certificate for `key`, issued by `issuer` and signed by
    /// `signer`; a CA when `ca`.
    fn issued(
        subject: &str,
        issuer: &str,
        key: &PrivateKey,
        signer: &PrivateKey,
        ca: bool,
    ) -> Certificate {
        let der = testing::issued(subject, issuer, key, signer, ca).unwrap();
        Certificate::from_der(&der).unwrap()
    }

    #[test]
    fn a_leaf_its_ca_and_root_form_a_complete_chain_in_any_order() {
        let (kr, ki, kl) = (key(), key(), key());
        let root = issued("CN=Root", "CN=Root", &kr, &kr, true);
        let inter = issued("CN=Inter", "CN=Root", &ki, &kr, true);
        let leaf = issued("CN=Leaf", "CN=Inter", &kl, &ki, false);
        let certs = [Some(&root), None, Some(&leaf), Some(&inter)];
        assert_eq!(end_entity_of(&certs), Some(2));
        let chain = Chain::build(&certs, 2);
        assert_eq!(chain.certificates, vec![2, 3, 0]);
        assert_eq!(chain.signatures, vec![Some(true); 3]);
        assert!(chain.complete && !chain.cycle);
        // Starting from an unreadable entry: a chain of one, unchecked.
        let chain = Chain::build(&certs, 1);
        assert_eq!(
            (chain.certificates, chain.signatures),
            (vec![1], vec![None])
        );
    }

    #[test]
    fn a_wrong_signature_or_a_missing_issuer_leaves_the_chain_incomplete() {
        let (kr, ki, kl) = (key(), key(), key());
        let root = issued("CN=Root", "CN=Root", &kr, &kr, true);
        // Names chain to the root, but the root did not sign it.
        let forged = issued("CN=Inter", "CN=Root", &ki, &kl, true);
        let chain = Chain::build(&[Some(&forged), Some(&root)], 0);
        assert_eq!(chain.certificates, vec![0, 1]);
        assert_eq!(chain.signatures, vec![Some(false), Some(true)]);
        assert!(!chain.complete);
        let chain = Chain::build(&[Some(&forged)], 0);
        assert_eq!(
            (chain.certificates, chain.signatures),
            (vec![0], vec![None])
        );
        assert!(!chain.complete && !chain.cycle);
    }

    #[test]
    fn end_entity_is_the_non_ca_that_issued_nothing_else_the_first_readable() {
        let k = key();
        let ca = issued("CN=CA", "CN=CA", &k, &k, true);
        let self_signed = CertificateParams::default().self_signed(&k).unwrap();
        assert_eq!(end_entity_of(&[Some(&ca), Some(&self_signed)]), Some(1));
        assert_eq!(end_entity_of(&[None, Some(&ca)]), Some(1));
        assert_eq!(end_entity_of(&[None, None]), None);
    }
}
