use core::fmt;

/// Everything that can go wrong making, loading or using a key.
///
/// No variant ever carries secret material.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The operating system's random number generator failed.
    Rng {
        /// What the OS reported.
        detail: String,
    },
    /// The key algorithm name is not one of the six supported ones.
    UnknownAlgorithmName {
        /// The name that was given.
        name: String,
    },
    /// Key generation failed inside the RSA or elliptic-curve library.
    Generation {
        /// What failed.
        detail: String,
    },
    /// The PKCS#8 or SubjectPublicKeyInfo structure is not valid DER.
    Encoding {
        /// What was being read or written.
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The key is of a type pfxgen does not handle (e.g. Ed25519, DSA).
    UnsupportedKeyAlgorithm {
        /// The algorithm OID, dotted, with its name where known.
        oid: String,
    },
    /// An EC key on a curve other than P-256, P-384 or P-521.
    UnsupportedCurve {
        /// The curve OID, dotted, or `"absent"`/`"not a named curve"`.
        curve: String,
    },
    /// The key's numbers are not a valid key (e.g. an RSA modulus of 300 bits,
    /// an EC point not on the curve).
    InvalidKey {
        /// What is wrong.
        detail: String,
    },
    /// A signature algorithm that cannot be used with this key (e.g. an ECDSA
    /// algorithm with an RSA key).
    AlgorithmMismatch {
        /// The signature algorithm.
        algorithm: String,
        /// The key.
        key: String,
    },
    /// A signature algorithm pfxgen cannot verify.
    UnsupportedSignatureAlgorithm {
        /// The algorithm OID, dotted, with its name where known.
        oid: String,
    },
    /// RSASSA-PSS parameters that are malformed, or that pfxgen does not
    /// verify (SHA-1, a mask generation function other than MGF1 with the
    /// same hash, an unusual trailer field).
    PssParameters {
        /// What is wrong.
        detail: String,
    },
    /// Signing failed.
    Signing {
        /// What failed.
        detail: String,
    },
    /// The signature does not verify with this public key.
    BadSignature,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rng { detail } => write!(
                f,
                "the operating system's random number generator failed: {detail}"
            ),
            Self::UnknownAlgorithmName { name } => write!(
                f,
                "unknown key algorithm {name:?} (expected one of rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384, ecdsa-p521)"
            ),
            Self::Generation { detail } => write!(f, "key generation failed: {detail}"),
            Self::Encoding { what, detail } => write!(f, "malformed {what}: {detail}"),
            Self::UnsupportedKeyAlgorithm { oid } => write!(f, "unsupported key algorithm {oid}"),
            Self::UnsupportedCurve { curve } => write!(
                f,
                "unsupported elliptic curve {curve} (supported: P-256, P-384, P-521)"
            ),
            Self::InvalidKey { detail } => write!(f, "invalid key: {detail}"),
            Self::AlgorithmMismatch { algorithm, key } => {
                write!(
                    f,
                    "signature algorithm {algorithm} cannot be used with a {key} key"
                )
            }
            Self::PssParameters { detail } => {
                write!(
                    f,
                    "unsupported or malformed RSASSA-PSS parameters: {detail}"
                )
            }
            Self::UnsupportedSignatureAlgorithm { oid } => {
                write!(f, "unsupported signature algorithm {oid}")
            }
            Self::Signing { detail } => write!(f, "signing failed: {detail}"),
            Self::BadSignature => f.write_str("the signature does not verify"),
        }
    }
}

impl std::error::Error for Error {}

/// `1.2.3 (name)` or `1.2.3` for messages.
pub(crate) fn describe_oid(oid: &der::asn1::ObjectIdentifier) -> String {
    match crate::oid::name(oid) {
        Some(name) => format!("{oid} ({name})"),
        None => oid.to_string(),
    }
}
