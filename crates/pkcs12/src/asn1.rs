//! A strict DER reader with locations, for the PKCS#12 structures.
//!
//! Input has been through [`crate::ber::normalize`] first, so this reader
//! insists on DER: definite minimal lengths, low tag numbers. Every error
//! names the field being read and its location.

use std::rc::Rc;

use crate::{
    Error, Limits,
    error::{DerProblem, IterationProblem, Location},
};

/// Tag bytes used by PKCS#12.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const BMP_STRING: u8 = 0x1E;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    pub const CONTEXT_0: u8 = 0xA0;
    pub const CONTEXT_1: u8 = 0xA1;
    pub const IMPLICIT_0: u8 = 0x80;
}

/// A byte string being parsed, with where it lives for error messages.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` within `within`.
    base: usize,
    within: Rc<str>,
}

/// One DER element.
#[derive(Clone)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    /// The whole element: tag, length and value.
    pub raw: &'a [u8],
    /// Offset of the tag within `within`.
    pub offset: usize,
    value_offset: usize,
    within: Rc<str>,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8], base: usize, within: Rc<str>) -> Self {
        Self {
            data,
            pos: 0,
            base,
            within,
        }
    }

    /// A reader over a whole top-level byte string.
    pub fn top(data: &'a [u8], within: &str) -> Self {
        Self::new(data, 0, Rc::from(within))
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn malformed(&self, what: &'static str, offset: usize, problem: DerProblem) -> Error {
        Error::Malformed {
            what,
            problem,
            at: Location {
                within: self.within.to_string(),
                offset: self.base + offset,
            },
        }
    }

    /// Reads the next element, whatever its tag.
    pub fn read_any(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        let start = self.pos;
        let tag = *self.data.get(start).ok_or_else(|| {
            self.malformed(
                what,
                start,
                DerProblem::UnexpectedTag {
                    expected: what,
                    found: None,
                },
            )
        })?;
        if tag & 0x1F == 0x1F {
            return Err(self.malformed(what, start, DerProblem::HighTagNumber));
        }
        let len_pos = start + 1;
        let first = *self
            .data
            .get(len_pos)
            .ok_or_else(|| self.malformed(what, len_pos, DerProblem::Truncated))?;
        let mut value_start = len_pos + 1;
        let len = match first {
            short if short < 0x80 => usize::from(short),
            0x80 => {
                return Err(self.malformed(what, len_pos, DerProblem::IndefiniteLengthPrimitive));
            }
            long => {
                let n = usize::from(long & 0x7F);
                if n > 8 || long == 0xFF {
                    return Err(self.malformed(what, len_pos, DerProblem::BadLengthField));
                }
                let bytes = self
                    .data
                    .get(value_start..value_start + n)
                    .ok_or_else(|| self.malformed(what, len_pos, DerProblem::Truncated))?;
                if bytes.first() == Some(&0) {
                    return Err(self.malformed(what, len_pos, DerProblem::NonMinimalLength));
                }
                let value = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                if value < 0x80 {
                    return Err(self.malformed(what, len_pos, DerProblem::NonMinimalLength));
                }
                value_start += n;
                let available = self.data.len().saturating_sub(value_start);
                usize::try_from(value)
                    .ok()
                    .filter(|v| *v <= available)
                    .ok_or_else(|| {
                        self.malformed(
                            what,
                            len_pos,
                            DerProblem::LengthBeyondInput {
                                claimed: value,
                                available: available as u64,
                            },
                        )
                    })?
            }
        };
        let available = self.data.len().saturating_sub(value_start);
        if len > available {
            return Err(self.malformed(
                what,
                len_pos,
                DerProblem::LengthBeyondInput {
                    claimed: len as u64,
                    available: available as u64,
                },
            ));
        }
        let end = value_start + len;
        let value = self.data.get(value_start..end).unwrap_or_default();
        let raw = self.data.get(start..end).unwrap_or_default();
        self.pos = end;
        Ok(Tlv {
            tag,
            value,
            raw,
            offset: self.base + start,
            value_offset: self.base + value_start,
            within: Rc::clone(&self.within),
        })
    }

    /// Reads the next element, which must have tag `tag`.
    pub fn read(
        &mut self,
        tag: u8,
        what: &'static str,
        expected: &'static str,
    ) -> Result<Tlv<'a>, Error> {
        match self.peek_tag() {
            Some(t) if t == tag => self.read_any(what),
            found => Err(self.malformed(
                what,
                self.pos,
                DerProblem::UnexpectedTag { expected, found },
            )),
        }
    }

    /// Reads the next element if it has tag `tag`.
    pub fn read_optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek_tag() == Some(tag) {
            self.read_any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn sequence(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.read(tag::SEQUENCE, what, "a SEQUENCE")
    }

    pub fn oid(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        let tlv = self.read(tag::OID, what, "an OBJECT IDENTIFIER")?;
        tlv.check_oid(what)?;
        Ok(tlv)
    }

    pub fn octet_string(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.read(tag::OCTET_STRING, what, "an OCTET STRING")
    }

    pub fn integer(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.read(tag::INTEGER, what, "an INTEGER")
    }

    /// Checks that nothing is left.
    pub fn finish(&self, what: &'static str) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.malformed(
                what,
                self.pos,
                DerProblem::TrailingData {
                    remaining: self.data.len() - self.pos,
                },
            ))
        }
    }
}

/// The value of a DER INTEGER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntValue {
    Negative,
    Value(u64),
    /// Positive but wider than 64 bits.
    Huge,
}

impl<'a> Tlv<'a> {
    /// A reader over this element's content.
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.value, self.value_offset, Rc::clone(&self.within))
    }

    pub fn location(&self) -> Location {
        Location {
            within: self.within.to_string(),
            offset: self.offset,
        }
    }

    /// Offset of the value within `within`.
    pub fn value_offset(&self) -> usize {
        self.value_offset
    }

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

    pub fn invalid(&self, what: &'static str, problem: impl Into<String>) -> Error {
        Error::InvalidValue {
            what,
            problem: problem.into(),
            at: self.location(),
        }
    }

    /// Checks OBJECT IDENTIFIER content: non-empty, each arc ends with a
    /// byte < 0x80, no arc starts with 0x80. Arcs are never converted to
    /// numbers, so huge arcs cannot overflow anything.
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

    /// Decodes INTEGER content strictly (minimal two's complement).
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
    pub fn small_uint(&self, what: &'static str) -> Result<u64, Error> {
        match self.int_value(what)? {
            IntValue::Value(v) => Ok(v),
            IntValue::Negative => Err(self.malformed(what, DerProblem::NegativeInteger)),
            IntValue::Huge => Err(self.malformed(what, DerProblem::IntegerTooLarge)),
        }
    }

    /// An iteration count, checked against `limits` before any use.
    pub fn iterations(&self, what: &'static str, limits: &Limits) -> Result<u32, Error> {
        let problem = match self.int_value(what)? {
            IntValue::Negative => IterationProblem::Negative,
            IntValue::Value(0) => IterationProblem::Zero,
            IntValue::Value(v) if v <= u64::from(limits.max_iterations) => {
                return Ok(u32::try_from(v).unwrap_or(u32::MAX));
            }
            IntValue::Value(v) => IterationProblem::AboveLimit {
                value: Some(v),
                limit: limits.max_iterations,
            },
            IntValue::Huge => IterationProblem::AboveLimit {
                value: None,
                limit: limits.max_iterations,
            },
        };
        Err(Error::IterationCount {
            what,
            problem,
            at: self.location(),
        })
    }

    /// Checks a NULL.
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

    fn tlv(bytes: &[u8]) -> Result<Tlv<'_>, Error> {
        Reader::top(bytes, "test").read_any("x")
    }

    #[test]
    fn integers() {
        let limits = Limits::default();
        let it = |b: &[u8]| tlv(b).unwrap().iterations("it", &limits);
        assert_eq!(it(&[0x02, 0x02, 0x08, 0x00]).unwrap(), 2048);
        assert!(matches!(
            it(&[0x02, 0x01, 0x00]),
            Err(Error::IterationCount {
                problem: IterationProblem::Zero,
                ..
            })
        ));
        assert!(matches!(
            it(&[0x02, 0x01, 0xFF]),
            Err(Error::IterationCount {
                problem: IterationProblem::Negative,
                ..
            })
        ));
        assert!(matches!(
            it(&[0x02, 0x04, 0x7F, 0xFF, 0xFF, 0xFF]),
            Err(Error::IterationCount {
                problem: IterationProblem::AboveLimit {
                    value: Some(2_147_483_647),
                    ..
                },
                ..
            })
        ));
        assert!(matches!(
            it(&[0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(Error::IterationCount {
                problem: IterationProblem::AboveLimit { value: None, .. },
                ..
            })
        ));
        assert!(matches!(
            it(&[0x02, 0x02, 0x00, 0x01]),
            Err(Error::Malformed {
                problem: DerProblem::NonMinimalInteger,
                ..
            })
        ));
        assert!(matches!(
            it(&[0x02, 0x00]),
            Err(Error::Malformed {
                problem: DerProblem::EmptyInteger,
                ..
            })
        ));
    }

    #[test]
    fn strict_lengths() {
        assert!(matches!(
            tlv(&[0x04, 0x81, 0x01, 0xAA]),
            Err(Error::Malformed {
                problem: DerProblem::NonMinimalLength,
                ..
            })
        ));
        assert!(matches!(
            tlv(&[0x04, 0x82, 0x00, 0x81]),
            Err(Error::Malformed {
                problem: DerProblem::NonMinimalLength,
                ..
            })
        ));
        assert!(matches!(
            tlv(&[0x30, 0x80, 0x00, 0x00]),
            Err(Error::Malformed { .. })
        ));
        let e = tlv(&[0x04, 0x84, 0x80, 0, 0, 0]).err().unwrap();
        assert!(e.to_string().contains("claims 2147483648 bytes"), "{e}");
    }

    #[test]
    fn oids() {
        assert!(tlv(&[0x06, 0x00]).unwrap().check_oid("o").is_err());
        assert!(
            tlv(&[0x06, 0x02, 0x2A, 0x86])
                .unwrap()
                .check_oid("o")
                .is_err()
        );
        assert!(
            tlv(&[0x06, 0x02, 0x80, 0x01])
                .unwrap()
                .check_oid("o")
                .is_err()
        );
        assert!(
            tlv(&[0x06, 0x03, 0x2A, 0x80, 0x01])
                .unwrap()
                .check_oid("o")
                .is_err()
        );
        // Arc over 2^64 is well-formed bytes: accepted, matches nothing.
        let mut huge = vec![0x06, 0x0B, 0x2A];
        huge.extend_from_slice(&[0xFF; 9]);
        huge.push(0x7F);
        assert!(tlv(&huge).unwrap().check_oid("o").is_ok());
    }

    #[test]
    fn locations_are_absolute() {
        let data = [0x30, 0x05, 0x04, 0x03, 0x01, 0x02, 0x03];
        let mut r = Reader::top(&data, "the file");
        let seq = r.sequence("outer").unwrap();
        let mut inner = seq.reader();
        let os = inner.octet_string("inner").unwrap();
        assert_eq!(os.location().to_string(), "byte 2 of the file");
        assert_eq!(os.value_offset(), 4);
        let err = inner.integer("missing").err().unwrap();
        assert_eq!(
            err.to_string(),
            "malformed PFX: missing at byte 7 of the file: expected an INTEGER, found the end of the structure"
        );
    }
}
