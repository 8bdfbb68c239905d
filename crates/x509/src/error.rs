use core::fmt;

/// Everything that can go wrong making or reading a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The certificate is not valid DER X.509.
    Decode {
        /// The decoder's message.
        detail: String,
        /// Byte offset of the problem within the certificate, when known.
        offset: Option<u64>,
    },
    /// A subject/issuer name string could not be parsed.
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A subjectAltName entry could not be parsed.
    InvalidSan {
        /// The entry as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An extended key usage is neither a known name nor a dotted OID.
    InvalidEku {
        /// The value as given.
        value: String,
    },
    /// The validity period cannot be expressed (zero days, past year 9999,
    /// system clock unusable).
    InvalidValidity {
        /// What is wrong.
        reason: String,
    },
    /// The certificate's inner and outer signature algorithms differ
    /// (RFC 5280, Section 4.1.1.2 requires them to be identical).
    SignatureAlgorithmMismatch {
        /// `TBSCertificate.signature`.
        tbs: String,
        /// `Certificate.signatureAlgorithm`.
        outer: String,
    },
    /// A key or signature problem (unsupported algorithm, bad signature, ...).
    Key(pfxgen_keygen::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode {
                detail,
                offset: Some(offset),
            } => {
                write!(f, "malformed certificate at byte {offset}: {detail}")
            }
            Self::Decode {
                detail,
                offset: None,
            } => write!(f, "malformed certificate: {detail}"),
            Self::InvalidName { name, reason } => write!(f, "invalid name {name:?}: {reason}"),
            Self::InvalidSan { value, reason } => {
                write!(f, "invalid subjectAltName {value:?}: {reason}")
            }
            Self::InvalidEku { value } => write!(
                f,
                "invalid extended key usage {value:?} (expected serverAuth, clientAuth, codeSigning, \
                 emailProtection, timeStamping or a dotted OID)"
            ),
            Self::InvalidValidity { reason } => write!(f, "invalid validity period: {reason}"),
            Self::SignatureAlgorithmMismatch { tbs, outer } => write!(
                f,
                "the certificate's signature algorithm {outer} differs from the one it claims inside ({tbs})"
            ),
            Self::Key(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Key(e) => Some(e),
            _ => None,
        }
    }
}

impl From<pfxgen_keygen::Error> for Error {
    fn from(e: pfxgen_keygen::Error) -> Self {
        Self::Key(e)
    }
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Self::Decode {
            detail: e.kind().to_string(),
            offset: e.position().map(|p| u64::from(u32::from(p))),
        }
    }
}
