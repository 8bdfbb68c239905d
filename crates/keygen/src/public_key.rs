use core::fmt;

use der::{Decode as _, asn1::ObjectIdentifier};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use pkcs8::{EncodePublicKey as _, SubjectPublicKeyInfoRef};
use rsa::{Pkcs1v15Sign, pss::Pss, traits::PublicKeyParts as _};

use crate::{
    Curve, Error, HashAlgorithm, JwsAlgorithm, KeyKind, SignatureAlgorithm, error::describe_oid,
    oid, private_key::ec_curve,
};

/// Checks an ECDSA `signature` (as parsed: a parse error is a bad
/// signature too) over the digest `prehash`.
fn verify_ecdsa<S, E>(
    key: &impl PrehashVerifier<S>,
    prehash: &[u8],
    signature: Result<S, E>,
) -> Result<(), Error> {
    let signature = signature.map_err(|_| Error::BadSignature)?;
    key.verify_prehash(prehash, &signature)
        .map_err(|_| Error::BadSignature)
}

/// Smallest RSA modulus this crate will load, so that `inspect` can still
/// describe (and refuse) weak keys found in the wild.
const RSA_MIN_LOAD_BITS: usize = 512;
/// Largest RSA modulus this crate will load (bounds verification work).
const RSA_MAX_LOAD_BITS: usize = 16384;

/// A public key: RSA or ECDSA on P-256/P-384/P-521.
///
/// Two `PublicKey`s are equal when they are the same key, whatever encoding
/// they were read from (compressed or uncompressed EC point, RSA parameters
/// NULL or absent).
#[derive(Clone)]
pub struct PublicKey {
    inner: Inner,
    kind: KeyKind,
    /// Canonical SubjectPublicKeyInfo, re-encoded by us.
    spki: Vec<u8>,
}

#[derive(Clone)]
enum Inner {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

/// The public numbers of a key, as a JWK (RFC 7517/7518) carries them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwkParams {
    /// RSA: modulus and exponent, big-endian without leading zeros.
    Rsa {
        /// Modulus `n`.
        n: Vec<u8>,
        /// Public exponent `e`.
        e: Vec<u8>,
    },
    /// EC: the affine coordinates, each exactly the curve's field length.
    Ec {
        /// The curve (JWK `crv`).
        curve: Curve,
        /// `x` coordinate.
        x: Vec<u8>,
        /// `y` coordinate.
        y: Vec<u8>,
    },
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for PublicKey {}

impl core::hash::Hash for PublicKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.spki.hash(state);
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

fn canonical(inner: &Inner) -> Vec<u8> {
    let doc = match inner {
        Inner::Rsa(k) => k.to_public_key_der(),
        Inner::P256(k) => k.to_public_key_der(),
        Inner::P384(k) => k.to_public_key_der(),
        Inner::P521(k) => k.to_public_key_der(),
    };
    // Encoding a key we hold in memory cannot fail (the only failure is an
    // allocation-size overflow); an empty SPKI never equals a real one.
    doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
}

impl PublicKey {
    fn new(inner: Inner, kind: KeyKind) -> Self {
        let spki = canonical(&inner);
        Self { inner, kind, spki }
    }

    pub(crate) fn from_rsa(key: rsa::PublicKey) -> Self {
        let bits = key.n().as_ref().bit_width_vartime();
        Self::new(Inner::Rsa(key), KeyKind::Rsa { bits })
    }

    pub(crate) fn from_p256(key: p256::ecdsa::VerifyingKey) -> Self {
        Self::new(Inner::P256(key), KeyKind::Ec(Curve::P256))
    }

    pub(crate) fn from_p384(key: p384::ecdsa::VerifyingKey) -> Self {
        Self::new(Inner::P384(key), KeyKind::Ec(Curve::P384))
    }

    pub(crate) fn from_p521(key: p521::ecdsa::VerifyingKey) -> Self {
        Self::new(Inner::P521(key), KeyKind::Ec(Curve::P521))
    }

    /// Reads a DER-encoded SubjectPublicKeyInfo (RFC 5280, Section 4.1).
    ///
    /// Liberal where it is safe: RSA parameters may be NULL or absent; EC
    /// points may be compressed. RSA moduli from 512 to 16384 bits load (so
    /// that weak keys can be reported); whether a key is acceptable is the
    /// caller's decision.
    ///
    /// # Errors
    /// [`Error::Encoding`], [`Error::UnsupportedKeyAlgorithm`],
    /// [`Error::UnsupportedCurve`] or [`Error::InvalidKey`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| Error::Encoding {
            what: "SubjectPublicKeyInfo",
            detail: e.to_string(),
        })?;
        let key_bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::Encoding {
                what: "SubjectPublicKeyInfo",
                detail: "public key BIT STRING has unused bits".to_owned(),
            })?;
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION => {
                if let Some(params) = spki.algorithm.parameters {
                    if params != der::asn1::AnyRef::from(der::asn1::Null) {
                        return Err(Error::InvalidKey {
                            detail: "rsaEncryption parameters must be NULL".to_owned(),
                        });
                    }
                }
                Ok(Self::from_rsa(rsa_from_pkcs1(key_bytes)?))
            }
            oid::EC_PUBLIC_KEY => {
                let invalid = |_| Error::InvalidKey {
                    detail: "EC public key is not a valid point on the curve".to_owned(),
                };
                Ok(match ec_curve(&spki.algorithm)? {
                    Curve::P256 => Self::from_p256(
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(invalid)?,
                    ),
                    Curve::P384 => Self::from_p384(
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(invalid)?,
                    ),
                    Curve::P521 => Self::from_p521(
                        p521::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(invalid)?,
                    ),
                })
            }
            other => Err(Error::UnsupportedKeyAlgorithm {
                oid: describe_oid(&other),
            }),
        }
    }

    /// The canonical DER SubjectPublicKeyInfo (RSA with NULL parameters; EC
    /// with the named curve and an uncompressed point) — what pfxgen writes
    /// into certificates and what equality compares.
    #[must_use]
    pub fn to_spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The key's type and size or curve.
    #[must_use]
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The numbers a JWK publishes for this key.
    #[must_use]
    pub fn jwk_params(&self) -> JwkParams {
        let ec = |curve: Curve, sec1: &[u8]| {
            let len = curve.field_len();
            // Uncompressed SEC1: 0x04 || x || y.
            let x = sec1.get(1..=len).unwrap_or_default().to_vec();
            let y = sec1.get(1 + len..).unwrap_or_default().to_vec();
            JwkParams::Ec { curve, x, y }
        };
        match &self.inner {
            Inner::Rsa(k) => JwkParams::Rsa {
                n: k.n_bytes().into_vec(),
                e: k.e_bytes().into_vec(),
            },
            Inner::P256(k) => ec(Curve::P256, k.to_sec1_point(false).as_bytes()),
            Inner::P384(k) => ec(Curve::P384, k.to_sec1_point(false).as_bytes()),
            Inner::P521(k) => ec(Curve::P521, k.to_sec1_point(false).as_bytes()),
        }
    }

    /// Verifies an X.509-style signature (RSA bytes, or a DER ECDSA-Sig-Value)
    /// over `message`.
    ///
    /// Any supported hash is accepted with either key family (CA certificates
    /// may sign with e.g. ecdsa-with-SHA384 from a P-256 key); whether such a
    /// combination is *acceptable* is for the caller to judge.
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when the algorithm's family does not match
    /// the key, [`Error::BadSignature`] when the signature does not verify.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let hash = algorithm.hash().digest(message);
        if let (Inner::Rsa(k), SignatureAlgorithm::RsaPss { hash: h, salt_len }) =
            (&self.inner, algorithm)
        {
            let salt_len = usize::from(salt_len);
            let result = match h {
                HashAlgorithm::Sha1 => {
                    k.verify(Pss::<sha1::Sha1>::new_with_salt(salt_len), &hash, signature)
                }
                HashAlgorithm::Sha256 => k.verify(
                    Pss::<sha2::Sha256>::new_with_salt(salt_len),
                    &hash,
                    signature,
                ),
                HashAlgorithm::Sha384 => k.verify(
                    Pss::<sha2::Sha384>::new_with_salt(salt_len),
                    &hash,
                    signature,
                ),
                HashAlgorithm::Sha512 => k.verify(
                    Pss::<sha2::Sha512>::new_with_salt(salt_len),
                    &hash,
                    signature,
                ),
            };
            return result.map_err(|_| Error::BadSignature);
        }
        match (&self.inner, algorithm.is_rsa()) {
            (Inner::Rsa(k), true) => {
                let scheme = match algorithm.hash() {
                    HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
                    HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.verify(scheme, &hash, signature)
                    .map_err(|_| Error::BadSignature)
            }
            (Inner::P256(k), false) => {
                verify_ecdsa(k, &hash, p256::ecdsa::Signature::from_der(signature))
            }
            (Inner::P384(k), false) => {
                verify_ecdsa(k, &hash, p384::ecdsa::Signature::from_der(signature))
            }
            (Inner::P521(k), false) => {
                verify_ecdsa(k, &hash, p521::ecdsa::Signature::from_der(signature))
            }
            _ => Err(Error::AlgorithmMismatch {
                algorithm: algorithm.name().to_owned(),
                key: self.kind.to_string(),
            }),
        }
    }

    /// Verifies a JWS signature (RFC 7518): RS256 over an RSA key, or ES256 /
    /// ES384 / ES512 as `r || s` over exactly P-256 / P-384 / P-521.
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when `algorithm` is not the one for this
    /// key, [`Error::BadSignature`] when the signature does not verify.
    pub fn verify_jws(
        &self,
        algorithm: JwsAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if algorithm != self.kind.jws_algorithm() {
            return Err(Error::AlgorithmMismatch {
                algorithm: algorithm.name().to_owned(),
                key: self.kind.to_string(),
            });
        }
        match &self.inner {
            Inner::Rsa(_) => self.verify(SignatureAlgorithm::RsaPkcs1Sha256, message, signature),
            Inner::P256(k) => verify_ecdsa(
                k,
                &HashAlgorithm::Sha256.digest(message),
                p256::ecdsa::Signature::from_slice(signature),
            ),
            Inner::P384(k) => verify_ecdsa(
                k,
                &HashAlgorithm::Sha384.digest(message),
                p384::ecdsa::Signature::from_slice(signature),
            ),
            Inner::P521(k) => verify_ecdsa(
                k,
                &HashAlgorithm::Sha512.digest(message),
                p521::ecdsa::Signature::from_slice(signature),
            ),
        }
    }

    /// The algorithm OID of this key's SubjectPublicKeyInfo.
    #[must_use]
    pub fn algorithm_oid(&self) -> ObjectIdentifier {
        match self.kind {
            KeyKind::Rsa { .. } => oid::RSA_ENCRYPTION,
            KeyKind::Ec(_) => oid::EC_PUBLIC_KEY,
        }
    }
}

fn rsa_from_pkcs1(der: &[u8]) -> Result<rsa::PublicKey, Error> {
    let key = rsa::pkcs1::RsaPublicKeyRef::from_der(der).map_err(|e| Error::Encoding {
        what: "RSAPublicKey",
        detail: e.to_string(),
    })?;
    let n_bytes = key.modulus.as_bytes();
    let e_bytes = key.public_exponent.as_bytes();
    let n = rsa::BoxedUint::from_be_slice_vartime(n_bytes);
    let e = rsa::BoxedUint::from_be_slice_vartime(e_bytes);
    let bits = n.bit_width_vartime();
    rsa::PublicKey::new_with_size_limits(n, e, RSA_MIN_LOAD_BITS..=RSA_MAX_LOAD_BITS).map_err(
        |err| Error::InvalidKey {
            detail: format!("RSA public key with a {bits}-bit modulus: {err}"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyAlgorithm, PrivateKey};

    #[test]
    fn spki_round_trip_is_canonical() {
        for alg in [
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::EcdsaP521,
        ] {
            let key = PrivateKey::generate(alg).unwrap().public_key();
            let back = PublicKey::from_spki_der(key.to_spki_der()).unwrap();
            assert_eq!(back, key);
            assert_eq!(back.to_spki_der(), key.to_spki_der());
            let JwkParams::Ec { curve, x, y } = key.jwk_params() else {
                panic!()
            };
            assert_eq!(x.len(), curve.field_len());
            assert_eq!(y.len(), curve.field_len());
        }
    }

    #[test]
    fn compressed_point_is_the_same_key() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)
            .unwrap()
            .public_key();
        let JwkParams::Ec { x, y, .. } = key.jwk_params() else {
            panic!()
        };
        let mut compressed = vec![if y[31] & 1 == 1 { 0x03 } else { 0x02 }];
        compressed.extend_from_slice(&x);
        // SPKI prefix for P-256 with a 33-byte compressed point.
        let mut spki = vec![
            0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
        ];
        spki.extend_from_slice(&compressed);
        assert_eq!(PublicKey::from_spki_der(&spki).unwrap(), key);
    }

    #[test]
    fn jws_algorithm_must_match_curve() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let sig = key.sign_jws(b"x").unwrap();
        let err = key
            .public_key()
            .verify_jws(JwsAlgorithm::Es384, b"x", &sig)
            .unwrap_err();
        assert!(matches!(err, Error::AlgorithmMismatch { .. }));
        let err = key
            .public_key()
            .verify(SignatureAlgorithm::RsaPkcs1Sha256, b"x", &sig)
            .unwrap_err();
        assert!(matches!(err, Error::AlgorithmMismatch { .. }));
    }
}
