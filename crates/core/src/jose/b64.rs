//! Base64 (RFC 4648) encoding: standard for `x5c`, URL-safe without padding
//! for JWS and JWK fields. Encoding only; a few lines instead of a crate.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode(input: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let sym = |i: u32| char::from(alphabet.get((i & 63) as usize).copied().unwrap_or(b'='));
    for chunk in input.chunks(3) {
        let b =
            [chunk.first(), chunk.get(1), chunk.get(2)].map(|b| u32::from(b.copied().unwrap_or(0)));
        let n = (b[0] << 16) | (b[1] << 8) | b[2];
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        if chunk.len() > 1 {
            out.push(sym(n >> 6));
        } else if pad {
            out.push('=');
        }
        if chunk.len() > 2 {
            out.push(sym(n));
        } else if pad {
            out.push('=');
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 Section 4).
#[must_use]
pub fn standard(input: &[u8]) -> String {
    encode(input, STANDARD, true)
}

/// URL-safe base64 without padding (RFC 4648 Section 5, RFC 7515 Appendix C).
#[must_use]
pub fn url(input: &[u8]) -> String {
    encode(input, URL_SAFE, false)
}

/// Decodes standard base64 (padding optional, white space ignored), for
/// PEM files. `None` for any other character or a bad length.
#[must_use]
pub fn decode_standard(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut seen_pad = false;
    for c in input.chars().filter(|c| !c.is_ascii_whitespace()) {
        if c == '=' {
            seen_pad = true;
            continue;
        }
        if seen_pad {
            return None;
        }
        let v = u32::try_from(STANDARD.iter().position(|&b| char::from(b) == c)?).ok()?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).ok()?);
        }
    }
    // Leftover bits must be zero padding (fewer than 8 of them).
    if bits >= 6 || acc & ((1 << bits) - 1) != 0 {
        return None;
    }
    Some(out)
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
        }
        assert_eq!(url(&[0xFB, 0xFF]), "-_8");
        assert_eq!(standard(&[0xFB, 0xFF]), "+/8=");
        for (plain, encoded) in cases {
            assert_eq!(decode_standard(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(decode_standard("Zm9v\nYmFy").unwrap(), b"foobar");
        assert!(decode_standard("Zm9v!").is_none());
        assert!(decode_standard("Zg=x").is_none());
    }
}
