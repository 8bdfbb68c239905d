//! Self-signed certificate assembly.

use pfxgen_asn1::writer;
use pfxgen_keygen::{PrivateKey, SignatureAlgorithm};
use sha1::{Digest as _, Sha1};

use crate::{
    Certificate, DistinguishedName, Error, ExtendedKeyUsage, SanEntry, UtcTime,
    extensions::{OID_AUTHORITY_KEY_ID, OID_SUBJECT_KEY_ID, extension, profile_extensions},
};

/// Number of random bytes in a serial number. The top bit is cleared (the
/// serial must be positive) and the next one set (so the encoding is always
/// exactly this long): 126 random bits, well over the 64 the CA/Browser Forum
/// asks for and under RFC 5280's 20-octet limit.
pub const SERIAL_LEN: usize = 16;

/// What goes into a self-signed certificate.
///
/// Start from [`Default`] and change what you need, as with rcgen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateParams {
    /// Subject and issuer (the same: the certificate is self-signed).
    /// Default: `CN=pfxgen token signing`.
    pub subject: DistinguishedName,
    /// subjectAltName entries; none by default (the extension is omitted).
    pub subject_alt_names: Vec<SanEntry>,
    /// extendedKeyUsage purposes; none by default (the extension is omitted,
    /// which leaves the key usable for token signing; TLS purposes only when
    /// asked for).
    pub extended_key_usages: Vec<ExtendedKeyUsage>,
    /// Start of validity; `None` means "now" when the certificate is made.
    pub not_before: Option<UtcTime>,
    /// Length of validity in days (at least 1). Default 365, like the
    /// vendor's scripts.
    pub validity_days: u32,
}

impl Default for CertificateParams {
    fn default() -> Self {
        Self {
            subject: DistinguishedName::common_name("pfxgen token signing")
                .unwrap_or_else(|_| DistinguishedName::empty()),
            subject_alt_names: Vec::new(),
            extended_key_usages: Vec::new(),
            not_before: None,
            validity_days: 365,
        }
    }
}

impl CertificateParams {
    /// Makes a self-signed X.509 v3 certificate for `key`.
    ///
    /// * serial: [`SERIAL_LEN`] bytes from the OS RNG, never derived from the key;
    /// * signature: the one algorithm the identity server pairs with the key
    ///   ([`PrivateKey::signature_algorithm`]);
    /// * validity: `not_before` (or now) for `validity_days` days, encoded as
    ///   UTCTime through 2049 and GeneralizedTime from 2050;
    /// * extensions: see [`crate::extensions`].
    ///
    /// The result is parsed back and its signature verified before it is
    /// returned.
    ///
    /// # Errors
    /// [`Error::InvalidValidity`] for 0 days or an end past 9999-12-31;
    /// [`Error::Key`] if the RNG or signing fails.
    pub fn self_signed(&self, key: &PrivateKey) -> Result<Certificate, Error> {
        if self.validity_days == 0 {
            return Err(Error::InvalidValidity {
                reason: "the validity must be at least one day".to_owned(),
            });
        }
        let not_before = match self.not_before {
            Some(t) => t,
            None => UtcTime::now().ok_or_else(|| Error::InvalidValidity {
                reason: "the system clock is not between 1970 and 9999".to_owned(),
            })?,
        };
        let not_after = not_before
            .plus_days(i64::from(self.validity_days))
            .ok_or_else(|| Error::InvalidValidity {
                reason: format!(
                    "{} days from {not_before} is past 9999-12-31",
                    self.validity_days
                ),
            })?;

        let mut serial = pfxgen_keygen::random_bytes(SERIAL_LEN)?;
        if let Some(first) = serial.first_mut() {
            *first = (*first & 0x7F) | 0x40;
        }

        let public = key.public_key();
        let spki = public.to_spki_der();
        let key_id = subject_key_id(spki);
        let algorithm = key.signature_algorithm();
        let alg_id = algorithm_identifier(algorithm);
        let name = self.subject.to_der();

        let mut exts = profile_extensions(&self.extended_key_usages, &self.subject_alt_names);
        exts.push(extension(
            &OID_SUBJECT_KEY_ID,
            false,
            &writer::octet_string(&key_id),
        ));
        let aki = writer::sequence(&[&writer::context_primitive(0, &key_id)]);
        exts.push(extension(&OID_AUTHORITY_KEY_ID, false, &aki));

        let tbs = writer::sequence(&[
            &writer::context_constructed(0, &[&writer::integer_u64(2)]), // v3
            &writer::unsigned_integer(&serial),
            &alg_id,
            &name, // issuer
            &writer::sequence(&[&not_before.to_x509_der(), &not_after.to_x509_der()]),
            &name, // subject
            spki,
            &writer::context_constructed(3, &[&writer::sequence_of(&exts)]),
        ]);
        let signature = key.sign(&tbs)?;
        let der = writer::sequence(&[&tbs, &alg_id, &writer::bit_string(&signature)]);

        let cert = Certificate::from_der(&der)?;
        cert.verify_signature(&public)?;
        Ok(cert)
    }
}

/// The DER AlgorithmIdentifier for a signature algorithm: NULL parameters for
/// RSA (RFC 4055 Section 5), absent for ECDSA (RFC 5758 Section 3.2).
#[must_use]
pub fn algorithm_identifier(algorithm: SignatureAlgorithm) -> Vec<u8> {
    if algorithm.has_null_parameters() {
        writer::sequence(&[&writer::oid(&algorithm.oid()), &writer::null()])
    } else {
        writer::sequence(&[&writer::oid(&algorithm.oid())])
    }
}

/// RFC 5280 Section 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT
/// STRING's bytes (without tag, length and unused-bits octet). This is what
/// OpenSSL computes, so tools that compare key identifiers agree with it.
fn subject_key_id(spki_der: &[u8]) -> Vec<u8> {
    let key_bits = spki_public_key_bits(spki_der).unwrap_or(spki_der);
    Sha1::digest(key_bits).to_vec()
}

/// The subjectPublicKey bytes of a DER SubjectPublicKeyInfo.
fn spki_public_key_bits(spki_der: &[u8]) -> Option<&[u8]> {
    use der::Decode as _;
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    let bits = spki.subject_public_key.as_bytes()?;
    // Borrowed from the input, so we can return it with the input's lifetime.
    let start = spki_der.len().checked_sub(bits.len())?;
    spki_der.get(start..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pfxgen_keygen::KeyAlgorithm;

    #[test]
    fn self_signed_ecdsa_has_the_token_signing_profile() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP384).unwrap();
        let params = CertificateParams {
            subject: "CN=id.example,O=Example".parse().unwrap(),
            validity_days: 30,
            ..CertificateParams::default()
        };
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(cert.subject(), "CN=id.example,O=Example");
        assert_eq!(cert.issuer(), cert.subject());
        assert_eq!(cert.signature_algorithm_name(), "ecdsa-with-SHA384");
        assert_eq!(cert.not_before().days_until(cert.not_after()), 30);
        let e = cert.extensions();
        assert_eq!(e.basic_constraints, Some((true, false, None)));
        assert_eq!(
            e.key_usage,
            Some((true, vec!["digitalSignature".to_owned()]))
        );
        assert_eq!(e.extended_key_usage, None);
        assert!(e.subject_alt_names.is_empty());
        assert_eq!(e.subject_key_id.as_ref().map(String::len), Some(40));
        assert_eq!(e.subject_key_id, e.authority_key_id);
        assert!(e.malformed.is_empty() && e.other.is_empty());
        assert!(key.matches(&cert.public_key().unwrap()));
        let serial = cert.serial_bytes();
        assert_eq!(serial.len(), SERIAL_LEN);
        assert_eq!(serial[0] & 0xC0, 0x40);
    }

    #[test]
    fn serials_differ_for_the_same_key() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let a = CertificateParams::default().self_signed(&key).unwrap();
        let b = CertificateParams::default().self_signed(&key).unwrap();
        assert_ne!(a.serial_bytes(), b.serial_bytes());
    }

    #[test]
    fn utc_time_until_2049_generalized_from_2050() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let start = UtcTime::from_unix(2_524_608_000 - 86_400).unwrap(); // 2049-12-31
        let params = CertificateParams {
            not_before: Some(start),
            validity_days: 1,
            ..Default::default()
        };
        let cert = params.self_signed(&key).unwrap();
        let der = cert.der();
        assert!(der.windows(15).any(|w| w == b"\x17\x0d491231000000Z"));
        assert!(der.windows(17).any(|w| w == b"\x18\x0f20500101000000Z"));
        assert_eq!(cert.not_after().to_string(), "2050-01-01T00:00:00Z");
    }

    #[test]
    fn san_and_eku_only_when_asked() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let params = CertificateParams {
            subject_alt_names: vec![
                "id.example".parse().unwrap(),
                "ip:192.0.2.7".parse().unwrap(),
            ],
            extended_key_usages: vec![ExtendedKeyUsage::ServerAuth],
            ..Default::default()
        };
        let cert = params.self_signed(&key).unwrap();
        let e = cert.extensions();
        assert_eq!(e.subject_alt_names, ["DNS:id.example", "IP:192.0.2.7"]);
        assert_eq!(
            e.extended_key_usage,
            Some((false, vec!["serverAuth".to_owned()]))
        );
    }

    #[test]
    fn rejects_zero_days_and_year_10000() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        for validity_days in [0, 3_000_000] {
            let params = CertificateParams {
                validity_days,
                ..Default::default()
            };
            let result = params.self_signed(&key);
            assert!(
                matches!(result, Err(Error::InvalidValidity { .. })),
                "{validity_days} days: {result:?}"
            );
        }
    }

    #[test]
    fn rsa_certificate_uses_sha256_with_null_parameters() {
        let key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
        let cert = CertificateParams::default().self_signed(&key).unwrap();
        assert_eq!(cert.signature_algorithm_name(), "sha256WithRSAEncryption");
        let alg_id = algorithm_identifier(SignatureAlgorithm::RsaPkcs1Sha256);
        assert!(alg_id.ends_with(&[0x05, 0x00]));
        assert!(cert.der().windows(alg_id.len()).any(|w| w == alg_id));
    }
}
