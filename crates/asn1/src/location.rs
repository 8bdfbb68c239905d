//! Where in the input a problem was found.

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
