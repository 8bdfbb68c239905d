//! The strict DER reader: a cursor over a byte string that knows where the
//! byte string lives, so every error names the field and its offset.
//!
//! DER is the distinguished subset of BER (X.690 clause 10): definite
//! lengths in the fewest octets, and one encoding for each value. Input from
//! outside is first rewritten by [`crate::ber::normalize`], so this reader
//! insists on DER and refuses anything else with a [`DerProblem`].

use std::rc::Rc;

use crate::{DerProblem, Error, Location, Tlv, tag};

/// A byte string being parsed, with where it lives for error messages.
#[derive(Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` within `within`.
    base: usize,
    within: Rc<str>,
}

impl<'a> Reader<'a> {
    /// A reader over `data`, which starts at byte `base` of `within` (so
    /// that locations are given in the outermost byte string).
    #[must_use]
    pub fn new(data: &'a [u8], base: usize, within: Rc<str>) -> Self {
        Self {
            data,
            pos: 0,
            base,
            within,
        }
    }

    /// A reader over a whole top-level byte string, named `within` in
    /// locations (`"the file"`).
    #[must_use]
    pub fn top(data: &'a [u8], within: &str) -> Self {
        Self::new(data, 0, Rc::from(within))
    }

    /// Whether every element has been read.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The tag octet of the next element, without reading it.
    #[must_use]
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

    /// Reads the next element, whatever its tag, in DER: a low tag number
    /// (X.690 8.1.2.2), a definite length in the fewest octets (X.690 10.1)
    /// that fits in what remains.
    ///
    /// # Errors
    /// [`Error::Malformed`] naming `what` and the offset of the tag or length.
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

    /// Reads the next element, which must have tag `tag`; `expected` names
    /// it in the message otherwise (`"a SEQUENCE"`).
    ///
    /// # Errors
    /// As [`Reader::read_any`], and [`DerProblem::UnexpectedTag`].
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

    /// Reads the next element if it has tag `tag` (an OPTIONAL field).
    ///
    /// # Errors
    /// As [`Reader::read_any`].
    pub fn read_optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, Error> {
        if self.peek_tag() == Some(tag) {
            self.read_any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a SEQUENCE.
    ///
    /// # Errors
    /// As [`Reader::read`].
    pub fn sequence(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.read(tag::SEQUENCE, what, "a SEQUENCE")
    }

    /// Reads an OBJECT IDENTIFIER and checks its content
    /// ([`Tlv::check_oid`]).
    ///
    /// # Errors
    /// As [`Reader::read`], and [`DerProblem::BadOid`].
    pub fn oid(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        let tlv = self.read(tag::OID, what, "an OBJECT IDENTIFIER")?;
        tlv.check_oid(what)?;
        Ok(tlv)
    }

    /// Reads an OCTET STRING.
    ///
    /// # Errors
    /// As [`Reader::read`].
    pub fn octet_string(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.read(tag::OCTET_STRING, what, "an OCTET STRING")
    }

    /// Reads an INTEGER (its content is checked by [`Tlv::int_value`]).
    ///
    /// # Errors
    /// As [`Reader::read`].
    pub fn integer(&mut self, what: &'static str) -> Result<Tlv<'a>, Error> {
        self.read(tag::INTEGER, what, "an INTEGER")
    }

    /// Checks that nothing is left.
    ///
    /// # Errors
    /// [`DerProblem::TrailingData`] with the number of bytes left.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Tlv, error::malformed_problem};

    fn tlv(bytes: &[u8]) -> Result<Tlv<'_>, Error> {
        Reader::top(bytes, "test").read_any("x")
    }

    #[test]
    fn strict_lengths() {
        for bytes in [&[0x04, 0x81, 0x01, 0xAA][..], &[0x04, 0x82, 0x00, 0x81]] {
            assert_eq!(
                malformed_problem(tlv(bytes)),
                Some(DerProblem::NonMinimalLength),
                "{bytes:02X?}"
            );
        }
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
            "malformed DER: missing at byte 7 of the file: expected an INTEGER, found the end of the structure"
        );
    }
}
