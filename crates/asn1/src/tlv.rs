//! One DER element (tag, length, value) as read, with where it lies.

use std::rc::Rc;

use crate::{DerProblem, Error, IntValue, Location, Reader, tag};

/// One DER element.
#[derive(Clone)]
pub struct Tlv<'a> {
    /// The tag octet.
    pub tag: u8,
    /// The content octets.
    pub value: &'a [u8],
    /// The whole element: tag, length and value.
    pub raw: &'a [u8],
    /// Offset of the tag within `within`.
    pub offset: usize,
    pub(crate) value_offset: usize,
    pub(crate) within: Rc<str>,
}

impl<'a> Tlv<'a> {
    /// A reader over this element's content.
    #[must_use]
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.value, self.value_offset, Rc::clone(&self.within))
    }

    /// Where the element (its tag) is.
    #[must_use]
    pub fn location(&self) -> Location {
        Location {
            within: self.within.to_string(),
            offset: self.offset,
        }
    }

    /// Offset of the value within `within`.
    #[must_use]
    pub fn value_offset(&self) -> usize {
        self.value_offset
    }

    /// The name of the byte string the offsets refer to.
    #[must_use]
    pub fn within(&self) -> &Rc<str> {
        &self.within
    }

    fn malformed(&self, what: &'static str, problem: DerProblem) -> Error {
        Error::Malformed {
            what,
            problem,
            at: self.location(),
        }
    }

    /// An [`Error::InvalidValue`] for this element: well-formed DER that
    /// the field `what` does not allow, because of `problem`.
    #[must_use]
    pub fn invalid(&self, what: &'static str, problem: impl Into<String>) -> Error {
        Error::InvalidValue {
            what,
            problem: problem.into(),
            at: self.location(),
        }
    }

    /// Checks OBJECT IDENTIFIER content: non-empty, each arc ends with a
    /// byte < 0x80, no arc starts with 0x80 (X.690 8.19.2). Arcs are never
    /// converted to numbers, so huge arcs cannot overflow anything.
    ///
    /// # Errors
    /// [`DerProblem::BadOid`].
    pub fn check_oid(&self, what: &'static str) -> Result<(), Error> {
        let v = self.value;
        let bad = v.is_empty()
            || v.last().is_some_and(|b| b & 0x80 != 0)
            || v.first() == Some(&0x80)
            || v.windows(2)
                .any(|w| w.first().is_some_and(|b| b & 0x80 == 0) && w.get(1) == Some(&0x80));
        if bad {
            Err(self.malformed(what, DerProblem::BadOid))
        } else {
            Ok(())
        }
    }

    /// Decodes INTEGER content strictly: minimal two's complement (X.690
    /// 8.3.2, 8.3.3).
    ///
    /// # Errors
    /// [`DerProblem::EmptyInteger`], [`DerProblem::NonMinimalInteger`].
    pub fn int_value(&self, what: &'static str) -> Result<IntValue, Error> {
        let v = self.value;
        let (first, rest) = v
            .split_first()
            .ok_or_else(|| self.malformed(what, DerProblem::EmptyInteger))?;
        if let Some(second) = rest.first() {
            if (*first == 0x00 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0) {
                return Err(self.malformed(what, DerProblem::NonMinimalInteger));
            }
        }
        if first & 0x80 != 0 {
            return Ok(IntValue::Negative);
        }
        let magnitude = if *first == 0 { rest } else { v };
        if magnitude.len() > 8 {
            return Ok(IntValue::Huge);
        }
        Ok(IntValue::Value(
            magnitude
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        ))
    }

    /// A small non-negative INTEGER (versions, key lengths).
    ///
    /// # Errors
    /// As [`Tlv::int_value`], and [`DerProblem::NegativeInteger`],
    /// [`DerProblem::IntegerTooLarge`] beyond 64 bits.
    pub fn small_uint(&self, what: &'static str) -> Result<u64, Error> {
        match self.int_value(what)? {
            IntValue::Value(v) => Ok(v),
            IntValue::Negative => Err(self.malformed(what, DerProblem::NegativeInteger)),
            IntValue::Huge => Err(self.malformed(what, DerProblem::IntegerTooLarge)),
        }
    }

    /// Checks a NULL: the tag, and no content (X.690 8.8.2).
    ///
    /// # Errors
    /// [`DerProblem::UnexpectedTag`], [`DerProblem::BadNull`].
    pub fn expect_null(&self, what: &'static str) -> Result<(), Error> {
        if self.tag != tag::NULL {
            return Err(self.malformed(
                what,
                DerProblem::UnexpectedTag {
                    expected: "NULL",
                    found: Some(self.tag),
                },
            ));
        }
        if self.value.is_empty() {
            Ok(())
        } else {
            Err(self.malformed(what, DerProblem::BadNull))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::malformed_problem;

    fn int(bytes: &[u8]) -> Result<IntValue, Error> {
        Reader::top(bytes, "test").integer("i")?.int_value("i")
    }

    #[test]
    fn int_values() {
        assert_eq!(int(&[0x02, 0x01, 0x00]), Ok(IntValue::Value(0)));
        assert_eq!(int(&[0x02, 0x02, 0x00, 0x80]), Ok(IntValue::Value(128)));
        assert_eq!(int(&[0x02, 0x01, 0x80]), Ok(IntValue::Negative));
        let mut wide = vec![0x02, 0x09, 0x01];
        wide.extend_from_slice(&[0; 8]);
        assert_eq!(int(&wide), Ok(IntValue::Huge));
        let mut max = vec![0x02, 0x09, 0x00];
        max.extend_from_slice(&[0xFF; 8]);
        assert_eq!(int(&max), Ok(IntValue::Value(u64::MAX)));
        for bad in [&[0x02, 0x02, 0xFF, 0x80][..], &[0x02, 0x00]] {
            assert!(matches!(int(bad), Err(Error::Malformed { .. })), "{bad:?}");
        }
        let tlv = Reader::top(&[0x02, 0x01, 0xFF], "test")
            .integer("v")
            .unwrap();
        assert_eq!(
            malformed_problem(tlv.small_uint("v")),
            Some(DerProblem::NegativeInteger)
        );
    }

    #[test]
    fn null_and_invalid_values_name_the_field() {
        let tlv = Reader::top(&[0x05, 0x01, 0x00], "the file")
            .read_any("p")
            .unwrap();
        assert_eq!(
            malformed_problem(tlv.expect_null("p")),
            Some(DerProblem::BadNull)
        );
        assert_eq!(
            tlv.invalid("p", "no").to_string(),
            "invalid value: p at byte 0 of the file: no"
        );
    }
}
