use core::fmt;

use der::Decode as _;
use getrandom::SysRng;
use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding};
use pkcs8::{EncodePrivateKey as _, PrivateKeyInfoRef};
use rsa::{Generate as _, Pkcs1v15Sign, traits::PublicKeyParts as _};
use zeroize::Zeroizing;

use crate::{
    Curve, Error, JwsAlgorithm, KeyAlgorithm, KeyKind, PublicKey, SignatureAlgorithm,
    error::describe_oid, oid,
};

/// An ECDSA signature over `message` with fresh OS randomness: `r || s`
/// (`Raw`) when `raw`, else a DER ECDSA-Sig-Value (`Der`).
fn sign_ecdsa<Raw: SignatureEncoding, Der: SignatureEncoding>(
    key: &(impl RandomizedSigner<Raw> + RandomizedSigner<Der>),
    message: &[u8],
    raw: bool,
) -> Result<Vec<u8>, Error> {
    let signature = if raw {
        RandomizedSigner::<Raw>::try_sign_with_rng(key, &mut SysRng, message).map(|s| s.to_vec())
    } else {
        RandomizedSigner::<Der>::try_sign_with_rng(key, &mut SysRng, message).map(|s| s.to_vec())
    };
    signature.map_err(|e| Error::Signing {
        detail: e.to_string(),
    })
}

/// A private signing key: RSA or ECDSA on P-256/P-384/P-521.
///
/// The key material lives inside RustCrypto types that zeroize on drop; the
/// PKCS#8 export is returned in a [`Zeroizing`] buffer. `Debug` never prints
/// key material.
pub struct PrivateKey {
    inner: Inner,
    kind: KeyKind,
}

enum Inner {
    Rsa(rsa::PrivateKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self
            .kind
            .key_algorithm()
            .map_or_else(|| self.kind.to_string(), |alg| alg.name().to_owned());
        write!(
            f,
            "PrivateKey {{ algorithm: {name}, key: [secret key elided] }}"
        )
    }
}

fn rng_error(e: impl fmt::Display) -> Error {
    Error::Rng {
        detail: e.to_string(),
    }
}

impl PrivateKey {
    /// Generates a fresh key from the operating system's random number
    /// generator. RSA keys use e = 65537 and two primes of equal size,
    /// searched for on all cores.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS cannot supply randomness,
    /// [`Error::Generation`] if the RSA library rejects the parameters.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let inner = match algorithm {
            KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 | KeyAlgorithm::Rsa4096 => {
                let bits = match algorithm.kind() {
                    KeyKind::Rsa { bits } => bits,
                    KeyKind::Ec(_) => 2048,
                };
                Inner::Rsa(crate::rsa_keygen::generate(bits)?)
            }
            KeyAlgorithm::EcdsaP256 => Inner::P256(
                p256::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng).map_err(rng_error)?,
            ),
            KeyAlgorithm::EcdsaP384 => Inner::P384(
                p384::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng).map_err(rng_error)?,
            ),
            KeyAlgorithm::EcdsaP521 => Inner::P521(
                p521::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng).map_err(rng_error)?,
            ),
        };
        Ok(Self::from_inner(inner))
    }

    fn from_inner(inner: Inner) -> Self {
        let kind = match &inner {
            Inner::Rsa(key) => KeyKind::Rsa {
                bits: key.n().as_ref().bit_width_vartime(),
            },
            Inner::P256(_) => KeyKind::Ec(Curve::P256),
            Inner::P384(_) => KeyKind::Ec(Curve::P384),
            Inner::P521(_) => KeyKind::Ec(Curve::P521),
        };
        Self { inner, kind }
    }

    /// Loads a key from an unencrypted PKCS#8 `PrivateKeyInfo` /
    /// `OneAsymmetricKey` (RFC 5958), DER-encoded.
    ///
    /// Accepts RSA (`rsaEncryption`) and EC (`id-ecPublicKey` with a named
    /// curve P-256, P-384 or P-521; the inner ECPrivateKey may or may not
    /// carry the public key and curve). RSA keys are checked for consistency
    /// (`p * q = n` and friends) by the RSA library.
    ///
    /// # Errors
    /// [`Error::Encoding`] for malformed DER, [`Error::UnsupportedKeyAlgorithm`]
    /// or [`Error::UnsupportedCurve`] for other key types, [`Error::InvalidKey`]
    /// for numbers that do not form a valid key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let info = PrivateKeyInfoRef::from_der(der).map_err(|e| Error::Encoding {
            what: "PKCS#8 private key",
            detail: e.to_string(),
        })?;
        let invalid = |e: pkcs8::Error| Error::InvalidKey {
            detail: e.to_string(),
        };
        let inner = match info.algorithm.oid {
            oid::RSA_ENCRYPTION => Inner::Rsa(rsa::PrivateKey::try_from(info).map_err(invalid)?),
            oid::EC_PUBLIC_KEY => {
                let curve = ec_curve(&info.algorithm)?;
                match curve {
                    Curve::P256 => {
                        Inner::P256(p256::ecdsa::SigningKey::try_from(info).map_err(invalid)?)
                    }
                    Curve::P384 => {
                        Inner::P384(p384::ecdsa::SigningKey::try_from(info).map_err(invalid)?)
                    }
                    Curve::P521 => {
                        Inner::P521(p521::ecdsa::SigningKey::try_from(info).map_err(invalid)?)
                    }
                }
            }
            other => {
                return Err(Error::UnsupportedKeyAlgorithm {
                    oid: describe_oid(&other),
                });
            }
        };
        Ok(Self::from_inner(inner))
    }

    /// Exports the key as a DER-encoded PKCS#8 `PrivateKeyInfo`, the layout
    /// OpenSSL writes: RSA with NULL parameters; EC with the named curve in the
    /// AlgorithmIdentifier and the public key inside the ECPrivateKey.
    ///
    /// # Errors
    /// [`Error::Encoding`] if the encoder fails (it does not for valid keys).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let doc = match &self.inner {
            Inner::Rsa(k) => k.to_pkcs8_der(),
            Inner::P256(k) => k.to_pkcs8_der(),
            Inner::P384(k) => k.to_pkcs8_der(),
            Inner::P521(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| Error::Encoding {
            what: "PKCS#8 private key",
            detail: e.to_string(),
        })?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The key's type and size or curve.
    #[must_use]
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The signature algorithm this key signs certificates with (see
    /// [`KeyKind::signature_algorithm`]).
    #[must_use]
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.kind.signature_algorithm()
    }

    /// The JWS algorithm the identity server uses with this key.
    #[must_use]
    pub fn jws_algorithm(&self) -> JwsAlgorithm {
        self.kind.jws_algorithm()
    }

    /// The matching public key.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        match &self.inner {
            Inner::Rsa(k) => PublicKey::from_rsa(k.to_public_key()),
            Inner::P256(k) => PublicKey::from_p256(*k.verifying_key()),
            Inner::P384(k) => PublicKey::from_p384(*k.verifying_key()),
            Inner::P521(k) => PublicKey::from_p521(*k.verifying_key()),
        }
    }

    /// Whether `public` is this key's public key (compared canonically, so a
    /// compressed and an uncompressed EC point are the same key).
    #[must_use]
    pub fn matches(&self, public: &PublicKey) -> bool {
        self.public_key() == *public
    }

    /// Signs `message` with [`Self::signature_algorithm`] and returns the
    /// signature as X.509 carries it: the RSA signature bytes, or a DER
    /// `ECDSA-Sig-Value`.
    ///
    /// RSA signing is blinded and ECDSA nonces are hedged (RFC 6979 mixed with
    /// fresh OS randomness).
    ///
    /// # Errors
    /// [`Error::Rng`] or [`Error::Signing`].
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_inner(message, false)
    }

    /// Signs `message` for a JWS (RFC 7515) with [`Self::jws_algorithm`]: the
    /// RSA signature bytes, or ECDSA as fixed-length `r || s` (RFC 7518
    /// Section 3.4).
    ///
    /// # Errors
    /// [`Error::Rng`] or [`Error::Signing`].
    pub fn sign_jws(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_inner(message, true)
    }

    fn sign_inner(&self, message: &[u8], raw_ecdsa: bool) -> Result<Vec<u8>, Error> {
        Ok(match &self.inner {
            Inner::Rsa(k) => {
                let hash = crate::HashAlgorithm::Sha256.digest(message);
                k.sign_with_rng(&mut SysRng, Pkcs1v15Sign::new::<sha2::Sha256>(), &hash)
                    .map_err(|e| Error::Signing {
                        detail: e.to_string(),
                    })?
            }
            Inner::P256(k) => sign_ecdsa::<p256::ecdsa::Signature, p256::ecdsa::DerSignature>(
                k, message, raw_ecdsa,
            )?,
            Inner::P384(k) => sign_ecdsa::<p384::ecdsa::Signature, p384::ecdsa::DerSignature>(
                k, message, raw_ecdsa,
            )?,
            Inner::P521(k) => sign_ecdsa::<p521::ecdsa::Signature, p521::ecdsa::DerSignature>(
                k, message, raw_ecdsa,
            )?,
        })
    }
}

/// The named curve of an `id-ecPublicKey` AlgorithmIdentifier.
pub(crate) fn ec_curve(algorithm: &spki::AlgorithmIdentifierRef<'_>) -> Result<Curve, Error> {
    let Some(params) = algorithm.parameters else {
        return Err(Error::UnsupportedCurve {
            curve: "absent".to_owned(),
        });
    };
    let curve_oid = params
        .decode_as::<der::asn1::ObjectIdentifier>()
        .map_err(|_| Error::UnsupportedCurve {
            curve: "not a named curve (explicit or implicit parameters)".to_owned(),
        })?;
    Curve::from_oid(&curve_oid).ok_or_else(|| Error::UnsupportedCurve {
        curve: describe_oid(&curve_oid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ec_algorithms() -> [KeyAlgorithm; 3] {
        [
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::EcdsaP521,
        ]
    }

    #[test]
    fn debug_never_prints_key_material() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let debug = format!("{key:?}");
        assert_eq!(
            debug,
            "PrivateKey { algorithm: ecdsa-p256, key: [secret key elided] }"
        );
        let der = key.to_pkcs8_der().unwrap();
        // The 32-byte scalar sits right after `04 20` in the ECPrivateKey.
        let pos = der.windows(2).position(|w| w == [0x04, 0x20]).unwrap();
        let scalar_hex: String = der[pos + 2..pos + 34]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!debug.to_lowercase().contains(&scalar_hex));
    }

    #[test]
    fn ec_keys_round_trip_through_pkcs8_with_public_key() {
        for alg in ec_algorithms() {
            let key = PrivateKey::generate(alg).unwrap();
            assert_eq!(key.kind(), alg.kind());
            let der = key.to_pkcs8_der().unwrap();
            let info = PrivateKeyInfoRef::from_der(&der).unwrap();
            assert_eq!(info.algorithm.oid, oid::EC_PUBLIC_KEY);
            // OpenSSL layout: curve in the AlgorithmIdentifier, public key in the ECPrivateKey.
            let fields = Vec::<der::Any>::from_der(info.private_key.as_bytes()).unwrap();
            let tags: Vec<der::Tag> = fields.iter().map(der::Tagged::tag).collect();
            let public_key_tag = der::Tag::ContextSpecific {
                constructed: true,
                number: der::TagNumber(1),
            };
            assert_eq!(
                tags,
                [der::Tag::Integer, der::Tag::OctetString, public_key_tag],
                "{alg}: ECPrivateKey must carry its public key and (like OpenSSL) no inner curve"
            );
            let back = PrivateKey::from_pkcs8_der(&der).unwrap();
            assert_eq!(back.public_key(), key.public_key());
            assert!(back.matches(&key.public_key()));
        }
    }

    #[test]
    fn rsa_2048_round_trips_and_signs() {
        let key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
        assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 });
        let der = key.to_pkcs8_der().unwrap();
        let back = PrivateKey::from_pkcs8_der(&der).unwrap();
        assert!(back.matches(&key.public_key()));
        let sig = back.sign(b"message").unwrap();
        assert_eq!(sig.len(), 256);
        key.public_key()
            .verify(SignatureAlgorithm::RsaPkcs1Sha256, b"message", &sig)
            .unwrap();
        assert_eq!(
            key.public_key()
                .verify(SignatureAlgorithm::RsaPkcs1Sha256, b"messagf", &sig),
            Err(Error::BadSignature)
        );
    }

    #[test]
    fn different_keys_do_not_match() {
        let a = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let b = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let c = PrivateKey::generate(KeyAlgorithm::EcdsaP384).unwrap();
        assert!(!a.matches(&b.public_key()));
        assert!(!a.matches(&c.public_key()));
    }

    #[test]
    fn ecdsa_signatures_verify_in_both_encodings() {
        for alg in ec_algorithms() {
            let key = PrivateKey::generate(alg).unwrap();
            let public = key.public_key();
            let der_sig = key.sign(b"payload").unwrap();
            assert_eq!(der_sig[0], 0x30, "X.509 ECDSA signatures are DER SEQUENCEs");
            public
                .verify(key.signature_algorithm(), b"payload", &der_sig)
                .unwrap();
            let raw = key.sign_jws(b"payload").unwrap();
            let KeyKind::Ec(curve) = alg.kind() else {
                panic!("{alg:?} is not an EC algorithm")
            };
            assert_eq!(raw.len(), 2 * curve.field_len());
            public
                .verify_jws(key.jws_algorithm(), b"payload", &raw)
                .unwrap();
            assert_eq!(
                public.verify_jws(key.jws_algorithm(), b"tampered", &raw),
                Err(Error::BadSignature)
            );
        }
    }

    #[test]
    fn rejects_garbage_and_unsupported_keys() {
        assert!(matches!(
            PrivateKey::from_pkcs8_der(b"\x30\x03\x02\x01\x00"),
            Err(Error::Encoding { .. })
        ));
        // An Ed25519 PKCS#8 key (RFC 8410, Section 10.3).
        let ed25519 = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20, 0xd4, 0xee, 0x72, 0xdb, 0xf9, 0x13, 0x58, 0x4a, 0xd5, 0xb6, 0xd8, 0xf1,
            0xf7, 0x69, 0xf8, 0xad, 0x3a, 0xfe, 0x7c, 0x28, 0xcb, 0xf1, 0xd4, 0xfb, 0xe0, 0x97,
            0xa8, 0x8f, 0x44, 0x75, 0x58, 0x42,
        ];
        let err = PrivateKey::from_pkcs8_der(&ed25519).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported key algorithm 1.3.101.112 (Ed25519)"
        );
    }
}
