//! Base64 (RFC 4648) through `base64ct` (constant time, fuzzed upstream,
//! already in the graph through `pem-rfc7468`): standard with padding for
//! `x5c`, URL-safe without padding for JWS and JWK members. PEM blocks are
//! decoded by `pem-rfc7468` (see [`crate::files::open`]), not here.

use base64ct::{Base64, Base64UrlUnpadded, Encoding as _};

/// Standard base64 with padding (RFC 4648 Section 4).
#[must_use]
pub fn standard(input: &[u8]) -> String {
    Base64::encode_string(input)
}

/// URL-safe base64 without padding (RFC 4648 Section 5, RFC 7515 Appendix C).
#[must_use]
pub fn url(input: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(input)
}

/// Decodes URL-safe base64 without padding (a JWK member such as `n`);
/// `None` for any other character, padding, or non-canonical trailing bits.
#[must_use]
pub fn decode_url(input: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(input).ok()
}

/// Decodes standard base64 with padding (an `x5c` entry); `None` for any
/// other character, white space, a bad length or non-canonical bits.
#[must_use]
pub fn decode_standard(input: &str) -> Option<Vec<u8>> {
    Base64::decode_vec(input).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 Section 10 test vectors.
    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(standard(plain.as_bytes()), encoded);
            assert_eq!(url(plain.as_bytes()), encoded.trim_end_matches('='));
            assert_eq!(decode_standard(encoded).unwrap(), plain.as_bytes());
            assert_eq!(
                decode_url(encoded.trim_end_matches('=')).unwrap(),
                plain.as_bytes()
            );
        }
        assert_eq!(url(&[0xFB, 0xFF]), "-_8");
        assert_eq!(standard(&[0xFB, 0xFF]), "+/8=");
        assert_eq!(decode_url("-_8").unwrap(), [0xFB, 0xFF]);
        assert!(decode_standard("Zm9v!").is_none());
        assert!(decode_standard("Zg=x").is_none());
        assert!(decode_url("Zg==").is_none(), "padding is not URL-safe JWS");
        assert!(decode_url("Zh").is_none(), "non-canonical trailing bits");
    }
}
