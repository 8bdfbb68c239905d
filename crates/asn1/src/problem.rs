//! What is wrong with an encoding: the problems X.690 (BER and DER) rules
//! out, named so that a message can say which.

use core::fmt;

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
    /// A length field of more than 8 octets, or the reserved 0xFF (X.690
    /// 8.1.3.5 c).
    BadLengthField,
    /// A DER length that is not minimally encoded (X.690 10.1: "the
    /// definite form of length encoding shall be used, encoded in the minimum
    /// number of octets").
    NonMinimalLength,
    /// An indefinite length where one is not allowed: a primitive value
    /// (X.690 8.1.3.2 a), or anywhere in DER (X.690 10.1).
    IndefiniteLengthPrimitive,
    /// A missing end-of-contents marker for an indefinite length (X.690
    /// 8.1.5).
    MissingEndOfContents,
    /// A tag number of 31 or more, in the multi-octet form of X.690 8.1.2.4
    /// (no PKCS#12 or X.509 structure pfxgen reads uses one).
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
    /// An INTEGER with a redundant leading 0x00 or 0xFF octet (X.690 8.3.2:
    /// the first nine bits of a longer encoding are neither all ones nor all
    /// zeros).
    NonMinimalInteger,
    /// A negative INTEGER where only non-negative values make sense.
    NegativeInteger,
    /// An INTEGER too large for the field.
    IntegerTooLarge,
    /// An OBJECT IDENTIFIER that is empty, ends mid-arc, or pads an arc with
    /// a leading 0x80 octet (X.690 8.19.2: "the leading octet of the
    /// subidentifier shall not have the value 0x80").
    BadOid,
    /// A BOOLEAN that is not one octet of 0x00 or 0xFF (X.690 8.2, 11.1).
    BadBoolean,
    /// A NULL with content (X.690 8.8.2: "the contents octets shall not
    /// contain any octets").
    BadNull,
    /// A constructed string whose pieces are not of the string's type.
    BadConstructedString,
    /// An end-of-contents marker (tag 0, X.690 8.1.5) outside an
    /// indefinite-length value.
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
