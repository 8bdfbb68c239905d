//! Key derivation and MAC primitives: the PKCS#12 KDF, PBKDF2 and HMAC.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512, digest::block_api::EagerHash};
use zeroize::Zeroizing;

use crate::oid;

mod iterate;

/// Hash functions used by PKCS#12 MACs and KDFs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hash {
    /// SHA-1.
    ///
    /// ## Security warning
    /// Only for the legacy (`compat`) profile and for reading old files.
    /// HMAC-SHA1 and the PKCS#12 KDF over SHA-1 are not broken as such, but
    /// weak by today's standards.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// Digest length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Name as OpenSSL prints it (`sha256`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// The hash for a digest-algorithm OID (content bytes).
    pub(crate) fn from_digest_oid(bytes: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|h| h.digest_oid().as_bytes() == bytes)
    }

    /// The hash for an HMAC PRF OID (content bytes).
    pub(crate) fn from_hmac_oid(bytes: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|h| h.hmac_oid().as_bytes() == bytes)
    }

    /// Bytes the compression function consumes per call: 64 for SHA-1 and
    /// SHA-224/256, 128 for SHA-384/512.
    #[must_use]
    pub const fn block_len(self) -> usize {
        match self {
            Self::Sha1 | Self::Sha224 | Self::Sha256 => 64,
            Self::Sha384 | Self::Sha512 => 128,
        }
    }

    /// Work units one call of this hash's compression function costs. The
    /// unit is one SHA-256 compression (see [`crate::Limits::max_work`]).
    ///
    /// Measured with `cargo run --release -p pfxgen-pkcs12 --example
    /// work_calibration` on an x86-64 server with SHA extensions (which
    /// accelerate SHA-1 and SHA-256 but not SHA-512): a SHA-1 compression
    /// costs about what a SHA-256 one does, a SHA-384/512 compression about
    /// six times as much. Without SHA extensions SHA-512 is relatively
    /// cheaper, so the weight errs on the side of refusing early.
    #[must_use]
    pub const fn compression_weight(self) -> u64 {
        match self {
            Self::Sha1 | Self::Sha224 | Self::Sha256 => 1,
            Self::Sha384 | Self::Sha512 => 6,
        }
    }

    /// Compression-function calls to hash a message of `len` bytes,
    /// padding (a 0x80 byte and the 8- or 16-byte length) included.
    const fn message_blocks(self, len: usize) -> u64 {
        let length_field = match self {
            Self::Sha384 | Self::Sha512 => 16,
            _ => 8,
        };
        len.saturating_add(1 + length_field)
            .div_ceil(self.block_len()) as u64
    }

    /// Weighted work of `compressions` calls.
    const fn weigh(self, compressions: u64) -> u64 {
        compressions.saturating_mul(self.compression_weight())
    }

    const ALL: [Self; 5] = [
        Self::Sha1,
        Self::Sha224,
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
    ];

    /// The digest algorithm OID.
    #[must_use]
    pub const fn digest_oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// The `hmacWithSHA*` OID.
    #[must_use]
    pub const fn hmac_oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Self::Sha1 => oid::HMAC_SHA1,
            Self::Sha224 => oid::HMAC_SHA224,
            Self::Sha256 => oid::HMAC_SHA256,
            Self::Sha384 => oid::HMAC_SHA384,
            Self::Sha512 => oid::HMAC_SHA512,
        }
    }
}

macro_rules! dispatch {
    ($hash:expr, $f:ident ( $($arg:expr),* )) => {
        match $hash {
            Hash::Sha1 => $f::<Sha1>($($arg),*),
            Hash::Sha224 => $f::<Sha224>($($arg),*),
            Hash::Sha256 => $f::<Sha256>($($arg),*),
            Hash::Sha384 => $f::<Sha384>($($arg),*),
            Hash::Sha512 => $f::<Sha512>($($arg),*),
        }
    };
}

/// Like `dispatch!`, over the compression-function drivers in [`iterate`].
macro_rules! dispatch_core {
    ($hash:expr, $f:ident ( $($arg:expr),* )) => {
        match $hash {
            Hash::Sha1 => $f::<iterate::Sha1>($($arg),*),
            Hash::Sha224 => $f::<iterate::Sha224>($($arg),*),
            Hash::Sha256 => $f::<iterate::Sha256>($($arg),*),
            Hash::Sha384 => $f::<iterate::Sha384>($($arg),*),
            Hash::Sha512 => $f::<iterate::Sha512>($($arg),*),
        }
    };
}

/// Purpose byte of the PKCS#12 KDF (RFC 7292, Appendix B.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfPurpose {
    /// `ID = 1`: encryption key.
    Key = 1,
    /// `ID = 2`: initialisation vector.
    Iv = 2,
    /// `ID = 3`: MAC key.
    Mac = 3,
}

/// The PKCS#12 key derivation function (RFC 7292, Appendix B.2).
///
/// `password` is the BMPString form with terminator (see
/// [`crate::Password::bmp`]). The caller has already checked `iterations`
/// against its limits.
///
/// ## Security warning
/// RFC 7292 deprecates this KDF for new uses; pfxgen writes it only for the
/// MAC (which .NET requires) and the `compat` profile.
#[must_use]
pub fn pkcs12_kdf(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    purpose: KdfPurpose,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    dispatch_core!(
        hash,
        pkcs12_kdf_generic(password, salt, purpose as u8, iterations, len)
    )
}

fn pkcs12_kdf_generic<C: iterate::Core>(
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let v = C::BLOCK_LEN;
    let diversifier = Zeroizing::new(vec![id; v]);
    // S and P: salt and password repeated to a multiple of v bytes.
    let repeat = |input: &[u8]| -> Zeroizing<Vec<u8>> {
        if input.is_empty() {
            return Zeroizing::new(Vec::new());
        }
        let n = input.len().div_ceil(v) * v;
        Zeroizing::new(input.iter().copied().cycle().take(n).collect())
    };
    let mut i_buf = repeat(salt);
    i_buf.extend_from_slice(&repeat(password));

    let mut out = Zeroizing::new(vec![0u8; len]);
    let mut a = Zeroizing::new(C::ZERO);
    let mut chunks = out.chunks_mut(C::OUT_LEN).peekable();
    while let Some(chunk) = chunks.next() {
        iterate::pkcs12_iterate::<C>(&[&diversifier, &i_buf], iterations, &mut a);
        for (dst, src) in chunk.iter_mut().zip(a.as_ref()) {
            *dst = *src;
        }
        if chunks.peek().is_none() {
            break;
        }
        // B = A repeated to v bytes; each v-byte block I_j += B + 1.
        let digest = a.as_ref().get(..C::OUT_LEN).unwrap_or_default();
        let b: Zeroizing<Vec<u8>> =
            Zeroizing::new(digest.iter().copied().cycle().take(v).collect());
        for block in i_buf.chunks_mut(v) {
            let mut carry: u16 = 1;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum.to_le_bytes()[0];
                carry = sum >> 8;
            }
        }
    }
    out
}

/// PBKDF2 with HMAC over `hash` (RFC 8018, Section 5.2).
#[must_use]
pub fn pbkdf2(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    dispatch_core!(hash, pbkdf2_generic(password, salt, iterations, &mut out));
    out
}

fn pbkdf2_generic<C: iterate::Core>(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    iterate::pbkdf2::<C>(password, salt, iterations, out);
}

/// Work (in SHA-256 compressions, see [`Hash::compression_weight`]) of
/// [`pkcs12_kdf`] with a `password_len`-byte BMPString password: per output
/// block, one hash of the diversifier, salt and password blocks, then
/// `iterations - 1` hashes of one digest (one compression each).
#[must_use]
pub fn pkcs12_kdf_work(
    hash: Hash,
    password_len: usize,
    salt_len: usize,
    iterations: u32,
    len: usize,
) -> u64 {
    let v = hash.block_len();
    let round_up = |n: usize| n.div_ceil(v).saturating_mul(v);
    let input = v
        .saturating_add(round_up(salt_len))
        .saturating_add(round_up(password_len));
    let per_block = hash
        .message_blocks(input)
        .saturating_add(u64::from(iterations.saturating_sub(1)));
    let blocks = len.div_ceil(hash.output_len()) as u64;
    hash.weigh(blocks.saturating_mul(per_block))
}

/// Work of [`pbkdf2`] (HMAC keyed once with the password, so two
/// compressions per iteration per output block, plus the first iteration's
/// salt and the key set-up).
#[must_use]
pub fn pbkdf2_work(
    hash: Hash,
    password_len: usize,
    salt_len: usize,
    iterations: u32,
    len: usize,
) -> u64 {
    let b = hash.block_len();
    // The salt and the block index, after the ipad block; the outer hash of
    // one digest after the opad block is one compression.
    let first = hash
        .message_blocks(b.saturating_add(salt_len).saturating_add(4))
        .saturating_sub(1)
        .saturating_add(1);
    let rest = 2u64.saturating_mul(u64::from(iterations.saturating_sub(1)));
    let blocks = len.div_ceil(hash.output_len()) as u64;
    let per_block = first.saturating_add(rest);
    hash.weigh(hmac_key_setup(hash, password_len).saturating_add(blocks.saturating_mul(per_block)))
}

/// Work of [`hmac()`] over `data_len` bytes with a `key_len`-byte key.
#[must_use]
pub fn hmac_work(hash: Hash, key_len: usize, data_len: usize) -> u64 {
    let b = hash.block_len();
    let inner = hash
        .message_blocks(b.saturating_add(data_len))
        .saturating_sub(1);
    let outer = hash
        .message_blocks(b.saturating_add(hash.output_len()))
        .saturating_sub(1);
    hash.weigh(
        hmac_key_setup(hash, key_len)
            .saturating_add(inner)
            .saturating_add(outer),
    )
}

/// Compressions to key an HMAC: hash a long key, then the ipad and opad
/// blocks.
fn hmac_key_setup(hash: Hash, key_len: usize) -> u64 {
    let long_key = if key_len > hash.block_len() {
        hash.message_blocks(key_len)
    } else {
        0
    };
    long_key.saturating_add(2)
}

/// HMAC of `data` under `key`.
#[must_use]
pub fn hmac(hash: Hash, key: &[u8], data: &[u8]) -> Vec<u8> {
    dispatch!(hash, hmac_generic(key, data))
}

fn hmac_generic<D: EagerHash>(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    match <Hmac<D>>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Constant-time comparison of a computed MAC with the stored one.
#[must_use]
pub fn mac_matches(hash: Hash, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    dispatch!(hash, hmac_verify_generic(key, data, expected))
}

fn hmac_verify_generic<D: EagerHash>(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    match <Hmac<D>>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.verify_slice(expected).is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::hex;

    /// Vectors from RustCrypto's pkcs12 crate (tests/kdf.rs), which were
    /// checked against OpenSSL's `PKCS12_key_gen_utf8`.
    #[test]
    fn pkcs12_kdf_matches_openssl_vectors() {
        let pass = crate::Password::from_str_copy("ge@äheim").bmp();
        let salt = [1, 2, 3, 4, 5, 6, 7, 8];
        let cases = [
            (
                KdfPurpose::Key,
                32,
                "fae4d4957a3cc781e1180b9d4fb79c1e0c8579b746a3177e5b0768a3118bf863",
            ),
            (
                KdfPurpose::Iv,
                32,
                "e5ff813bc6547de5155b14d2fada85b3201a977349db6e26ccc998d9e8f83d6c",
            ),
            (
                KdfPurpose::Mac,
                32,
                "136355ed9434516682534f46d63956db5ff06b844702c2c1f3b46321e2524a4d",
            ),
            (
                KdfPurpose::Key,
                20,
                "fae4d4957a3cc781e1180b9d4fb79c1e0c8579b7",
            ),
        ];
        for (purpose, len, expected) in cases {
            assert_eq!(
                *pkcs12_kdf(Hash::Sha256, &pass, &salt, purpose, 100, len),
                hex(expected),
                "{purpose:?}"
            );
        }
    }

    /// Output longer than one hash block exercises the I_j += B + 1 step.
    #[test]
    fn pkcs12_kdf_multi_block_is_prefix_consistent() {
        let pass = crate::Password::from_str_copy("x").bmp();
        let long = pkcs12_kdf(Hash::Sha1, &pass, b"salt", KdfPurpose::Key, 3, 100);
        let short = pkcs12_kdf(Hash::Sha1, &pass, b"salt", KdfPurpose::Key, 3, 24);
        assert_eq!(&long[..24], &short[..]);
        assert_ne!(&long[20..40], &long[..20]);
    }

    /// The work formulas count what the textbook algorithms do.
    #[test]
    fn work_counts_compressions() {
        // PBKDF2-HMAC-SHA256, 16-byte salt, 1 block, 2048 iterations:
        // 2 (ipad/opad) + 1 (salt block) + 1 (outer) + 2 * 2047.
        assert_eq!(pbkdf2_work(Hash::Sha256, 8, 16, 2048, 32), 2 + 2 + 2 * 2047);
        // Two output blocks (a 64-byte key from SHA-256) double the loop.
        assert_eq!(
            pbkdf2_work(Hash::Sha256, 8, 16, 2048, 64),
            2 + 2 * (2 + 2 * 2047)
        );
        // SHA-512 weighs six times as much per compression.
        assert_eq!(
            pbkdf2_work(Hash::Sha512, 8, 16, 2_000_000, 32),
            6 * (2 + 2 + 2 * 1_999_999)
        );
        // PKCS#12 KDF over SHA-256, 8-byte salt, 10-byte BMP password:
        // D + S' + P' = 3 blocks of 64 bytes + padding block, then c - 1.
        assert_eq!(pkcs12_kdf_work(Hash::Sha256, 10, 8, 2048, 32), 4 + 2047);
        // 3DES key (24 bytes) over SHA-1 needs two 20-byte blocks.
        assert_eq!(pkcs12_kdf_work(Hash::Sha1, 10, 8, 100, 24), 2 * (4 + 99));
        // HMAC-SHA256 over 1000 bytes: ipad/opad, 16 data blocks, 1 outer.
        assert_eq!(hmac_work(Hash::Sha256, 32, 1000), 2 + 16 + 1);
    }

    /// RFC 6070 PBKDF2-HMAC-SHA1 test vector 2.
    #[test]
    fn pbkdf2_rfc6070() {
        assert_eq!(
            *pbkdf2(Hash::Sha1, b"password", b"salt", 2, 20),
            hex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957")
        );
    }

    /// RFC 4231 test case 2 (HMAC-SHA-256).
    #[test]
    fn hmac_rfc4231() {
        let data = b"what do ya want for nothing?";
        let mac = hmac(Hash::Sha256, b"Jefe", data);
        assert_eq!(
            mac,
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        assert!(mac_matches(Hash::Sha256, b"Jefe", data, &mac));
        assert!(!mac_matches(Hash::Sha256, b"Jefe", data, &mac[..31]));
    }

    /// Blocks to hash a message: the message, a 0x80 byte and the length
    /// field (8 bytes for SHA-1/224/256, 16 for SHA-384/512) must fit.
    #[test]
    fn message_blocks_count_the_padding_and_length_field() {
        assert_eq!(Hash::Sha256.message_blocks(55), 1);
        assert_eq!(Hash::Sha256.message_blocks(56), 2);
        assert_eq!(Hash::Sha1.message_blocks(119), 2);
        assert_eq!(Hash::Sha1.message_blocks(120), 3);
        assert_eq!(Hash::Sha512.message_blocks(111), 1);
        assert_eq!(Hash::Sha512.message_blocks(112), 2);
        assert_eq!(Hash::Sha384.message_blocks(112), 2);
    }
}
