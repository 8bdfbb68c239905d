//! BER to DER normalisation, with bounded depth and linear work.
//!
//! Windows, Java `keytool`, NSS and OpenSSL 1.x write PFX files in BER:
//! indefinite lengths (`30 80 ... 00 00`) and OCTET STRINGs split into
//! constructed chunks (`24 80 04 .. 04 .. 00 00`). pfxgen reads such files by
//! rewriting each encoded layer into DER before parsing it:
//!
//! * every length becomes definite and minimal;
//! * constructed universal strings (OCTET STRING, BIT STRING, the character
//!   strings) become one primitive string with the pieces concatenated;
//! * everything else is copied unchanged, element by element.
//!
//! What is *not* changed: primitive values (a non-canonical BOOLEAN stays so),
//! and the order of SET OF elements. The structure-aware parsers that follow
//! check what they need.
//!
//! Bounds: nesting deeper than the caller's `max_depth` is refused before
//! it is followed; the output is never longer than the input (headers only
//! shrink); each input byte is visited a bounded number of times.

use std::borrow::Cow;

use zeroize::Zeroizing;

use crate::DerProblem;

/// An output buffer that never leaves an unwiped copy behind: when it must
/// grow, the old allocation is wiped (dropped as `Zeroizing`) after the move.
#[derive(Default)]
pub(crate) struct SecretBuf(Zeroizing<Vec<u8>>);

impl SecretBuf {
    fn with_capacity(n: usize) -> Self {
        Self(Zeroizing::new(Vec::with_capacity(n)))
    }

    fn reserve(&mut self, extra: usize) {
        if self.0.capacity() - self.0.len() < extra {
            let wanted = (self.0.len() + extra).max(self.0.capacity().saturating_mul(2));
            let mut grown = Zeroizing::new(Vec::with_capacity(wanted));
            grown.extend_from_slice(&self.0);
            // The old buffer is dropped here, as Zeroizing: wiped.
            self.0 = grown;
        }
    }

    fn extend(&mut self, data: &[u8]) {
        self.reserve(data.len());
        self.0.extend_from_slice(data);
    }

    fn push(&mut self, byte: u8) {
        self.extend(&[byte]);
    }

    fn push_length(&mut self, len: usize) {
        let mut header = Vec::with_capacity(9);
        crate::writer::push_length(&mut header, len);
        self.extend(&header);
    }
}

/// A BER decoding failure: what and where (byte offset in the input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BerError {
    /// Offset of the offending tag, length or value in the input.
    pub offset: usize,
    /// What is wrong.
    pub problem: DerProblem,
}

/// [`normalize`] for secrets (decrypted keys and contents): the result is
/// always a zeroizing copy.
///
/// # Errors
/// As for [`normalize`].
pub fn normalize_secret(input: &[u8], max_depth: usize) -> Result<Zeroizing<Vec<u8>>, BerError> {
    Ok(match normalize(input, max_depth)? {
        Cow::Borrowed(b) => Zeroizing::new(b.to_vec()),
        Cow::Owned(o) => Zeroizing::new(o),
    })
}

/// Rewrites one complete BER element into DER. Returns the input unchanged
/// (borrowed) when it already is DER by the rules above.
///
/// # Errors
/// [`BerError`] for truncation, bad lengths, nesting beyond `max_depth`,
/// trailing bytes after the element, or misuse of end-of-contents.
pub fn normalize(input: &[u8], max_depth: usize) -> Result<Cow<'_, [u8]>, BerError> {
    // Every working buffer is wiped when dropped: decrypted keys and
    // SafeContents pass through here.
    let mut out = SecretBuf::with_capacity(input.len());
    let mut pos = 0;
    let mut n = Normalizer { input, max_depth };
    n.element(&mut pos, 0, &mut out)?;
    if pos != input.len() {
        return Err(BerError {
            offset: pos,
            problem: DerProblem::TrailingData {
                remaining: input.len() - pos,
            },
        });
    }
    if *out.0 == input {
        Ok(Cow::Borrowed(input))
    } else {
        // Moved out, not copied: nothing is left behind unwiped.
        Ok(Cow::Owned(core::mem::take(&mut *out.0)))
    }
}

struct Normalizer<'a> {
    input: &'a [u8],
    max_depth: usize,
}

/// A parsed header.
struct Header {
    tag: u8,
    /// `None` for an indefinite length.
    len: Option<usize>,
}

const CONSTRUCTED: u8 = 0x20;

/// Universal string types whose constructed form is flattened.
fn is_string_type(tag_number: u8) -> bool {
    matches!(
        tag_number,
        0x03 // BIT STRING
        | 0x04 // OCTET STRING
        | 0x0C // UTF8String
        | 0x12 // NumericString
        | 0x13 // PrintableString
        | 0x14 // TeletexString
        | 0x15 // VideotexString
        | 0x16 // IA5String
        | 0x19 // GraphicString
        | 0x1A // VisibleString
        | 0x1B // GeneralString
        | 0x1C // UniversalString
        | 0x1E // BMPString
    )
}

impl Normalizer<'_> {
    fn err(offset: usize, problem: DerProblem) -> BerError {
        BerError { offset, problem }
    }

    fn byte(&self, pos: usize) -> Result<u8, BerError> {
        self.input
            .get(pos)
            .copied()
            .ok_or(Self::err(pos, DerProblem::Truncated))
    }

    fn header(&self, pos: &mut usize) -> Result<Header, BerError> {
        let start = *pos;
        let tag = self.byte(*pos)?;
        if tag & 0x1F == 0x1F {
            return Err(Self::err(start, DerProblem::HighTagNumber));
        }
        *pos += 1;
        let first = self.byte(*pos)?;
        let len_pos = *pos;
        *pos += 1;
        let len = match first {
            0x80 => {
                if tag & CONSTRUCTED == 0 {
                    return Err(Self::err(len_pos, DerProblem::IndefiniteLengthPrimitive));
                }
                None
            }
            short if short < 0x80 => Some(usize::from(short)),
            0xFF => return Err(Self::err(len_pos, DerProblem::BadLengthField)),
            long => {
                let n = usize::from(long & 0x7F);
                if n > 8 {
                    return Err(Self::err(len_pos, DerProblem::BadLengthField));
                }
                let mut value: u64 = 0;
                for _ in 0..n {
                    value = (value << 8) | u64::from(self.byte(*pos)?);
                    *pos += 1;
                }
                // Whether the length fits the input is checked below, for
                // both forms; here only whether it fits a usize at all.
                let available = self.input.len().saturating_sub(*pos);
                match usize::try_from(value) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        return Err(Self::err(
                            len_pos,
                            DerProblem::LengthBeyondInput {
                                claimed: value,
                                available: available as u64,
                            },
                        ));
                    }
                }
            }
        };
        if let Some(len) = len {
            let available = self.input.len().saturating_sub(*pos);
            if len > available {
                return Err(Self::err(
                    len_pos,
                    DerProblem::LengthBeyondInput {
                        claimed: len as u64,
                        available: available as u64,
                    },
                ));
            }
        }
        Ok(Header { tag, len })
    }

    /// Whether an end-of-contents marker (`00 00`) starts at `pos`.
    fn at_eoc(&self, pos: usize) -> bool {
        self.input.get(pos) == Some(&0) && self.input.get(pos + 1) == Some(&0)
    }

    /// Normalises one element starting at `*pos`, appending DER to `out`.
    fn element(
        &mut self,
        pos: &mut usize,
        depth: usize,
        out: &mut SecretBuf,
    ) -> Result<(), BerError> {
        if depth > self.max_depth {
            return Err(Self::err(
                *pos,
                DerProblem::TooDeep {
                    limit: self.max_depth,
                },
            ));
        }
        let start = *pos;
        if self.at_eoc(start) {
            return Err(Self::err(start, DerProblem::StrayEndOfContents));
        }
        let header = self.header(pos)?;
        // Universal tag 0 is reserved for end-of-contents, which is exactly
        // `00 00`; any other use (`00 81 00`, `20 00`) would normalise into
        // a marker. (Found by the ber_normalize fuzz target.)
        if header.tag & !CONSTRUCTED == 0 {
            return Err(Self::err(start, DerProblem::StrayEndOfContents));
        }
        if header.tag & CONSTRUCTED == 0 {
            // Primitive: copy the value under a minimal header.
            let len = header.len.unwrap_or(0);
            let value = self
                .input
                .get(*pos..*pos + len)
                .ok_or(Self::err(*pos, DerProblem::Truncated))?;
            *pos += len;
            out.push(header.tag);
            out.push_length(len);
            out.extend(value);
            return Ok(());
        }
        let universal_string = header.tag & 0xC0 == 0 && is_string_type(header.tag & 0x1F);
        if universal_string {
            let primitive_tag = header.tag & !CONSTRUCTED;
            let mut content = SecretBuf::default();
            let mut unused_bits = 0u8;
            let pieces_start = *pos;
            self.string_pieces(
                pos,
                &header,
                primitive_tag,
                depth,
                &mut content,
                &mut unused_bits,
            )?;
            // A BIT STRING needs its unused-bits octet, so one made of no
            // pieces at all has no DER form that is not longer than the
            // input (`23 00` would become `03 01 00`): refuse it. (Found by
            // the ber_normalize fuzz target.)
            let pieces = self.input.get(pieces_start..*pos).unwrap_or_default();
            if primitive_tag == 0x03 && (pieces.is_empty() || pieces == [0, 0]) {
                return Err(Self::err(start, DerProblem::BadConstructedString));
            }
            out.push(primitive_tag);
            if primitive_tag == 0x03 {
                out.push_length(content.0.len() + 1);
                out.push(unused_bits);
            } else {
                out.push_length(content.0.len());
            }
            out.extend(&content.0);
            return Ok(());
        }
        // Generic constructed value: normalise the children into a buffer,
        // then write a definite header.
        let mut children = SecretBuf::default();
        self.children(pos, &header, depth, |n, p, d| {
            n.element(p, d, &mut children)
        })?;
        out.push(header.tag);
        out.push_length(children.0.len());
        out.extend(&children.0);
        Ok(())
    }

    /// Walks the children of a constructed value (definite or indefinite),
    /// calling `each` at the start of every child.
    fn children(
        &mut self,
        pos: &mut usize,
        header: &Header,
        depth: usize,
        mut each: impl FnMut(&mut Self, &mut usize, usize) -> Result<(), BerError>,
    ) -> Result<(), BerError> {
        match header.len {
            Some(len) => {
                let end = *pos + len;
                // Parse children inside a window ending at `end`.
                let saved = self.input;
                self.input = self
                    .input
                    .get(..end)
                    .ok_or(Self::err(*pos, DerProblem::Truncated))?;
                let result = (|| {
                    while *pos < end {
                        each(self, pos, depth + 1)?;
                    }
                    Ok(())
                })();
                self.input = saved;
                result
            }
            None => loop {
                if *pos >= self.input.len() {
                    return Err(Self::err(*pos, DerProblem::MissingEndOfContents));
                }
                if self.at_eoc(*pos) {
                    *pos += 2;
                    return Ok(());
                }
                each(self, pos, depth + 1)?;
            },
        }
    }

    /// Collects the pieces of a constructed string into `content`.
    fn string_pieces(
        &mut self,
        pos: &mut usize,
        header: &Header,
        primitive_tag: u8,
        depth: usize,
        content: &mut SecretBuf,
        unused_bits: &mut u8,
    ) -> Result<(), BerError> {
        self.children(pos, header, depth, |n, p, d| {
            if d > n.max_depth {
                return Err(Self::err(*p, DerProblem::TooDeep { limit: n.max_depth }));
            }
            let piece_start = *p;
            if n.at_eoc(piece_start) {
                return Err(Self::err(piece_start, DerProblem::StrayEndOfContents));
            }
            let piece = n.header(p)?;
            if piece.tag & !CONSTRUCTED != primitive_tag {
                return Err(Self::err(piece_start, DerProblem::BadConstructedString));
            }
            if piece.tag & CONSTRUCTED != 0 {
                return n.string_pieces(p, &piece, primitive_tag, d, content, unused_bits);
            }
            let len = piece.len.unwrap_or(0);
            let value = n
                .input
                .get(*p..*p + len)
                .ok_or(Self::err(*p, DerProblem::Truncated))?;
            *p += len;
            if primitive_tag == 0x03 {
                // BIT STRING piece: unused-bits octet, then bits. Only the
                // last piece may have unused bits.
                let (&unused, bits) = value
                    .split_first()
                    .ok_or(Self::err(piece_start, DerProblem::BadConstructedString))?;
                if *unused_bits != 0 || unused > 7 {
                    return Err(Self::err(piece_start, DerProblem::BadConstructedString));
                }
                *unused_bits = unused;
                content.extend(bits);
            } else {
                content.extend(value);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(input: &[u8]) -> Result<Vec<u8>, BerError> {
        normalize(input, 32).map(Cow::into_owned)
    }

    #[test]
    fn der_is_returned_borrowed() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        assert!(matches!(normalize(&der, 32).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn indefinite_lengths_become_definite() {
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            norm(&ber).unwrap(),
            [0x30, 0x05, 0x02, 0x01, 0x05, 0x30, 0x00]
        );
    }

    #[test]
    fn constructed_octet_strings_are_flattened() {
        let ber = [
            0x24, 0x80, 0x04, 0x02, 0xAA, 0xBB, 0x24, 0x03, 0x04, 0x01, 0xCC, 0x00, 0x00,
        ];
        assert_eq!(norm(&ber).unwrap(), [0x04, 0x03, 0xAA, 0xBB, 0xCC]);
    }

    #[test]
    fn constructed_bit_string_keeps_last_unused_bits() {
        let ber = [
            0x23, 0x80, 0x03, 0x02, 0x00, 0xAA, 0x03, 0x02, 0x04, 0xB0, 0x00, 0x00,
        ];
        assert_eq!(norm(&ber).unwrap(), [0x03, 0x03, 0x04, 0xAA, 0xB0]);
        let bad = [
            0x23, 0x80, 0x03, 0x02, 0x04, 0xA0, 0x03, 0x02, 0x00, 0xB0, 0x00, 0x00,
        ];
        assert_eq!(
            norm(&bad).unwrap_err().problem,
            DerProblem::BadConstructedString
        );
    }

    /// Regression: `23 00` (a constructed BIT STRING with no pieces) used to
    /// normalise to the longer `03 01 00` (ber_normalize fuzz target,
    /// crash-0b0feb3147ce20eb2c90076367f895c59bcd14b3).
    #[test]
    fn empty_constructed_bit_string_is_refused() {
        assert_eq!(
            norm(&[0x23, 0x00]).unwrap_err().problem,
            DerProblem::BadConstructedString
        );
        assert_eq!(
            norm(&[0x23, 0x80, 0x00, 0x00]).unwrap_err().problem,
            DerProblem::BadConstructedString
        );
        // An empty constructed OCTET STRING is fine and does not grow.
        assert_eq!(norm(&[0x24, 0x00]).unwrap(), [0x04, 0x00]);
        // A BIT STRING of one empty piece is fine.
        assert_eq!(
            norm(&[0x23, 0x03, 0x03, 0x01, 0x00]).unwrap(),
            [0x03, 0x01, 0x00]
        );
    }

    /// Regression: `00 81 00` (tag 0 with a long-form zero length) used to
    /// normalise to `00 00`, an end-of-contents marker that then failed to
    /// normalise again (ber_normalize fuzz target,
    /// crash-944d8b719fae85d6dc793d8a444e227ffe90c3e0).
    #[test]
    fn tag_zero_is_only_end_of_contents() {
        for bad in [
            &[0x00, 0x81, 0x00][..],
            &[0x00, 0x01, 0x05],
            &[0x20, 0x00],
            &[0x30, 0x03, 0x00, 0x81, 0x00],
        ] {
            assert_eq!(
                norm(bad).unwrap_err().problem,
                DerProblem::StrayEndOfContents,
                "{bad:02X?}"
            );
        }
    }

    #[test]
    fn non_minimal_lengths_are_shortened() {
        assert_eq!(norm(&[0x04, 0x81, 0x01, 0xAA]).unwrap(), [0x04, 0x01, 0xAA]);
        assert_eq!(
            norm(&[0x04, 0x84, 0, 0, 0, 1, 0xAA]).unwrap(),
            [0x04, 0x01, 0xAA]
        );
    }

    #[test]
    fn context_tags_are_generic_containers() {
        // [0] IMPLICIT constructed OCTET STRING pieces stay as children.
        let ber = [0xA0, 0x80, 0x04, 0x01, 0x01, 0x04, 0x01, 0x02, 0x00, 0x00];
        assert_eq!(
            norm(&ber).unwrap(),
            [0xA0, 0x06, 0x04, 0x01, 0x01, 0x04, 0x01, 0x02]
        );
    }

    #[test]
    fn hostile_inputs_are_refused_with_offsets() {
        let cases: &[(&[u8], usize, DerProblem)] = &[
            (&[], 0, DerProblem::Truncated),
            (&[0x30], 1, DerProblem::Truncated),
            (
                &[0x30, 0x05, 0x02],
                1,
                DerProblem::LengthBeyondInput {
                    claimed: 5,
                    available: 1,
                },
            ),
            (
                &[0x04, 0x84, 0x80, 0, 0, 0],
                1,
                DerProblem::LengthBeyondInput {
                    claimed: 1 << 31,
                    available: 0,
                },
            ),
            (
                &[0x04, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                1,
                DerProblem::BadLengthField,
            ),
            (&[0x04, 0xFF], 1, DerProblem::BadLengthField),
            (
                &[0x04, 0x80, 0x00, 0x00],
                1,
                DerProblem::IndefiniteLengthPrimitive,
            ),
            (
                &[0x30, 0x80, 0x02, 0x01, 0x00],
                5,
                DerProblem::MissingEndOfContents,
            ),
            (&[0x00, 0x00], 0, DerProblem::StrayEndOfContents),
            (&[0x1F, 0x22, 0x00], 0, DerProblem::HighTagNumber),
            (
                &[0x02, 0x01, 0x00, 0x00],
                3,
                DerProblem::TrailingData { remaining: 1 },
            ),
            (
                &[0x24, 0x03, 0x02, 0x01, 0x00],
                2,
                DerProblem::BadConstructedString,
            ),
            // A child that overruns its parent's definite length.
            (
                &[0x30, 0x02, 0x04, 0x02, 0xAA, 0xBB],
                3,
                DerProblem::LengthBeyondInput {
                    claimed: 2,
                    available: 0,
                },
            ),
        ];
        for (input, offset, problem) in cases {
            let err = norm(input).unwrap_err();
            assert_eq!(
                (&err.offset, &err.problem),
                (offset, problem),
                "{input:02X?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_past_the_limit() {
        let mut deep = Vec::new();
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..10_000 {
            deep.extend_from_slice(&[0x00, 0x00]);
        }
        let err = norm(&deep).unwrap_err();
        assert_eq!(err.problem, DerProblem::TooDeep { limit: 32 });
        assert_eq!(err.offset, 66);
    }

    #[test]
    fn output_is_idempotent_and_not_longer() {
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0x01, 0x00, 0x00, 0xA0, 0x80, 0x05, 0x00, 0x00,
            0x00, 0x00, 0x00,
        ];
        let once = norm(&ber).unwrap();
        assert!(once.len() <= ber.len());
        assert_eq!(norm(&once).unwrap(), once);
    }

    // SecretBuf: the buffer that holds decrypted key material must grow
    // only through `reserve`, which wipes the old allocation; a growth left
    // to `Vec` itself would leave an unwiped copy in freed memory. These pin
    // that `reserve` really makes the room asked for, and only when needed.

    #[test]
    fn secret_buf_starts_with_the_capacity_asked() {
        let b = SecretBuf::with_capacity(64);
        assert!(b.0.capacity() >= 64);
    }

    #[test]
    fn secret_buf_reserve_makes_the_room_asked_for() {
        let mut empty = SecretBuf::default();
        empty.reserve(10);
        assert!(empty.0.capacity() >= 10, "from empty");

        // One byte short: the room is capacity minus length (not plus).
        let mut b = SecretBuf::with_capacity(16);
        b.extend(&[1, 2, 3, 4, 5]);
        let free = b.0.capacity() - b.0.len();
        b.reserve(free + 1);
        assert!(b.0.capacity() - b.0.len() > free, "when short");
        assert_eq!(*b.0, [1, 2, 3, 4, 5], "contents kept");
    }

    #[test]
    fn secret_buf_reserve_does_not_copy_when_the_room_is_there() {
        let mut b = SecretBuf::with_capacity(16);
        b.extend(&[7; 5]);
        let before = b.0.capacity();
        let free = before - b.0.len();
        b.reserve(free);
        assert_eq!(b.0.capacity(), before, "an exact fit needs no new buffer");
    }

    // Long-form lengths: up to 8 length octets are read (a 64-bit length);
    // 9 or more are refused as a bad length field.
    #[test]
    fn eight_length_octets_are_read_nine_are_refused() {
        let eight = [0x04, 0x88, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xAA];
        assert_eq!(norm(&eight).unwrap(), [0x04, 0x01, 0xAA]);
        let nine = [0x04, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xAA];
        assert_eq!(norm(&nine).unwrap_err().problem, DerProblem::BadLengthField);
    }

    // A constructed BIT STRING's last piece may leave 0 to 7 bits unused;
    // 8 is not a number of unused bits.
    #[test]
    fn constructed_bit_string_unused_bits_up_to_seven() {
        let seven = [0x23, 0x80, 0x03, 0x02, 0x07, 0x80, 0x00, 0x00];
        assert_eq!(norm(&seven).unwrap(), [0x03, 0x02, 0x07, 0x80]);
        let eight = [0x23, 0x80, 0x03, 0x02, 0x08, 0x80, 0x00, 0x00];
        assert_eq!(
            norm(&eight).unwrap_err().problem,
            DerProblem::BadConstructedString
        );
    }
}
