//! Independent oracles for pfxgen's key derivations: the `pbkdf2` crate
//! (RustCrypto, over the `hmac` crate) for PBKDF2, and RFC 7292 Appendix B.2
//! written out here over the `sha1`/`sha2` crates' `Digest` for the PKCS#12
//! KDF. Shared, as one file, by `tests/kdf.rs` (fixed inputs, and the
//! committed corpus through [`differential`]) and the `kdf_differential`
//! fuzz target, which includes it by path.

#![allow(clippy::indexing_slicing, clippy::unreachable)]

use pfxgen_pkcs12::{
    Hash,
    kdf::{self, KdfPurpose},
};
use sha2::Digest;

/// Every hash the KDFs take.
pub const HASHES: [Hash; 5] = [
    Hash::Sha1,
    Hash::Sha224,
    Hash::Sha256,
    Hash::Sha384,
    Hash::Sha512,
];

/// The `kdf_differential` fuzz target. Byte 0 picks the hash and the KDF,
/// byte 1 the iterations (1..=32), byte 2 the output length (1..=256), byte
/// 3 where the password ends; the rest is password then salt. Any
/// difference from the oracles panics.
pub fn differential(data: &[u8]) {
    let [select, c, len, split, rest @ ..] = data else {
        return;
    };
    let hash = HASHES[usize::from(*select) % HASHES.len()];
    let iterations = u32::from(*c % 32) + 1;
    let len = usize::from(*len) + 1;
    let (password, salt) = rest.split_at(usize::from(*split).min(rest.len()));
    if select & 0x80 == 0 {
        let mut expected = vec![0; len];
        reference_pbkdf2(hash, password, salt, iterations, &mut expected);
        let got = kdf::pbkdf2(hash, password, salt, iterations, len);
        assert_eq!(*got, expected, "PBKDF2 {hash:?}");
    } else {
        let purpose = [KdfPurpose::Key, KdfPurpose::Iv, KdfPurpose::Mac][usize::from(*c) % 3];
        let expected = reference_pkcs12_kdf(hash, password, salt, purpose as u8, iterations, len);
        let got = kdf::pkcs12_kdf(hash, password, salt, purpose, iterations, len);
        assert_eq!(*got, expected, "PKCS#12 KDF {hash:?}");
    }
}

/// PBKDF2-HMAC-`hash` from the `pbkdf2` crate, into `out`.
pub fn reference_pbkdf2(hash: Hash, password: &[u8], salt: &[u8], c: u32, out: &mut [u8]) {
    match hash {
        Hash::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, c, out),
        Hash::Sha224 => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(password, salt, c, out),
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, c, out),
        Hash::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, c, out),
        Hash::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, c, out),
        _ => unreachable!("a hash the oracles do not know"),
    }
}

/// The PKCS#12 KDF over `hash`, step by step (see [`textbook_pkcs12_kdf`]).
pub fn reference_pkcs12_kdf(hash: Hash, p: &[u8], s: &[u8], id: u8, c: u32, n: usize) -> Vec<u8> {
    match hash {
        Hash::Sha1 => textbook_pkcs12_kdf::<sha1::Sha1>(64, p, s, id, c, n),
        Hash::Sha224 => textbook_pkcs12_kdf::<sha2::Sha224>(64, p, s, id, c, n),
        Hash::Sha256 => textbook_pkcs12_kdf::<sha2::Sha256>(64, p, s, id, c, n),
        Hash::Sha384 => textbook_pkcs12_kdf::<sha2::Sha384>(128, p, s, id, c, n),
        Hash::Sha512 => textbook_pkcs12_kdf::<sha2::Sha512>(128, p, s, id, c, n),
        _ => unreachable!("a hash the oracles do not know"),
    }
}

/// RFC 7292, Appendix B.2, step by step over `Digest` (`v` is the hash's
/// block size in bytes).
fn textbook_pkcs12_kdf<D: Digest>(
    v: usize,
    password: &[u8],
    salt: &[u8],
    id: u8,
    c: u32,
    n: usize,
) -> Vec<u8> {
    let u = <D as Digest>::output_size();
    let d = vec![id; v];
    let stretch = |x: &[u8]| -> Vec<u8> {
        let len = v * x.len().div_ceil(v);
        x.iter().copied().cycle().take(len).collect()
    };
    let mut i = stretch(salt);
    i.extend(stretch(password));
    let mut out = Vec::new();
    for _ in 0..n.div_ceil(u) {
        let mut a = D::new()
            .chain_update(&d)
            .chain_update(&i)
            .finalize()
            .to_vec();
        for _ in 1..c {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for block in i.chunks_mut(v) {
            // I_j = (I_j + B + 1) mod 2^(8v), as big-endian integers.
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = sum.to_le_bytes()[0];
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}
