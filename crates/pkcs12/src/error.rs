use core::fmt;

/// Where in the input a problem was found.
///
/// `offset` counts bytes from the start of `within`. For a file that is
/// already DER (everything pfxgen and OpenSSL write) nested structures are
/// located in the file itself, so `within` is `"the file"` and `offset` is a
/// file offset. Structures that only exist after decryption or after BER
/// normalisation are located within that decoded form and say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Which byte string the offset refers to.
    pub within: String,
    /// Byte offset of the element (its tag) or of the problem.
    pub offset: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {} of {}", self.offset, self.within)
    }
}

/// What is wrong with an ASN.1 encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerProblem {
    /// The input ends inside a tag, length or value.
    Truncated,
    /// A length claims more bytes than remain.
    LengthBeyondInput {
        /// What the length field says.
        claimed: u64,
        /// How many bytes remain.
        available: u64,
    },
    /// A length field of more than 8 octets, or the reserved 0xFF.
    BadLengthField,
    /// A DER length that is not minimally encoded.
    NonMinimalLength,
    /// An indefinite length where one is not allowed (a primitive value).
    IndefiniteLengthPrimitive,
    /// A missing end-of-contents marker for an indefinite length.
    MissingEndOfContents,
    /// A tag number of 31 or more (no PKCS#12 structure uses one).
    HighTagNumber,
    /// A different element was expected here.
    UnexpectedTag {
        /// What the structure requires.
        expected: &'static str,
        /// The tag byte found (`None`: the structure ended).
        found: Option<u8>,
    },
    /// Bytes after the end of a structure.
    TrailingData {
        /// How many bytes are left over.
        remaining: usize,
    },
    /// Nesting deeper than the limit.
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// An INTEGER with no content octets.
    EmptyInteger,
    /// An INTEGER with a redundant leading 0x00 or 0xFF octet.
    NonMinimalInteger,
    /// A negative INTEGER where only non-negative values make sense.
    NegativeInteger,
    /// An INTEGER too large for the field.
    IntegerTooLarge,
    /// An OBJECT IDENTIFIER that is empty or ends mid-arc.
    BadOid,
    /// A BOOLEAN that is not one octet of 0x00 or 0xFF.
    BadBoolean,
    /// A NULL with content.
    BadNull,
    /// A constructed string whose pieces are not of the string's type.
    BadConstructedString,
    /// An end-of-contents marker outside an indefinite-length value.
    StrayEndOfContents,
}

impl fmt::Display for DerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("the data ends too early (truncated)"),
            Self::LengthBeyondInput { claimed, available } => write!(
                f,
                "a length field claims {claimed} bytes but only {available} remain"
            ),
            Self::BadLengthField => f.write_str("invalid length field"),
            Self::NonMinimalLength => f.write_str("length not minimally encoded"),
            Self::IndefiniteLengthPrimitive => {
                f.write_str("indefinite length on a primitive value")
            }
            Self::MissingEndOfContents => {
                f.write_str("indefinite-length value without end-of-contents")
            }
            Self::HighTagNumber => f.write_str("tag number above 30 (not used by PKCS#12)"),
            Self::UnexpectedTag {
                expected,
                found: Some(tag),
            } => {
                write!(f, "expected {expected}, found tag 0x{tag:02X}")
            }
            Self::UnexpectedTag {
                expected,
                found: None,
            } => {
                write!(f, "expected {expected}, found the end of the structure")
            }
            Self::TrailingData { remaining } => {
                write!(f, "{remaining} unexpected bytes after the end")
            }
            Self::TooDeep { limit } => write!(f, "nested more than {limit} levels deep"),
            Self::EmptyInteger => f.write_str("INTEGER with no content"),
            Self::NonMinimalInteger => f.write_str("INTEGER not minimally encoded"),
            Self::NegativeInteger => f.write_str("negative INTEGER"),
            Self::IntegerTooLarge => f.write_str("INTEGER too large"),
            Self::BadOid => f.write_str("malformed OBJECT IDENTIFIER"),
            Self::BadBoolean => f.write_str("malformed BOOLEAN"),
            Self::BadNull => f.write_str("NULL with content"),
            Self::BadConstructedString => {
                f.write_str("constructed string with pieces of another type")
            }
            Self::StrayEndOfContents => {
                f.write_str("end-of-contents marker outside an indefinite length")
            }
        }
    }
}

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

impl From<pfxgen_keygen::Error> for Error {
    fn from(e: pfxgen_keygen::Error) -> Self {
        Self::Crypto(e)
    }
}
