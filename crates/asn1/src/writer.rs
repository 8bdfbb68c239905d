//! A minimal DER writer: tag, length, value.
//!
//! pfxgen assembles the structures it *writes* (the TBSCertificate in
//! `pfxgen-x509`, the PFX in `pfxgen-pkcs12`) with these few functions rather than through
//! generic derive machinery, so that a reviewer can compare each output byte
//! with the ASN.1 in the RFC. Every function returns a complete TLV.
//!
//! Only definite-length DER is produced: lengths use the short form below 128
//! and the minimal long form above; INTEGERs are minimal two's complement;
//! SET OF elements are sorted by their encodings (X.690, Section 11.6: "the
//! encodings of the component values of a set-of value shall appear in
//! ascending order, the encodings being compared as octet strings").

use der::asn1::ObjectIdentifier;

/// The tag octets this writer uses (the crate's [`crate::tag`]).
pub use crate::tag;

/// Appends a DER length to `out`.
pub fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        // Short form. `len < 128` so the cast is lossless.
        out.push(u8::try_from(len).unwrap_or(0));
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    // At most 8 length octets on 64-bit targets.
    out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
    out.extend_from_slice(significant);
}

/// A TLV with a one-byte tag.
#[must_use]
pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(tag);
    push_length(&mut out, value.len());
    out.extend_from_slice(value);
    out
}

/// A constructed TLV whose value is the concatenation of `parts`.
#[must_use]
pub fn constructed(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    push_length(&mut out, len);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// `SEQUENCE { parts... }`.
#[must_use]
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    constructed(tag::SEQUENCE, parts)
}

/// `SEQUENCE OF { elements... }`, in the order given, from owned encodings
/// (what a `map(...).collect()` over the elements yields).
#[must_use]
pub fn sequence_of(elements: &[Vec<u8>]) -> Vec<u8> {
    let parts: Vec<&[u8]> = elements.iter().map(Vec::as_slice).collect();
    sequence(&parts)
}

/// `SET OF { elements... }` with the elements sorted as DER requires.
#[must_use]
pub fn set_of(elements: &[&[u8]]) -> Vec<u8> {
    let mut sorted: Vec<&[u8]> = elements.to_vec();
    sorted.sort_unstable();
    constructed(tag::SET, &sorted)
}

/// `[n] EXPLICIT` (context-specific, constructed) around a complete TLV.
#[must_use]
pub fn context_constructed(number: u8, parts: &[&[u8]]) -> Vec<u8> {
    constructed(0xA0 | (number & 0x1F), parts)
}

/// `[n] IMPLICIT` over a primitive type: the value bytes with the tag replaced.
#[must_use]
pub fn context_primitive(number: u8, value: &[u8]) -> Vec<u8> {
    tlv(0x80 | (number & 0x1F), value)
}

/// An OBJECT IDENTIFIER.
#[must_use]
pub fn oid(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv(tag::OID, oid.as_bytes())
}

/// NULL.
#[must_use]
pub fn null() -> Vec<u8> {
    vec![tag::NULL, 0x00]
}

/// BOOLEAN (DER: TRUE is 0xFF).
#[must_use]
pub fn boolean(value: bool) -> Vec<u8> {
    vec![tag::BOOLEAN, 0x01, if value { 0xFF } else { 0x00 }]
}

/// An OCTET STRING.
#[must_use]
pub fn octet_string(value: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, value)
}

/// A BIT STRING with no unused bits.
#[must_use]
pub fn bit_string(value: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(value.len() + 1);
    content.push(0x00);
    content.extend_from_slice(value);
    tlv(tag::BIT_STRING, &content)
}

/// A non-negative INTEGER from big-endian magnitude bytes (leading zeros are
/// stripped; a zero byte is prepended when the top bit is set).
#[must_use]
pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let trimmed = magnitude.get(skip..).unwrap_or_default();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    match trimmed.first() {
        None => content.push(0x00),
        Some(first) if first & 0x80 != 0 => {
            content.push(0x00);
            content.extend_from_slice(trimmed);
        }
        Some(_) => content.extend_from_slice(trimmed),
    }
    tlv(tag::INTEGER, &content)
}

/// A non-negative INTEGER from a `u64`.
#[must_use]
pub fn integer_u64(value: u64) -> Vec<u8> {
    unsigned_integer(&value.to_be_bytes())
}

/// A UTF8String.
#[must_use]
pub fn utf8_string(value: &str) -> Vec<u8> {
    tlv(tag::UTF8_STRING, value.as_bytes())
}

/// A BMPString (UTF-16BE, no terminator). Characters outside the Basic
/// Multilingual Plane are written as surrogate pairs, as Windows does.
#[must_use]
pub fn bmp_string(value: &str) -> Vec<u8> {
    let bytes: Vec<u8> = value.encode_utf16().flat_map(u16::to_be_bytes).collect();
    tlv(tag::BMP_STRING, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_minimal() {
        let mut out = Vec::new();
        push_length(&mut out, 0);
        push_length(&mut out, 127);
        push_length(&mut out, 128);
        push_length(&mut out, 255);
        push_length(&mut out, 256);
        push_length(&mut out, 65_536);
        assert_eq!(
            out,
            [
                0x00, 0x7F, 0x81, 0x80, 0x81, 0xFF, 0x82, 0x01, 0x00, 0x83, 0x01, 0x00, 0x00
            ]
        );
    }

    #[test]
    fn integers_are_minimal_twos_complement() {
        assert_eq!(integer_u64(0), [0x02, 0x01, 0x00]);
        assert_eq!(integer_u64(127), [0x02, 0x01, 0x7F]);
        assert_eq!(integer_u64(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(integer_u64(2048), [0x02, 0x02, 0x08, 0x00]);
        assert_eq!(unsigned_integer(&[0, 0, 0x01]), [0x02, 0x01, 0x01]);
    }

    #[test]
    fn sequence_of_keeps_the_order() {
        let elements = [octet_string(&[2]), octet_string(&[1])];
        assert_eq!(
            sequence_of(&elements),
            [0x30, 0x06, 0x04, 0x01, 0x02, 0x04, 0x01, 0x01]
        );
        assert_eq!(sequence_of(&[]), [0x30, 0x00]);
    }

    #[test]
    fn set_of_is_sorted() {
        let a = octet_string(&[2]);
        let b = octet_string(&[1]);
        assert_eq!(
            set_of(&[&a, &b]),
            [0x31, 0x06, 0x04, 0x01, 0x01, 0x04, 0x01, 0x02]
        );
    }

    #[test]
    fn bmp_string_matches_der_crate() {
        use der::Encode as _;
        let ours = bmp_string("Pässwörd");
        let theirs = der::asn1::BmpString::from_utf8("Pässwörd")
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(ours, theirs);
    }
}
