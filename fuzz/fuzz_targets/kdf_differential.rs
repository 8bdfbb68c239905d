//! Fuzz target: pfxgen's PBKDF2 and PKCS#12 KDF (driven through the hash
//! crates' compression functions) against independent implementations: the
//! `pbkdf2` crate over the `hmac` crate, and RFC 7292 Appendix B.2 written
//! out over `Digest`. Any difference is a crash.
//!
//! Input: byte 0 picks the hash and the KDF, byte 1 the iterations (1..=32),
//! byte 2 the output length (1..=256), byte 3 where the password ends; the
//! rest is password then salt.
#![no_main]
#![forbid(unsafe_code)]

use pfxgen_pkcs12::{
    Hash,
    kdf::{self, KdfPurpose},
};
use sha2::Digest;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
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
        let expected = reference_pkcs12(hash, password, salt, purpose as u8, iterations, len);
        let got = kdf::pkcs12_kdf(hash, password, salt, purpose, iterations, len);
        assert_eq!(*got, expected, "PKCS#12 KDF {hash:?}");
    }
});

const HASHES: [Hash; 5] = [
    Hash::Sha1,
    Hash::Sha224,
    Hash::Sha256,
    Hash::Sha384,
    Hash::Sha512,
];

fn reference_pbkdf2(hash: Hash, password: &[u8], salt: &[u8], c: u32, out: &mut [u8]) {
    match hash {
        Hash::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, c, out),
        Hash::Sha224 => pbkdf2::pbkdf2_hmac::<sha2::Sha224>(password, salt, c, out),
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, c, out),
        Hash::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, c, out),
        _ => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, c, out),
    }
}

fn reference_pkcs12(hash: Hash, p: &[u8], s: &[u8], id: u8, c: u32, n: usize) -> Vec<u8> {
    match hash {
        Hash::Sha1 => textbook_pkcs12::<sha1::Sha1>(64, p, s, id, c, n),
        Hash::Sha224 => textbook_pkcs12::<sha2::Sha224>(64, p, s, id, c, n),
        Hash::Sha256 => textbook_pkcs12::<sha2::Sha256>(64, p, s, id, c, n),
        Hash::Sha384 => textbook_pkcs12::<sha2::Sha384>(128, p, s, id, c, n),
        _ => textbook_pkcs12::<sha2::Sha512>(128, p, s, id, c, n),
    }
}

/// RFC 7292, Appendix B.2, step by step.
fn textbook_pkcs12<D: Digest>(v: usize, p: &[u8], s: &[u8], id: u8, c: u32, n: usize) -> Vec<u8> {
    let stretch = |x: &[u8]| -> Vec<u8> {
        let len = v * x.len().div_ceil(v);
        x.iter().copied().cycle().take(len).collect()
    };
    let d = vec![id; v];
    let mut i = stretch(s);
    i.extend(stretch(p));
    let mut out = Vec::new();
    while out.len() < n {
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
