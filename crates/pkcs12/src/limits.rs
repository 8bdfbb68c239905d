/// Resource limits for decoding, all checked *before* the work they bound.
///
/// Every PFX an operator is likely to meet is far inside these; a file
/// outside them is refused with [`crate::Error::LimitExceeded`] or
/// [`crate::Error::IterationCount`] naming the limit. SECURITY.md explains
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
    /// Highest total derivation cost one open may run: each derivation
    /// counts its iteration count once per hash block it produces (PBKDF2
    /// output blocks; the PKCS#12 KDF's key and IV blocks), times the
    /// password forms tried. Default 10,000,000.
    pub max_total_iterations: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_size: 8 * 1024 * 1024,
            max_depth: 32,
            max_bags: 1000,
            max_contents: 64,
            max_attributes: 64,
            max_iterations: 2_000_000,
            max_total_iterations: 10_000_000,
        }
    }
}

/// The .NET 9+ default PKCS#12 loader limits (`Pkcs12LoaderLimits.Defaults`),
/// which decide whether the identity server can load a file.
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
