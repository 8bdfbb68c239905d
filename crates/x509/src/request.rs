//! PKCS#10 certification requests (RFC 2986) for a CA to issue the
//! token-signing certificate.
//!
//! ```text
//! CertificationRequest ::= SEQUENCE {
//!     certificationRequestInfo  SEQUENCE {
//!         version        INTEGER { v1(0) },
//!         subject        Name,
//!         subjectPKInfo  SubjectPublicKeyInfo,
//!         attributes     [0] IMPLICIT SET OF Attribute },   -- extensionRequest
//!     signatureAlgorithm AlgorithmIdentifier,
//!     signature          BIT STRING }
//! ```

use der::asn1::ObjectIdentifier;
use pfxgen_asn1::writer;
use pfxgen_keygen::PrivateKey;

use crate::{
    DistinguishedName, Error, ExtendedKeyUsage, SanEntry, extensions::profile_extensions,
    params::algorithm_identifier,
};

/// `extensionRequest` (PKCS#9): the extensions asked of the CA.
pub const OID_EXTENSION_REQUEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");

/// What goes into a request: the same subject and extensions as a
/// certificate from `generate` (basicConstraints cA FALSE and keyUsage
/// digitalSignature, both critical; extendedKeyUsage and subjectAltName
/// only when given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestParams {
    /// The subject asked for.
    pub subject: DistinguishedName,
    /// subjectAltName entries; none by default.
    pub subject_alt_names: Vec<SanEntry>,
    /// extendedKeyUsage purposes; none by default.
    pub extended_key_usages: Vec<ExtendedKeyUsage>,
}

impl RequestParams {
    /// Makes the DER request signed with `key` (the algorithm the identity
    /// server pairs with the key). The signature is verified before the
    /// request is returned.
    ///
    /// # Errors
    /// [`Error::Key`] if signing fails or the signature does not verify.
    pub fn sign(&self, key: &PrivateKey) -> Result<Vec<u8>, Error> {
        let exts = profile_extensions(&self.extended_key_usages, &self.subject_alt_names);
        let attribute = writer::sequence(&[
            &writer::oid(&OID_EXTENSION_REQUEST),
            &writer::set_of(&[&writer::sequence_of(&exts)]),
        ]);
        let public = key.public_key();
        let info = writer::sequence(&[
            &writer::integer_u64(0),
            &self.subject.to_der(),
            public.to_spki_der(),
            &writer::context_constructed(0, &[&attribute]),
        ]);
        let algorithm = key.signature_algorithm();
        let signature = key.sign(&info)?;
        public.verify(algorithm, &info, &signature)?;
        Ok(writer::sequence(&[
            &info,
            &algorithm_identifier(algorithm),
            &writer::bit_string(&signature),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extensions::{OID_EXT_KEY_USAGE, OID_SUBJECT_ALT_NAME};
    use pfxgen_keygen::KeyAlgorithm;

    #[test]
    fn request_carries_subject_key_and_extensions() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let params = RequestParams {
            subject: "CN=id.example,O=Example".parse().unwrap(),
            subject_alt_names: vec!["id.example".parse().unwrap()],
            extended_key_usages: vec![ExtendedKeyUsage::ServerAuth],
        };
        let der = params.sign(&key).unwrap();
        assert_eq!(der.first(), Some(&0x30));
        let spki = key.public_key().to_spki_der().to_vec();
        assert!(der.windows(spki.len()).any(|w| w == spki));
        let ext_req = writer::oid(&OID_EXTENSION_REQUEST);
        assert!(der.windows(ext_req.len()).any(|w| w == ext_req));
        let san = writer::oid(&OID_SUBJECT_ALT_NAME);
        assert!(der.windows(san.len()).any(|w| w == san));
    }

    #[test]
    fn no_san_or_eku_unless_asked() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let params = RequestParams {
            subject: "CN=x".parse().unwrap(),
            subject_alt_names: Vec::new(),
            extended_key_usages: Vec::new(),
        };
        let der = params.sign(&key).unwrap();
        for oid in [OID_SUBJECT_ALT_NAME, OID_EXT_KEY_USAGE] {
            let o = writer::oid(&oid);
            assert!(!der.windows(o.len()).any(|w| w == o));
        }
    }
}
