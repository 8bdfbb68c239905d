use core::fmt;

use pfxgen_asn1::{DerProblem, Location};

use crate::Limits;

/// What is wrong with an iteration count.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IterationProblem {
    /// Zero: no key stretching at all; RFC 8018 requires at least 1.
    Zero,
    /// Negative.
    Negative,
    /// Over the configured cap (see [`crate::Limits`]); `value` is `None`
    /// when it does not even fit in 64 bits.
    AboveLimit {
        /// The count, when it fits in 64 bits.
        value: Option<u64>,
        /// The cap.
        limit: u32,
    },
}

impl fmt::Display for IterationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Zero => f.write_str("0 (must be at least 1)"),
            Self::Negative => f.write_str("negative"),
            Self::AboveLimit {
                value: Some(v),
                limit,
            } => write!(f, "{v}, above the limit of {limit}"),
            Self::AboveLimit { value: None, limit } => {
                write!(f, "larger than 2^64, above the limit of {limit}")
            }
        }
    }
}

/// Everything that can go wrong reading or writing a PFX.
///
/// Messages say what is wrong, where, and who is likely at fault: a wrong
/// password ([`Error::WrongPassword`]) is told apart from an altered file
/// ([`Error::IntegrityCheckFailed`]) and from a malformed one
/// ([`Error::Malformed`]) as far as the format allows.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than [`crate::Limits::max_input_size`].
    InputTooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a valid encoding of the expected structure.
    Malformed {
        /// The structure or field, e.g. `"MacData.iterations"`.
        what: &'static str,
        /// What is wrong.
        problem: DerProblem,
        /// Where.
        at: Location,
    },
    /// The encoding is valid but the value is not allowed (e.g. PFX version
    /// 2, an AES IV of 15 bytes, a friendlyName of odd length).
    InvalidValue {
        /// The structure or field.
        what: &'static str,
        /// What is wrong.
        problem: String,
        /// Where.
        at: Location,
    },
    /// An iteration count that is zero, negative or over the limit. Checked
    /// before any key derivation runs.
    IterationCount {
        /// Which count (`"MacData.iterations"`, `"PBKDF2 iterationCount"`...).
        what: &'static str,
        /// What is wrong.
        problem: IterationProblem,
        /// Where.
        at: Location,
    },
    /// A resource limit of [`crate::Limits`] would be exceeded.
    LimitExceeded {
        /// Which limit.
        limit: &'static str,
        /// The value found (at least).
        value: u64,
        /// The configured maximum.
        max: u64,
    },
    /// Opening the file would do more work than [`crate::Limits::max_work`]
    /// allows. Checked before each key derivation, so no more than `spent`
    /// was done.
    WorkLimit {
        /// Work already done (units of one SHA-256 compression).
        spent: u64,
        /// What the next derivation would have cost.
        needed: u64,
        /// The budget.
        max: u64,
    },
    /// A well-formed construct pfxgen does not implement (RC4, scrypt,
    /// public-key privacy or integrity modes, ...).
    Unsupported {
        /// Where it was found.
        what: &'static str,
        /// What it is.
        detail: String,
    },
    /// The password is wrong: the MAC does not verify, and the password does
    /// not decrypt the contents either.
    WrongPassword,
    /// The MAC does not verify although the password decrypts the contents:
    /// the file was altered or damaged after it was made.
    IntegrityCheckFailed,
    /// The MAC does not verify and nothing in the file is encrypted, so a
    /// wrong password cannot be told apart from an altered file.
    MacMismatch,
    /// Decryption failed (bad padding or garbage plaintext).
    ///
    /// With `mac_verified`, the password is the file's (its MAC verified),
    /// so the part was encrypted with another password (a separate key
    /// password, as Java `keytool -keypass` makes) or another encoding of
    /// it (ISO-8859-1 bytes instead of UTF-8, as RSA JSafe wrote). Without,
    /// the file has no MAC: the password is wrong or the data is damaged.
    DecryptionFailed {
        /// What could not be decrypted.
        what: String,
        /// Whether the MAC verified with the same password.
        mac_verified: bool,
    },
    /// The MAC does not verify with this password, which decrypts a
    /// private key but not the encrypted contents: it may be the key's own
    /// password in a file with two (Java `keytool -keypass`), or the
    /// contents were damaged. (A password that decrypts the contents is the
    /// MAC's: then the error is [`Error::IntegrityCheckFailed`].)
    PartlyDecrypted {
        /// What the password decrypts.
        decrypts: String,
        /// What it does not.
        fails: String,
    },
    /// The contents are encrypted and no password was supplied.
    PasswordRequired,
    /// A private key inside the PFX could not be loaded.
    Key {
        /// Which bag (0-based, in file order).
        bag: usize,
        /// Why.
        source: pfxgen_keygen::Error,
    },
    /// A certificate inside the PFX could not be loaded.
    Certificate {
        /// Which bag (0-based, in file order).
        bag: usize,
        /// Why.
        source: pfxgen_x509::Error,
    },
    /// The writer was given a key that does not belong to the certificate.
    KeyCertificateMismatch,
    /// The writer's options are out of range.
    InvalidOptions {
        /// What is wrong.
        reason: String,
    },
    /// Generating salts or IVs, or encoding the key, failed.
    Crypto(pfxgen_keygen::Error),
    /// A key, certificate or PKCS#7 file (not a PFX) is not what it
    /// should be.
    File {
        /// What was being read (`"PEM text"`, `"the private key file"`...).
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
}

/// The first check of every reader: `bytes` is at most
/// [`Limits::max_input_size`] long, or [`Error::InputTooLarge`].
pub(crate) fn check_input_size(bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    if bytes.len() > limits.max_input_size {
        return Err(Error::InputTooLarge {
            size: bytes.len(),
            limit: limits.max_input_size,
        });
    }
    Ok(())
}

/// Checks a count against its limit: `count` (the item being read
/// included) must be at most `max`, or [`Error::LimitExceeded`] naming
/// `limit`.
pub(crate) fn check_limit(limit: &'static str, count: usize, max: usize) -> Result<(), Error> {
    if count > max {
        return Err(Error::LimitExceeded {
            limit,
            value: count as u64,
            max: max as u64,
        });
    }
    Ok(())
}

/// A BER normalisation failure as [`Error::Malformed`] ("BER encoding"),
/// located in `within`.
pub(crate) fn ber_error(e: crate::ber::BerError, within: &str) -> Error {
    Error::Malformed {
        what: "BER encoding",
        problem: e.problem,
        at: Location {
            within: within.to_owned(),
            offset: e.offset,
        },
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InputTooLarge { size, limit } => write!(
                f,
                "the file is {size} bytes, larger than the {limit}-byte limit for a PFX"
            ),
            Self::Malformed { what, problem, at } => {
                write!(f, "malformed PFX: {what} at {at}: {problem}")
            }
            Self::InvalidValue { what, problem, at } => write!(f, "invalid PFX: {what} at {at}: {problem}"),
            Self::IterationCount { what, problem, at } => write!(
                f,
                "refusing PFX: {what} at {at} is {problem}; no key derivation was run"
            ),
            Self::LimitExceeded { limit, value, max } => {
                write!(f, "refusing PFX: {limit} is {value}, over the limit of {max}")
            }
            Self::WorkLimit { spent, needed, max } => write!(
                f,
                "refusing PFX: its key derivations need more than the work budget of {max} \
                 (SHA-256 compressions; {spent} spent, the next derivation needs {needed}); \
                 no further derivation was run"
            ),
            Self::Unsupported { what, detail } => write!(f, "unsupported PFX feature in {what}: {detail}"),
            Self::WrongPassword => f.write_str(
                "wrong password: the integrity check (MAC) fails and the password does not decrypt the contents",
            ),
            Self::IntegrityCheckFailed => f.write_str(
                "integrity check failed: the password decrypts the contents but the MAC does not match, \
                 so the file was altered or damaged after it was made",
            ),
            Self::MacMismatch => f.write_str(
                "the integrity check (MAC) fails: wrong password, or the file was altered",
            ),
            Self::DecryptionFailed { what, mac_verified: true } => write!(
                f,
                "cannot decrypt {what}, although the integrity check (MAC) verified with this \
                 password: it was encrypted with another password (a separate key password) \
                 or another encoding of this one (e.g. ISO-8859-1 bytes instead of UTF-8)"
            ),
            Self::DecryptionFailed { what, mac_verified: false } => write!(
                f,
                "cannot decrypt {what}: wrong password or damaged data (the file has no MAC to tell which)"
            ),
            Self::PartlyDecrypted { decrypts, fails } => write!(
                f,
                "the integrity check (MAC) fails with this password, which decrypts {decrypts} \
                 but not {fails}: the file has a second password (this one opens only part of \
                 it; the MAC needs the other), or the part that fails was damaged"
            ),
            Self::PasswordRequired => f.write_str("the PFX is encrypted and no password was given"),
            Self::Key { bag, source } => write!(f, "private key in bag {bag}: {source}"),
            Self::Certificate { bag, source } => write!(f, "certificate in bag {bag}: {source}"),
            Self::KeyCertificateMismatch => {
                f.write_str("the private key does not belong to the certificate (public keys differ)")
            }
            Self::InvalidOptions { reason } => write!(f, "invalid PFX options: {reason}"),
            Self::Crypto(e) => e.fmt(f),
            Self::File { what, detail } => write!(f, "{what}: {detail}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Key { source, .. } => Some(source),
            Self::Certificate { source, .. } => Some(source),
            Self::Crypto(e) => Some(e),
            _ => None,
        }
    }
}

impl From<pfxgen_asn1::Error> for Error {
    /// The reader's errors keep their variant, field and location; only the
    /// message changes, to say that the PFX is what is malformed.
    fn from(e: pfxgen_asn1::Error) -> Self {
        match e {
            pfxgen_asn1::Error::Malformed { what, problem, at } => {
                Self::Malformed { what, problem, at }
            }
            pfxgen_asn1::Error::InvalidValue { what, problem, at } => {
                Self::InvalidValue { what, problem, at }
            }
            other => Self::InvalidValue {
                what: "ASN.1",
                problem: other.to_string(),
                at: Location {
                    within: String::from("the input"),
                    offset: 0,
                },
            },
        }
    }
}

impl From<pfxgen_keygen::Error> for Error {
    fn from(e: pfxgen_keygen::Error) -> Self {
        Self::Crypto(e)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn iteration_problems_say_what_is_wrong() {
        let cases = [
            (IterationProblem::Zero, "0 (must be at least 1)"),
            (IterationProblem::Negative, "negative"),
            (
                IterationProblem::AboveLimit {
                    value: Some(10_000_001),
                    limit: 10_000_000,
                },
                "10000001, above the limit of 10000000",
            ),
            (
                IterationProblem::AboveLimit {
                    value: None,
                    limit: 10_000_000,
                },
                "larger than 2^64, above the limit of 10000000",
            ),
        ];
        for (problem, text) in cases {
            assert_eq!(problem.to_string(), text, "{problem:?}");
        }
    }

    /// A key or certificate that does not load keeps its cause, so callers
    /// (the CLI's `caused by:` lines) can show it.
    #[test]
    fn key_and_certificate_errors_keep_their_cause() {
        let key = || pfxgen_keygen::PrivateKey::from_pkcs8_der(&[0x30, 0x00]).unwrap_err();
        let cert = || pfxgen_x509::Certificate::from_der(&[0x30, 0x00]).unwrap_err();
        let cases = [
            (
                Error::Key {
                    bag: 1,
                    source: key(),
                },
                key().to_string(),
            ),
            (
                Error::Certificate {
                    bag: 2,
                    source: cert(),
                },
                cert().to_string(),
            ),
            (Error::Crypto(key()), key().to_string()),
        ];
        for (error, cause) in cases {
            assert_eq!(
                error.source().map(ToString::to_string),
                Some(cause),
                "{error:?}"
            );
        }
        assert!(Error::PasswordRequired.source().is_none());
    }
}
