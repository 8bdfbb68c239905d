//! The tuned key derivations (`kdf.rs`, `kdf/iterate.rs`) against the
//! standard vectors and, differentially, against independent
//! implementations: the `pbkdf2` crate (RustCrypto, over the `hmac` crate)
//! for PBKDF2, and a textbook RFC 7292 Appendix B.2 PKCS#12 KDF written out
//! over the `sha1`/`sha2` crates' `Digest` (`common/kdf_oracles.rs`, shared
//! with the `kdf_differential` fuzz target, whose seeds are replayed here).
//! Lengths cross every block and padding boundary of every hash.

use pfxgen_keygen::fuzzing::replay;
use pfxgen_pkcs12::{
    Hash,
    kdf::{self, KdfPurpose},
    testing::hex,
};

mod common {
    pub mod kdf_oracles;
}
use common::kdf_oracles::{HASHES, differential, reference_pbkdf2, reference_pkcs12_kdf};

/// RFC 6070, Section 2: PBKDF2-HMAC-SHA1. (The 16,777,216-iteration vector
/// is left out: it would dominate the test run; 4096 iterations already
/// exercise the loop.)
#[test]
fn pbkdf2_hmac_sha1_rfc6070_vectors() {
    let cases: [(&[u8], &[u8], u32, &str); 5] = [
        (
            b"password",
            b"salt",
            1,
            "0c60c80f961f0e71f3a9b524af6012062fe037a6",
        ),
        (
            b"password",
            b"salt",
            2,
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
        ),
        (
            b"password",
            b"salt",
            4096,
            "4b007901b765489abead49d926f721d065a429c1",
        ),
        (
            b"passwordPASSWORDpassword",
            b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
            4096,
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
        ),
        (
            b"pass\0word",
            b"sa\0lt",
            4096,
            "56fa6aa75548099dcc37d7f03425e0c3",
        ),
    ];
    for (password, salt, iterations, expected) in cases {
        let expected = hex(expected);
        let got = kdf::pbkdf2(Hash::Sha1, password, salt, iterations, expected.len());
        assert_eq!(
            *got,
            expected,
            "c = {iterations}, dkLen = {}",
            expected.len()
        );
    }
}

/// RFC 7914, Section 11: PBKDF2-HMAC-SHA256, 64-byte output (two blocks).
#[test]
fn pbkdf2_hmac_sha256_rfc7914_vectors() {
    let cases: [(&[u8], &[u8], u32, &str); 2] = [
        (
            b"passwd",
            b"salt",
            1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        ),
        (
            b"Password",
            b"NaCl",
            80_000,
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56\
             a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
        ),
    ];
    for (password, salt, iterations, expected) in cases {
        let expected = hex(expected);
        let got = kdf::pbkdf2(Hash::Sha256, password, salt, iterations, 64);
        assert_eq!(*got, expected, "c = {iterations}");
    }
}

/// Deterministic test inputs (xorshift64*).
struct Bytes(u64);

impl Bytes {
    fn take(&mut self, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                self.0.wrapping_mul(0x2545_F491_4F6C_DD1D).to_be_bytes()[0]
            })
            .collect()
    }
}

/// Password lengths around the block sizes (keys longer than a block are
/// hashed first), salt lengths around the padding boundaries of the first
/// message (salt + 4-byte index after a 64- or 128-byte key block), outputs
/// of one, several and partial blocks.
#[test]
fn pbkdf2_matches_the_pbkdf2_crate() {
    let mut rng = Bytes(0x9E37_79B9_7F4A_7C15);
    let password_lens = [0, 1, 20, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 300];
    let salt_lens = [0, 1, 8, 16, 51, 52, 55, 56, 60, 64, 107, 108, 119, 120, 200];
    for hash in HASHES {
        for (i, &pl) in password_lens.iter().enumerate() {
            for (j, &sl) in salt_lens.iter().enumerate() {
                let password = rng.take(pl);
                let salt = rng.take(sl);
                let iterations = [1, 2, 3, 17][(i + j) % 4];
                let len = [1, 16, 20, 32, 33, 48, 64, 65, 129][(i * 3 + j) % 9];
                let mut expected = vec![0; len];
                reference_pbkdf2(hash, &password, &salt, iterations, &mut expected);
                let got = kdf::pbkdf2(hash, &password, &salt, iterations, len);
                assert_eq!(
                    *got, expected,
                    "{hash:?} p={pl} s={sl} c={iterations} len={len}"
                );
            }
        }
        // A longer run of the iteration loop.
        let mut expected = vec![0; 40];
        reference_pbkdf2(hash, b"password", b"salt", 2048, &mut expected);
        assert_eq!(*kdf::pbkdf2(hash, b"password", b"salt", 2048, 40), expected);
    }
}

#[test]
fn pkcs12_kdf_matches_the_textbook_algorithm() {
    let mut rng = Bytes(0xD1B5_4A32_D192_ED03);
    let purposes = [KdfPurpose::Key, KdfPurpose::Iv, KdfPurpose::Mac];
    let password_lens = [0, 2, 14, 62, 64, 66, 128, 130, 260];
    let salt_lens = [0, 1, 8, 16, 20, 64, 65, 129];
    for hash in HASHES {
        for (i, &pl) in password_lens.iter().enumerate() {
            for (j, &sl) in salt_lens.iter().enumerate() {
                let password = rng.take(pl);
                let salt = rng.take(sl);
                let purpose = purposes[(i + j) % 3];
                let iterations = [1, 2, 5, 33][(i + 2 * j) % 4];
                let len = [1, 8, 20, 24, 32, 48, 64, 100, 200][(i + j) % 9];
                let expected =
                    reference_pkcs12_kdf(hash, &password, &salt, purpose as u8, iterations, len);
                let got = kdf::pkcs12_kdf(hash, &password, &salt, purpose, iterations, len);
                assert_eq!(
                    *got, expected,
                    "{hash:?} p={pl} s={sl} c={iterations} len={len}"
                );
            }
        }
    }
}

/// The committed `kdf_differential` seeds, through the fuzz target itself.
#[test]
fn replay_kdf_differential() {
    replay("kdf_differential", differential);
}
