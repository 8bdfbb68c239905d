//! Reading certificates.

use der::{Decode as _, Encode as _, asn1::ObjectIdentifier};
use pfxgen_keygen::{PublicKey, SignatureAlgorithm};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use x509_cert::certificate::{CertificateInner, Profile};

use crate::{Error, ExtensionsReport, UtcTime, hex_upper, name};

/// A parsing profile that accepts what real certificates contain and RFC
/// 5280 frowns on (negative, zero or over-long serial numbers), so that
/// `inspect` can report them instead of refusing the file.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Copy, Clone, Default)]
struct Lenient;

impl Profile for Lenient {
    fn check_serial_number(
        _serial: &x509_cert::serial_number::SerialNumber<Self>,
    ) -> der::Result<()> {
        Ok(())
    }
}

/// An X.509 certificate, kept as its exact DER bytes plus a decoded view.
///
/// ```text
/// Certificate  ::=  SEQUENCE  {
///      tbsCertificate       TBSCertificate,
///      signatureAlgorithm   AlgorithmIdentifier,
///      signatureValue       BIT STRING  }
/// ```
/// ([RFC 5280, Section 4.1](https://www.rfc-editor.org/rfc/rfc5280#section-4.1))
#[derive(Clone, Debug)]
pub struct Certificate {
    der: Vec<u8>,
    inner: CertificateInner<Lenient>,
    tbs_der: Vec<u8>,
    not_before: UtcTime,
    not_after: UtcTime,
    extensions: ExtensionsReport,
}

/// The first element (TBSCertificate) of the outer SEQUENCE, exactly as it
/// appears in `der`.
fn raw_tbs(der: &[u8]) -> Result<Vec<u8>, Error> {
    use der::Reader as _;
    let mut reader = der::SliceReader::new(der)?;
    let outer = der::Header::decode(&mut reader)?;
    outer.tag().assert_eq(der::Tag::Sequence)?;
    Ok(reader.tlv_bytes()?.to_vec())
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl Certificate {
    /// Decodes a DER certificate. Trailing bytes are an error.
    ///
    /// # Errors
    /// [`Error::Decode`] with the byte offset of the problem.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let inner = CertificateInner::<Lenient>::from_der(der)?;
        // The signature covers the TBSCertificate bytes *as received*; a
        // re-encoding can differ for input the decoder tolerates (found by
        // the x509_certificate fuzz target), so take the bytes from the input.
        let tbs_der = raw_tbs(der)?;
        let validity = inner.tbs_certificate().validity();
        let time = |t: x509_cert::time::Time| {
            let secs = t.to_unix_duration().as_secs();
            i64::try_from(secs)
                .ok()
                .and_then(UtcTime::from_unix)
                .ok_or_else(|| Error::Decode {
                    detail: "validity time out of range".to_owned(),
                    offset: None,
                })
        };
        let not_before = time(validity.not_before)?;
        let not_after = time(validity.not_after)?;
        let extensions = ExtensionsReport::from_extensions(
            inner
                .tbs_certificate()
                .extensions()
                .map_or(&[], |e| e.as_slice()),
        );
        Ok(Self {
            der: der.to_vec(),
            inner,
            tbs_der,
            not_before,
            not_after,
            extensions,
        })
    }

    /// The DER encoding, exactly as read or written.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate version (1, 2 or 3).
    #[must_use]
    pub fn version(&self) -> u8 {
        match self.inner.tbs_certificate().version() {
            x509_cert::certificate::Version::V1 => 1,
            x509_cert::certificate::Version::V2 => 2,
            x509_cert::certificate::Version::V3 => 3,
        }
    }

    /// The subject in RFC 4514 form, e.g. `CN=id.example,O=Example`.
    #[must_use]
    pub fn subject(&self) -> String {
        name::display_name(self.inner.tbs_certificate().subject())
    }

    /// The issuer in RFC 4514 form.
    #[must_use]
    pub fn issuer(&self) -> String {
        name::display_name(self.inner.tbs_certificate().issuer())
    }

    /// The subject's common name, if any.
    #[must_use]
    pub fn common_name(&self) -> Option<String> {
        name::common_name(self.inner.tbs_certificate().subject())
    }

    /// The DER of the subject Name (for exact comparisons when chaining).
    #[must_use]
    pub fn subject_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .subject()
            .to_der()
            .unwrap_or_default()
    }

    /// The DER of the issuer Name.
    #[must_use]
    pub fn issuer_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .issuer()
            .to_der()
            .unwrap_or_default()
    }

    /// Whether subject and issuer are the same name (self-issued; a
    /// self-signed certificate is also self-issued).
    #[must_use]
    pub fn is_self_issued(&self) -> bool {
        self.subject_der() == self.issuer_der()
    }

    /// The serial number's content octets (two's complement, as encoded).
    #[must_use]
    pub fn serial_bytes(&self) -> &[u8] {
        self.inner.tbs_certificate().serial_number().as_bytes()
    }

    /// The serial number in upper-case hex, as OpenSSL prints it.
    #[must_use]
    pub fn serial_hex(&self) -> String {
        hex_upper(self.serial_bytes())
    }

    /// Start of the validity period.
    #[must_use]
    pub fn not_before(&self) -> UtcTime {
        self.not_before
    }

    /// End of the validity period.
    #[must_use]
    pub fn not_after(&self) -> UtcTime {
        self.not_after
    }

    /// The signature algorithm OID (`Certificate.signatureAlgorithm`).
    #[must_use]
    pub fn signature_algorithm_oid(&self) -> ObjectIdentifier {
        self.inner.signature_algorithm().oid
    }

    /// The signature algorithm's name (for RSASSA-PSS with its hash), else
    /// the OID's name, or the dotted OID if unknown.
    #[must_use]
    pub fn signature_algorithm_name(&self) -> String {
        if let Ok(algorithm) = self.signature_algorithm() {
            return algorithm.name().to_owned();
        }
        let oid = self.signature_algorithm_oid();
        pfxgen_keygen::oid::name(&oid).map_or_else(|| oid.to_string(), str::to_owned)
    }

    /// The signature algorithm, if pfxgen supports it (for RSASSA-PSS, with
    /// the hash and salt length from its parameters).
    ///
    /// # Errors
    /// [`Error::Key`] with [`pfxgen_keygen::Error::UnsupportedSignatureAlgorithm`],
    /// or [`pfxgen_keygen::Error::PssParameters`] for RSASSA-PSS parameters
    /// pfxgen does not verify.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, Error> {
        let id = self.inner.signature_algorithm();
        let parameters = id
            .parameters
            .as_ref()
            .map(der::Encode::to_der)
            .transpose()?;
        Ok(SignatureAlgorithm::from_algorithm_identifier(
            &id.oid,
            parameters.as_deref(),
        )?)
    }

    /// The DER SubjectPublicKeyInfo as it appears in the certificate.
    #[must_use]
    pub fn spki_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap_or_default()
    }

    /// The public key algorithm OID of the SubjectPublicKeyInfo.
    #[must_use]
    pub fn public_key_algorithm_oid(&self) -> ObjectIdentifier {
        self.inner
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid
    }

    /// The subject's public key, if it is of a supported type.
    ///
    /// # Errors
    /// [`Error::Key`] for unsupported or malformed keys.
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        Ok(PublicKey::from_spki_der(&self.spki_der())?)
    }

    /// SHA-1 of the DER: the "thumbprint" Windows shows and the identity
    /// server publishes (upper-case hex) as the JWKS `kid`.
    #[must_use]
    pub fn sha1_thumbprint(&self) -> [u8; 20] {
        Sha1::digest(&self.der).into()
    }

    /// SHA-256 of the DER.
    #[must_use]
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        Sha256::digest(&self.der).into()
    }

    /// The decoded extensions.
    #[must_use]
    pub fn extensions(&self) -> &ExtensionsReport {
        &self.extensions
    }

    /// Whether basicConstraints says this is a CA certificate.
    #[must_use]
    pub fn is_ca(&self) -> bool {
        matches!(self.extensions.basic_constraints, Some((_, true, _)))
    }

    /// The exact TBSCertificate bytes the signature covers.
    #[must_use]
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }

    /// Checks that `issuer` signed this certificate (for a self-signed
    /// certificate, pass its own public key). Also checks that the inner and
    /// outer signature algorithm identifiers agree.
    ///
    /// # Errors
    /// [`Error::SignatureAlgorithmMismatch`], or [`Error::Key`] for an
    /// unsupported algorithm or a signature that does not verify.
    pub fn verify_signature(&self, issuer: &PublicKey) -> Result<(), Error> {
        let outer = self.inner.signature_algorithm();
        let tbs = self.inner.tbs_certificate().signature();
        if outer != tbs {
            return Err(Error::SignatureAlgorithmMismatch {
                tbs: tbs.oid.to_string(),
                outer: outer.oid.to_string(),
            });
        }
        let algorithm = self.signature_algorithm()?;
        let signature = self
            .inner
            .signature()
            .as_bytes()
            .ok_or(Error::Key(pfxgen_keygen::Error::BadSignature))?;
        issuer.verify(algorithm, &self.tbs_der, signature)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pfxgen_keygen::{KeyAlgorithm, PrivateKey};

    /// A fresh P-256 key and the default self-signed certificate for it.
    fn p256_certificate() -> (PrivateKey, Certificate) {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let cert = crate::CertificateParams::default()
            .self_signed(&key)
            .unwrap();
        (key, cert)
    }

    #[test]
    fn rejects_trailing_data_and_truncation() {
        let (_, cert) = p256_certificate();
        let mut extra = cert.der().to_vec();
        extra.push(0);
        assert!(matches!(
            Certificate::from_der(&extra),
            Err(Error::Decode { .. })
        ));
        for len in [0, 1, 2, 10, cert.der().len() - 1] {
            assert!(Certificate::from_der(&cert.der()[..len]).is_err(), "{len}");
        }
    }

    /// Regression (x509_certificate fuzz target,
    /// crash-732325946a9717660f85aa69d1d56512310d937c): the TBSCertificate
    /// used for signature checks must be the input's own bytes.
    #[test]
    fn tbs_bytes_come_from_the_input() {
        let data = include_bytes!(
            "../../../fuzz/corpus/x509_certificate/crash-732325946a9717660f85aa69d1d56512310d937c"
        );
        if let Ok(cert) = Certificate::from_der(data) {
            assert!(
                data.windows(cert.tbs_der().len())
                    .any(|w| w == cert.tbs_der())
            );
        }
        let (_, cert) = p256_certificate();
        assert_eq!(&cert.der()[4..4 + cert.tbs_der().len()], cert.tbs_der());
    }

    /// RSASSA-PSS certificates made by OpenSSL (recipe in
    /// tests/data/README.md): the hash and salt come from the parameters,
    /// the signature verifies, and a changed byte, a wrong salt length or
    /// a wrong hash make it fail. PSS with SHA-1 is refused.
    #[test]
    fn verifies_rsa_pss_signatures() {
        use pfxgen_keygen::HashAlgorithm::{Sha256, Sha384, Sha512};
        let cases: [(&[u8], _, u16); 3] = [
            (
                include_bytes!("../tests/data/pss-sha256-salt32.der"),
                Sha256,
                32,
            ),
            (
                include_bytes!("../tests/data/pss-sha384-salt48.der"),
                Sha384,
                48,
            ),
            (
                include_bytes!("../tests/data/pss-sha512-salt0.der"),
                Sha512,
                0,
            ),
        ];
        for (der, hash, salt_len) in cases {
            let cert = Certificate::from_der(der).unwrap();
            let alg = cert.signature_algorithm().unwrap();
            assert_eq!(alg, SignatureAlgorithm::RsaPss { hash, salt_len });
            assert_eq!(cert.signature_algorithm_name(), alg.name());
            let key = cert.public_key().unwrap();
            cert.verify_signature(&key).unwrap();

            let signature = cert.inner.signature().as_bytes().unwrap();
            for wrong in [
                SignatureAlgorithm::RsaPss {
                    hash,
                    salt_len: salt_len + 1,
                },
                SignatureAlgorithm::RsaPss {
                    hash: if hash == Sha256 { Sha384 } else { Sha256 },
                    salt_len,
                },
                SignatureAlgorithm::RsaPkcs1Sha256,
            ] {
                assert_eq!(
                    key.verify(wrong, cert.tbs_der(), signature),
                    Err(pfxgen_keygen::Error::BadSignature),
                    "{wrong:?}"
                );
            }
            let mut tampered = der.to_vec();
            let pos = tampered.windows(3).position(|w| w == b"pss").unwrap();
            tampered[pos] ^= 0x20;
            let tampered = Certificate::from_der(&tampered).unwrap();
            assert_eq!(
                tampered.verify_signature(&key),
                Err(Error::Key(pfxgen_keygen::Error::BadSignature))
            );
        }
        let sha1 = Certificate::from_der(include_bytes!("../tests/data/pss-sha1.der")).unwrap();
        let err = sha1.signature_algorithm().unwrap_err().to_string();
        assert!(
            err.contains("RSASSA-PSS parameters: the hash is SHA-1 (the default)"),
            "{err}"
        );
        assert_eq!(sha1.signature_algorithm_name(), "RSASSA-PSS");
        assert!(sha1.verify_signature(&sha1.public_key().unwrap()).is_err());
    }

    #[test]
    fn detects_tampering() {
        let (key, cert) = p256_certificate();
        let mut der = cert.der().to_vec();
        // Flip a bit inside the subject CN ("pfxgen token signing").
        let pos = der.windows(6).position(|w| w == b"pfxgen").unwrap();
        der[pos] ^= 0x20;
        let tampered = Certificate::from_der(&der).unwrap();
        let err = tampered.verify_signature(&key.public_key()).unwrap_err();
        assert_eq!(err, Error::Key(pfxgen_keygen::Error::BadSignature));
        assert_ne!(tampered.sha1_thumbprint(), cert.sha1_thumbprint());
    }
}
