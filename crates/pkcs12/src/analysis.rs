//! Making sense of what a PFX holds: which key belongs to which
//! certificate, which certificate is the end entity, and its chain.
//!
//! Keys are paired with certificates by public key, not by `localKeyId`
//! alone (producers disagree on `localKeyId`, and a wrong one must not pair
//! a key with the wrong certificate); `localKeyId` is the fallback only for
//! keys pfxgen cannot load. Chains are X.509 logic and are built by
//! [`pfxgen_x509::Chain::build`].

use pfxgen_keygen::PublicKey;
use pfxgen_x509::{Certificate, Chain};

use crate::{CertEntry, Opened};

/// The certificates of `entries`, `None` for those that could not be read.
fn readable(entries: &[CertEntry]) -> Vec<Option<&Certificate>> {
    entries
        .iter()
        .map(|c| c.certificate.as_ref().ok())
        .collect()
}

/// The end-entity certificate among `certificates` when no key says which:
/// the first that carries a `localKeyId` (producers put it on the
/// certificate that has a key), else as [`pfxgen_x509::end_entity_of`]
/// decides (the first that is not a CA and issued none of the others, else
/// the first).
#[must_use]
pub fn end_entity_of(certificates: &[CertEntry]) -> Option<usize> {
    certificates
        .iter()
        .position(|c| c.certificate.is_ok() && c.attributes.local_key_id.is_some())
        .or_else(|| pfxgen_x509::end_entity_of(&readable(certificates)))
}

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
    /// the file holds it: [`Chain::build`] over [`Opened::certificates`], so
    /// its indices are indices into them.
    #[must_use]
    pub fn chain(&self, from: usize) -> Chain {
        Chain::build(&readable(&self.certificates), from)
    }
}
