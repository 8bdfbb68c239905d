//! The reader's error: what was being read, what is wrong, and where.

use core::fmt;

use crate::{DerProblem, Location};

/// A failure of the strict DER reader ([`crate::Reader`], [`crate::Tlv`]).
///
/// Every variant names the field being read (`what`, a static name from the
/// ASN.1 module the caller is reading, e.g. `"MacData.iterations"`) and its
/// [`Location`]. Callers with their own error type convert it (the PKCS#12
/// crate maps each variant onto its own variant of the same name, so its
/// messages say "malformed PFX").
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The encoding breaks a DER rule.
    Malformed {
        /// The field being read.
        what: &'static str,
        /// The rule it breaks.
        problem: DerProblem,
        /// Where.
        at: Location,
    },
    /// Well-formed DER whose value the field does not allow.
    InvalidValue {
        /// The field being read.
        what: &'static str,
        /// Why the value is refused.
        problem: String,
        /// Where.
        at: Location,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { what, problem, at } => {
                write!(f, "malformed DER: {what} at {at}: {problem}")
            }
            Self::InvalidValue { what, problem, at } => {
                write!(f, "invalid value: {what} at {at}: {problem}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// The DER rule `result` fails with when it is an [`Error::Malformed`]
/// (what the tests compare).
#[cfg(test)]
pub(crate) fn malformed_problem<T>(result: Result<T, Error>) -> Option<DerProblem> {
    match result {
        Err(Error::Malformed { problem, .. }) => Some(problem),
        _ => None,
    }
}
