//! The value of a DER INTEGER, as far as pfxgen needs it.

/// The value of a DER INTEGER ([`crate::Tlv::int_value`]): its sign and,
/// when it fits, its magnitude. Wider values are never converted, so no
/// input can overflow anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntValue {
    /// Below zero.
    Negative,
    /// Zero or positive, and at most 64 bits wide.
    Value(u64),
    /// Positive but wider than 64 bits.
    Huge,
}
