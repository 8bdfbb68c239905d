//! Resource limits for decoding, and the .NET loader's limits.

use pfxgen_asn1::{IntValue, Tlv};

use crate::{Error, IterationProblem};

/// Resource limits for decoding, all checked *before* the work they bound.
///
/// Every PFX an operator is likely to meet is far inside these; a file
/// outside them is refused with [`crate::Error::LimitExceeded`],
/// [`crate::Error::IterationCount`] or [`crate::Error::WorkLimit`] naming
/// the limit. SECURITY.md explains
/// each value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 8 MiB (a PFX with a key and
    /// a long chain is a few tens of KiB).
    pub max_input_size: usize,
    /// Deepest ASN.1 nesting accepted by the BER normaliser. Default 32
    /// (PKCS#12 needs about 12).
    pub max_depth: usize,
    /// Most SafeBags in the whole file (all SafeContents together). Default
    /// 1000 (.NET's loader allows 200 keys and 200 certificates).
    pub max_bags: usize,
    /// Most ContentInfos in the AuthenticatedSafe. Default 64.
    pub max_contents: usize,
    /// Most attributes on one bag, and most values in one attribute. Default 64.
    pub max_attributes: usize,
    /// Highest iteration count for a single key derivation (MAC, PBKDF2, or
    /// the PKCS#12 KDF). Default 2,000,000: above .NET's 300,000, so that
    /// such files can still be inspected, while bounding the CPU a hostile
    /// file can make us spend (about a second per derivation).
    pub max_iterations: u32,
    /// Most work one open may do, counted in calls of a hash compression
    /// function weighted by their cost, in units of one SHA-256 compression
    /// ([`crate::kdf::Hash::compression_weight`]: SHA-1 and SHA-224/256
    /// weigh 1, SHA-384/512 weigh 6). PBKDF2-HMAC costs two compressions per
    /// iteration per output block; the PKCS#12 KDF one per iteration per
    /// output block (key and IV separately); the MAC's HMAC over the data
    /// counts too; every password form tried counts. Each derivation is
    /// charged *before* it runs, so an open never does more than this.
    ///
    /// Default 16,000,000: about one second of CPU on a current x86-64
    /// server (70 ns per SHA-256 compression measured by the
    /// `work_calibration` example; SECURITY.md has the figures). A file made
    /// with OpenSSL 3's defaults costs about 0.1% of it, one with pfxgen's
    /// 200,000 iterations about 6%; a single
    /// PBKDF2-HMAC-SHA512 derivation at 2,000,000 iterations (24,000,000)
    /// does not fit, so the crafted files that made one open cost seconds
    /// are refused before any derivation.
    pub max_work: u64,
}

/// The default of [`Limits::max_work`]: about one second of CPU.
pub const DEFAULT_MAX_WORK: u64 = 16_000_000;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_size: 8 * 1024 * 1024,
            max_depth: 32,
            max_bags: 1000,
            max_contents: 64,
            max_attributes: 64,
            max_iterations: 2_000_000,
            max_work: DEFAULT_MAX_WORK,
        }
    }
}

/// Reading an iteration count (an INTEGER) checked against [`Limits`]
/// before any use: the PKCS#12 rule the generic DER reader does not know.
pub(crate) trait IterationCount {
    /// The count, if it is 1 to [`Limits::max_iterations`].
    fn iterations(&self, what: &'static str, limits: &Limits) -> Result<u32, Error>;
}

impl IterationCount for Tlv<'_> {
    fn iterations(&self, what: &'static str, limits: &Limits) -> Result<u32, Error> {
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
}

/// The .NET 9+ default PKCS#12 loader limits (`Pkcs12LoaderLimits.Defaults`),
/// which decide whether the identity server can load a file.
///
/// This is the one definition of these values: `docs/consumers.md` gives
/// their sources, the writer stays inside them ([`crate::MAX_ITERATIONS`]),
/// and `pfxgen-core`'s `policy::dotnet` is the one place that checks a file
/// against them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DotNetLimits;

impl DotNetLimits {
    /// Highest MAC iteration count .NET accepts by default.
    pub const MAX_MAC_ITERATIONS: u64 = 300_000;
    /// Highest iteration count of any single KDF.
    pub const MAX_KDF_ITERATIONS: u64 = 300_000;
    /// Highest total of iteration counts across the file.
    pub const MAX_TOTAL_ITERATIONS: u64 = 1_000_000;
    /// Most keys.
    pub const MAX_KEYS: usize = 200;
    /// Most certificates.
    pub const MAX_CERTIFICATES: usize = 200;
    /// Older runtimes cap the total iterations of a password-less import.
    pub const MAX_PASSWORDLESS_TOTAL_ITERATIONS: u64 = 600_000;
}

#[cfg(test)]
mod tests {
    use pfxgen_asn1::Reader;

    use super::*;
    use crate::DerProblem;

    fn tlv(bytes: &[u8]) -> Result<Tlv<'_>, pfxgen_asn1::Error> {
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

    /// The reader's errors read as PFX errors once converted, with the same
    /// field and location.
    #[test]
    fn reader_errors_read_as_pfx_errors() {
        let data = [0x30, 0x05, 0x04, 0x03, 0x01, 0x02, 0x03];
        let mut r = Reader::top(&data, "the file");
        let mut inner = r.sequence("outer").unwrap().reader();
        inner.octet_string("inner").unwrap();
        let err = Error::from(inner.integer("missing").err().unwrap());
        assert_eq!(
            err.to_string(),
            "malformed PFX: missing at byte 7 of the file: expected an INTEGER, found the end of the structure"
        );
        let os = Reader::top(&data[2..], "the file")
            .octet_string("o")
            .unwrap();
        let err = Error::from(os.invalid("o", "too short"));
        assert_eq!(
            err.to_string(),
            "invalid PFX: o at byte 0 of the file: too short"
        );
    }
}
