use core::{fmt, str::FromStr};

use der::asn1::ObjectIdentifier;
use sha2::Digest as _;

use crate::{Error, oid};

/// The key types pfxgen generates: exactly those the identity server signs
/// tokens with (RSA of at least 2048 bits; ECDSA on P-256, P-384, P-521).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA, 2048-bit modulus, e = 65537. The vendor scripts' key; the default.
    Rsa2048,
    /// RSA, 3072-bit modulus, e = 65537.
    Rsa3072,
    /// RSA, 4096-bit modulus, e = 65537.
    Rsa4096,
    /// ECDSA on NIST P-256, signing with SHA-256 (JWS `ES256`).
    EcdsaP256,
    /// ECDSA on NIST P-384, signing with SHA-384 (JWS `ES384`).
    EcdsaP384,
    /// ECDSA on NIST P-521, signing with SHA-512 (JWS `ES512`).
    EcdsaP521,
}

impl KeyAlgorithm {
    /// All supported algorithms, in the order `--help` lists them.
    pub const ALL: [Self; 6] = [
        Self::Rsa2048,
        Self::Rsa3072,
        Self::Rsa4096,
        Self::EcdsaP256,
        Self::EcdsaP384,
        Self::EcdsaP521,
    ];

    /// The command-line name, e.g. `rsa-2048`, `ecdsa-p256`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
            Self::Rsa4096 => "rsa-4096",
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
            Self::EcdsaP521 => "ecdsa-p521",
        }
    }

    /// What kind of key this makes.
    #[must_use]
    pub const fn kind(self) -> KeyKind {
        match self {
            Self::Rsa2048 => KeyKind::Rsa { bits: 2048 },
            Self::Rsa3072 => KeyKind::Rsa { bits: 3072 },
            Self::Rsa4096 => KeyKind::Rsa { bits: 4096 },
            Self::EcdsaP256 => KeyKind::Ec(Curve::P256),
            Self::EcdsaP384 => KeyKind::Ec(Curve::P384),
            Self::EcdsaP521 => KeyKind::Ec(Curve::P521),
        }
    }

    /// The one signature algorithm the identity server pairs with this key.
    #[must_use]
    pub const fn signature_algorithm(self) -> SignatureAlgorithm {
        self.kind().signature_algorithm()
    }
}

impl FromStr for KeyAlgorithm {
    type Err = Error;

    /// Parses the command-line name (case-insensitive; `rsa` alone means
    /// `rsa-2048`, `p256`/`ec-p256`/`es256` style aliases are accepted).
    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "rsa-2048" | "rsa2048" | "rsa" | "rsa:2048" => Self::Rsa2048,
            "rsa-3072" | "rsa3072" | "rsa:3072" => Self::Rsa3072,
            "rsa-4096" | "rsa4096" | "rsa:4096" => Self::Rsa4096,
            "ecdsa-p256" | "ec-p256" | "p256" | "p-256" | "es256" => Self::EcdsaP256,
            "ecdsa-p384" | "ec-p384" | "p384" | "p-384" | "es384" => Self::EcdsaP384,
            "ecdsa-p521" | "ec-p521" | "p521" | "p-521" | "es512" => Self::EcdsaP521,
            _ => return Err(Error::UnknownAlgorithmName { name: s.to_owned() }),
        })
    }
}

/// The NIST curves pfxgen supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (`secp256r1`, `prime256v1`).
    P256,
    /// NIST P-384 (`secp384r1`).
    P384,
    /// NIST P-521 (`secp521r1`).
    P521,
}

impl Curve {
    /// The name used in JWKs and by NIST: `P-256`, `P-384`, `P-521`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
        }
    }

    /// The named-curve OID (RFC 5480).
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => oid::SECP256R1,
            Self::P384 => oid::SECP384R1,
            Self::P521 => oid::SECP521R1,
        }
    }

    /// The curve for a named-curve OID, if supported.
    #[must_use]
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oid::SECP256R1 => Some(Self::P256),
            oid::SECP384R1 => Some(Self::P384),
            oid::SECP521R1 => Some(Self::P521),
            _ => None,
        }
    }

    /// Length in bytes of a field element / scalar (32, 48, 66).
    #[must_use]
    pub const fn field_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The hash the identity server requires with this curve.
    #[must_use]
    pub const fn hash(self) -> HashAlgorithm {
        match self {
            Self::P256 => HashAlgorithm::Sha256,
            Self::P384 => HashAlgorithm::Sha384,
            Self::P521 => HashAlgorithm::Sha512,
        }
    }
}

/// What a loaded key is: its family and size or curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus length in bits.
        bits: u32,
    },
    /// ECDSA on a supported curve.
    Ec(Curve),
}

impl KeyKind {
    /// The signature algorithm pfxgen and the identity server use with this
    /// key: RSA -> sha256WithRSAEncryption (RS256); P-256 -> ecdsa-with-SHA256;
    /// P-384 -> ecdsa-with-SHA384; P-521 -> ecdsa-with-SHA512.
    #[must_use]
    pub const fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            Self::Rsa { .. } => SignatureAlgorithm::RsaPkcs1Sha256,
            Self::Ec(Curve::P256) => SignatureAlgorithm::EcdsaSha256,
            Self::Ec(Curve::P384) => SignatureAlgorithm::EcdsaSha384,
            Self::Ec(Curve::P521) => SignatureAlgorithm::EcdsaSha512,
        }
    }

    /// The JWS algorithm the identity server signs with for this key.
    #[must_use]
    pub const fn jws_algorithm(self) -> JwsAlgorithm {
        match self {
            Self::Rsa { .. } => JwsAlgorithm::Rs256,
            Self::Ec(Curve::P256) => JwsAlgorithm::Es256,
            Self::Ec(Curve::P384) => JwsAlgorithm::Es384,
            Self::Ec(Curve::P521) => JwsAlgorithm::Es512,
        }
    }

    /// The generation algorithm that makes this kind of key, if it is one of
    /// the six pfxgen makes.
    #[must_use]
    pub const fn key_algorithm(self) -> Option<KeyAlgorithm> {
        match self {
            Self::Rsa { bits: 2048 } => Some(KeyAlgorithm::Rsa2048),
            Self::Rsa { bits: 3072 } => Some(KeyAlgorithm::Rsa3072),
            Self::Rsa { bits: 4096 } => Some(KeyAlgorithm::Rsa4096),
            Self::Rsa { .. } => None,
            Self::Ec(Curve::P256) => Some(KeyAlgorithm::EcdsaP256),
            Self::Ec(Curve::P384) => Some(KeyAlgorithm::EcdsaP384),
            Self::Ec(Curve::P521) => Some(KeyAlgorithm::EcdsaP521),
        }
    }

    /// `"RSA"` or `"EC"`: the JWK `kty`.
    #[must_use]
    pub const fn jwk_kty(self) -> &'static str {
        match self {
            Self::Rsa { .. } => "RSA",
            Self::Ec(_) => "EC",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA {bits}"),
            Self::Ec(curve) => write!(f, "ECDSA {curve}"),
        }
    }
}

/// Hash functions used in signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1.
    ///
    /// ## Security warning
    /// Collisions are practical; accepted only to *verify* old CA signatures,
    /// and reported as weak.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The digest of `data`.
    #[must_use]
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The usual name: `SHA-1`, `SHA-256`, ...
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// X.509 signature algorithms pfxgen can produce or verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// `sha1WithRSAEncryption`: verification of old CA certificates only.
    ///
    /// ## Security warning
    /// SHA-1 signatures are forgeable with chosen-prefix collisions.
    RsaPkcs1Sha1,
    /// `sha256WithRSAEncryption` (RSASSA-PKCS1-v1_5 with SHA-256).
    RsaPkcs1Sha256,
    /// `sha384WithRSAEncryption`.
    RsaPkcs1Sha384,
    /// `sha512WithRSAEncryption`.
    RsaPkcs1Sha512,
    /// `ecdsa-with-SHA256`.
    EcdsaSha256,
    /// `ecdsa-with-SHA384`.
    EcdsaSha384,
    /// `ecdsa-with-SHA512`.
    EcdsaSha512,
    /// `id-RSASSA-PSS` with MGF1 and the same hash (RFC 4055): verification
    /// of CA signatures only; pfxgen never signs with PSS.
    RsaPss {
        /// The message hash, also used by MGF1 (SHA-256, SHA-384 or SHA-512).
        hash: HashAlgorithm,
        /// The salt length in bytes, at most [`crate::pss::MAX_SALT_LEN`].
        salt_len: u16,
    },
}

impl SignatureAlgorithm {
    /// The AlgorithmIdentifier OID.
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::RsaPkcs1Sha1 => oid::SHA1_WITH_RSA,
            Self::RsaPkcs1Sha256 => oid::SHA256_WITH_RSA,
            Self::RsaPkcs1Sha384 => oid::SHA384_WITH_RSA,
            Self::RsaPkcs1Sha512 => oid::SHA512_WITH_RSA,
            Self::EcdsaSha256 => oid::ECDSA_WITH_SHA256,
            Self::EcdsaSha384 => oid::ECDSA_WITH_SHA384,
            Self::EcdsaSha512 => oid::ECDSA_WITH_SHA512,
            Self::RsaPss { .. } => oid::RSASSA_PSS,
        }
    }

    /// The algorithm of an AlgorithmIdentifier: its OID and, when present,
    /// the DER of its parameters (the whole TLV). Only RSASSA-PSS reads the
    /// parameters; for the others see [`Self::from_oid`].
    ///
    /// # Errors
    /// [`Error::PssParameters`] for RSASSA-PSS parameters that are absent,
    /// malformed or not verified by pfxgen (see [`crate::pss`]);
    /// [`Error::UnsupportedSignatureAlgorithm`] as for [`Self::from_oid`].
    pub fn from_algorithm_identifier(
        oid: &ObjectIdentifier,
        parameters: Option<&[u8]>,
    ) -> Result<Self, Error> {
        if *oid == oid::RSASSA_PSS {
            let parameters = parameters.ok_or_else(|| Error::PssParameters {
                detail: "the parameters are missing".to_owned(),
            })?;
            let (hash, salt_len) = crate::pss::parse(parameters)?;
            return Ok(Self::RsaPss { hash, salt_len });
        }
        Self::from_oid(oid)
    }

    /// The algorithm for an OID, if pfxgen supports it and the OID alone
    /// says everything (all but RSASSA-PSS, whose hash is in its parameters:
    /// use [`Self::from_algorithm_identifier`]).
    ///
    /// # Errors
    /// [`Error::UnsupportedSignatureAlgorithm`] for anything else (RSASSA-PSS,
    /// ecdsa-with-SHA1, Ed25519, DSA, ...).
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        Ok(match *oid {
            oid::SHA1_WITH_RSA => Self::RsaPkcs1Sha1,
            oid::SHA256_WITH_RSA => Self::RsaPkcs1Sha256,
            oid::SHA384_WITH_RSA => Self::RsaPkcs1Sha384,
            oid::SHA512_WITH_RSA => Self::RsaPkcs1Sha512,
            oid::ECDSA_WITH_SHA256 => Self::EcdsaSha256,
            oid::ECDSA_WITH_SHA384 => Self::EcdsaSha384,
            oid::ECDSA_WITH_SHA512 => Self::EcdsaSha512,
            _ => {
                return Err(Error::UnsupportedSignatureAlgorithm {
                    oid: crate::error::describe_oid(oid),
                });
            }
        })
    }

    /// The hash function inside the signature.
    #[must_use]
    pub const fn hash(self) -> HashAlgorithm {
        match self {
            Self::RsaPkcs1Sha1 => HashAlgorithm::Sha1,
            Self::RsaPkcs1Sha256 | Self::EcdsaSha256 => HashAlgorithm::Sha256,
            Self::RsaPkcs1Sha384 | Self::EcdsaSha384 => HashAlgorithm::Sha384,
            Self::RsaPkcs1Sha512 | Self::EcdsaSha512 => HashAlgorithm::Sha512,
            Self::RsaPss { hash, .. } => hash,
        }
    }

    /// Whether this is an RSA algorithm (as opposed to ECDSA).
    #[must_use]
    pub const fn is_rsa(self) -> bool {
        matches!(
            self,
            Self::RsaPkcs1Sha1
                | Self::RsaPkcs1Sha256
                | Self::RsaPkcs1Sha384
                | Self::RsaPkcs1Sha512
                | Self::RsaPss { .. }
        )
    }

    /// Whether RFC 5754 / RFC 5758 require the AlgorithmIdentifier parameters
    /// to be NULL (RSA PKCS#1 v1.5) rather than absent (ECDSA). RSASSA-PSS
    /// has structured parameters and is never written by pfxgen.
    #[must_use]
    pub const fn has_null_parameters(self) -> bool {
        matches!(
            self,
            Self::RsaPkcs1Sha1 | Self::RsaPkcs1Sha256 | Self::RsaPkcs1Sha384 | Self::RsaPkcs1Sha512
        )
    }

    /// The RFC name, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA384`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha1 => "sha1WithRSAEncryption",
            Self::RsaPkcs1Sha256 => "sha256WithRSAEncryption",
            Self::RsaPkcs1Sha384 => "sha384WithRSAEncryption",
            Self::RsaPkcs1Sha512 => "sha512WithRSAEncryption",
            Self::EcdsaSha256 => "ecdsa-with-SHA256",
            Self::EcdsaSha384 => "ecdsa-with-SHA384",
            Self::EcdsaSha512 => "ecdsa-with-SHA512",
            Self::RsaPss { hash, .. } => match hash {
                HashAlgorithm::Sha1 => "RSASSA-PSS with SHA-1",
                HashAlgorithm::Sha256 => "RSASSA-PSS with SHA-256",
                HashAlgorithm::Sha384 => "RSASSA-PSS with SHA-384",
                HashAlgorithm::Sha512 => "RSASSA-PSS with SHA-512",
            },
        }
    }
}

/// JWS (RFC 7518) signature algorithms the identity server uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA P-256 with SHA-256; signature is `r || s`, 64 bytes.
    Es256,
    /// ECDSA P-384 with SHA-384; signature is `r || s`, 96 bytes.
    Es384,
    /// ECDSA P-521 with SHA-512; signature is `r || s`, 132 bytes.
    Es512,
}

impl JwsAlgorithm {
    /// The `alg` header value.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Es512 => "ES512",
        }
    }
}

/// `Display` as the type's `name()`, for each type listed.
macro_rules! display_as_name {
    ($($t:ty),+) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )+};
}

display_as_name!(KeyAlgorithm, Curve, SignatureAlgorithm, JwsAlgorithm);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in KeyAlgorithm::ALL {
            assert_eq!(alg.name().parse::<KeyAlgorithm>().unwrap(), alg);
            assert_eq!(alg.kind().key_algorithm(), Some(alg));
        }
        assert!("rsa-1024".parse::<KeyAlgorithm>().is_err());
        assert!("ed25519".parse::<KeyAlgorithm>().is_err());
    }

    #[test]
    fn signature_algorithm_is_pinned_per_key() {
        use KeyAlgorithm::*;
        use SignatureAlgorithm::*;
        let expected = [
            (Rsa2048, RsaPkcs1Sha256, "RS256"),
            (Rsa3072, RsaPkcs1Sha256, "RS256"),
            (Rsa4096, RsaPkcs1Sha256, "RS256"),
            (EcdsaP256, EcdsaSha256, "ES256"),
            (EcdsaP384, EcdsaSha384, "ES384"),
            (EcdsaP521, EcdsaSha512, "ES512"),
        ];
        for (alg, sig, jws) in expected {
            assert_eq!(alg.signature_algorithm(), sig, "{alg}");
            assert_eq!(alg.kind().jws_algorithm().name(), jws, "{alg}");
            assert_eq!(SignatureAlgorithm::from_oid(&sig.oid()).unwrap(), sig);
        }
    }

    #[test]
    fn pss_and_ed25519_are_reported_unsupported() {
        let err = SignatureAlgorithm::from_oid(&oid::ED25519).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported signature algorithm 1.3.101.112 (Ed25519)"
        );
        assert!(SignatureAlgorithm::from_oid(&oid::RSASSA_PSS).is_err());
    }
}
