//! PEM (RFC 7468) blocks in key, certificate and PKCS#7 files, decoded
//! with `pem-rfc7468` (base64 in constant time, any line width). Text
//! outside the blocks (OpenSSL's `Bag Attributes`, comments) is ignored;
//! a damaged block is an error, never skipped.

use zeroize::Zeroizing;

use crate::{
    Error, Limits,
    error::{check_input_size, check_limit},
};

/// Most PEM blocks read from one file (a key, a certificate and a long
/// chain fit many times over).
pub const MAX_PEM_BLOCKS: usize = 64;

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";

/// One decoded PEM block.
#[derive(Debug)]
pub struct PemBlock {
    /// Its label (`CERTIFICATE`, `PRIVATE KEY`, ...).
    pub label: String,
    /// The decoded bytes (wiped on drop: the block may be a key).
    pub der: Zeroizing<Vec<u8>>,
}

fn problem(detail: impl Into<String>) -> Error {
    Error::File {
        what: "PEM text",
        detail: detail.into(),
    }
}

/// Whether `bytes` look like PEM text (a `-----BEGIN ` line somewhere).
#[must_use]
pub fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(BEGIN.len()).any(|w| w == BEGIN.as_bytes())
}

/// Every PEM block of `bytes`, in order.
///
/// # Errors
/// [`Error::InputTooLarge`], [`Error::LimitExceeded`] (more than
/// [`MAX_PEM_BLOCKS`]), or [`Error::File`] for text that is not UTF-8, a
/// block without its end line, with headers (`Proc-Type`: OpenSSL's
/// traditional key encryption) or with bad base64.
pub fn pem_blocks(bytes: &[u8], limits: &Limits) -> Result<Vec<PemBlock>, Error> {
    check_input_size(bytes, limits)?;
    let text = std::str::from_utf8(bytes).map_err(|_| problem("the file is not UTF-8 text"))?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let number = out.len() + 1;
        check_limit("PEM blocks in one file", number, MAX_PEM_BLOCKS)?;
        let block = rest.get(start..).unwrap_or_default();
        let label_end = block
            .get(BEGIN.len()..)
            .and_then(|b| b.find(DASHES))
            .ok_or_else(|| problem(format!("block {number} has no complete BEGIN line")))?;
        let label = block
            .get(BEGIN.len()..BEGIN.len() + label_end)
            .unwrap_or_default();
        let end_line = format!("{END}{label}{DASHES}");
        let end = block
            .find(&end_line)
            .ok_or_else(|| problem(format!("block {number} ({label}) has no matching END line")))?;
        let whole = block.get(..end + end_line.len()).unwrap_or_default();
        if whole.contains("Proc-Type:") || whole.contains("DEK-Info:") {
            return Err(Error::Unsupported {
                what: "PEM block headers",
                detail: format!(
                    "block {number} ({label}) uses OpenSSL's traditional PEM encryption \
                     (Proc-Type/DEK-Info headers); give the key as PKCS#8 (ENCRYPTED PRIVATE KEY)"
                ),
            });
        }
        let (label, der) = decode_block(whole)
            .map_err(|e| problem(format!("block {number} ({label}) is damaged: {e}")))?;
        out.push(PemBlock { label, der });
        rest = block.get(end + end_line.len()..).unwrap_or_default();
    }
    Ok(out)
}

/// Decodes one block (from its BEGIN line to the end of its END line): its
/// label as the decoder read it (without the carriage returns CRLF text
/// has, wherever they are) and its bytes.
fn decode_block(block: &str) -> Result<(String, Zeroizing<Vec<u8>>), pem_rfc7468::Error> {
    // CRLF files (Windows) decode like LF ones.
    let normalised: Zeroizing<String> = Zeroizing::new(block.replace('\r', ""));
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(normalised.as_bytes())?;
    // Sized once: growing would leave unwiped copies of a key behind.
    let mut buf = Zeroizing::new(vec![0u8; decoder.remaining_len()]);
    let len = decoder.decode(&mut buf)?.len();
    buf.truncate(len);
    Ok((decoder.type_label().to_owned(), buf))
}

/// `der` as a PEM block with `label`, LF line endings, 64-character lines.
/// The string is wiped on drop (it may hold a key).
///
/// # Errors
/// [`Error::File`] if the label is invalid (never for the labels pfxgen uses).
pub fn to_pem(label: &str, der: &[u8]) -> Result<Zeroizing<String>, Error> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map(Zeroizing::new)
        .map_err(|e| problem(format!("cannot encode {label}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_surrounding_text() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = to_pem("CERTIFICATE", &der).unwrap();
        let text = format!("Bag Attributes\n  localKeyID: 01\n{}\njunk\n{}", *pem, *pem);
        let blocks = pem_blocks(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(*blocks[1].der, der);
        let crlf = pem.replace('\n', "\r\n");
        let blocks = pem_blocks(crlf.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(*blocks[0].der, der);
    }

    /// A carriage return before the dashes of a BEGIN or END line is
    /// dropped like every other: the label is the decoder's, one that
    /// `to_pem` writes back. (Found while writing the `pem_bundle` fuzz
    /// property, which writes back every block read: the label kept the
    /// `\r` and could not be written.)
    #[test]
    fn carriage_returns_never_reach_the_label() {
        let pem = to_pem("CERTIFICATE", b"abc").unwrap();
        let odd = pem.replace("CERTIFICATE-----", "CERTIFICATE\r-----");
        let blocks = pem_blocks(odd.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(*blocks[0].der, b"abc");
        assert!(to_pem(&blocks[0].label, &blocks[0].der).is_ok());
    }

    #[test]
    fn damaged_blocks_are_errors() {
        let limits = Limits::default();
        for bad in [
            "-----BEGIN CERTIFICATE-----\nAAA*\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN CERT",
        ] {
            assert!(pem_blocks(bad.as_bytes(), &limits).is_err(), "{bad}");
        }
        let encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(
            pem_blocks(encrypted.as_bytes(), &limits),
            Err(Error::Unsupported { .. })
        ));
        // The block count at its limit is read; one more is refused.
        let block = to_pem("X", b"a").unwrap();
        let at_limit = block.repeat(MAX_PEM_BLOCKS);
        assert_eq!(
            pem_blocks(at_limit.as_bytes(), &limits).unwrap().len(),
            MAX_PEM_BLOCKS
        );
        let over = block.repeat(MAX_PEM_BLOCKS + 1);
        assert!(matches!(
            pem_blocks(over.as_bytes(), &limits),
            Err(Error::LimitExceeded {
                value: 65,
                max: 64,
                ..
            })
        ));
    }
}
