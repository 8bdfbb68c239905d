//! Known-answer vectors for every cipher from published sources, and the
//! PKCS#7 padding checks of [`super::decrypt`] driven directly, each with
//! ciphertext whose only fault is the one under test.

use super::{Cipher, DecryptProblem, apply, decrypt, encrypt, rc2, tests::ALL};
use crate::testing::hex;

/// Encrypts `plain` (whole blocks) in CBC mode and checks both directions.
#[track_caller]
fn known_answer(cipher: Cipher, key: &str, iv: &str, plain: &str, expected: &str) {
    let (key, iv, plain, expected) = (hex(key), hex(iv), hex(plain), hex(expected));
    let mut buf = plain.clone();
    apply(cipher, &key, &iv, &mut buf, true).unwrap();
    assert_eq!(buf, expected, "{cipher:?} encrypt");
    apply(cipher, &key, &iv, &mut buf, false).unwrap();
    assert_eq!(buf, plain, "{cipher:?} decrypt");
}

/// ECB vectors run as single-block CBC with a zero IV (the same thing).
#[track_caller]
fn known_answer_ecb(cipher: Cipher, key: &str, plain: &str, expected: &str) {
    let zero_iv = "00".repeat(cipher.block_len());
    let (plain, expected) = (hex(plain), hex(expected));
    let block = cipher.block_len();
    for (p, c) in plain.chunks(block).zip(expected.chunks(block)) {
        let to_hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        known_answer(cipher, key, &zero_iv, &to_hex(p), &to_hex(c));
    }
}

/// NIST SP 800-38A, Appendix F.2.1 / F.2.3 / F.2.5 (CBC-AES128/192/256.Encrypt).
#[test]
fn aes_cbc_nist_sp800_38a() {
    let iv = "000102030405060708090a0b0c0d0e0f";
    let plain = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    known_answer(
        Cipher::Aes128,
        "2b7e151628aed2a6abf7158809cf4f3c",
        iv,
        plain,
        "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2
         73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
    );
    known_answer(
        Cipher::Aes192,
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        iv,
        plain,
        "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a
         571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd",
    );
    known_answer(
        Cipher::Aes256,
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        iv,
        plain,
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
         39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b",
    );
}

/// FIPS 81 (DES modes of operation), Appendix C, Table C1: CBC encryption
/// of "Now is the time for all ".
#[test]
fn des_cbc_fips81() {
    known_answer(
        Cipher::Des,
        "0123456789abcdef",
        "1234567890abcdef",
        "4e6f772069732074 68652074696d6520 666f7220616c6c20",
        "e5c7cdde872bf27c 43e934008c389c0f 683788499a7c05f6",
    );
}

/// NIST SP 800-67 Rev. 1, Appendix B (TDEA ECB, three distinct keys):
/// "The qufck brown fox jump".
#[test]
fn three_key_triple_des_nist_sp800_67() {
    known_answer_ecb(
        Cipher::DesEde3,
        "0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123",
        "5468652071756663 6B2062726F776E20 666F78206A756D70",
        "A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900",
    );
}

/// Two-key TDEA (K3 = K1) with the SP 800-67 keys K1, K2 and plaintext.
/// Expected values from an independent implementation: OpenSSL 3.0
/// `openssl enc -des-ede-ecb -K 0123456789ABCDEF23456789ABCDEF01 -nopad`,
/// equal to `-des-ede3-ecb` with the key K1 K2 K1.
#[test]
fn two_key_triple_des_matches_openssl() {
    known_answer_ecb(
        Cipher::DesEde2,
        "0123456789ABCDEF 23456789ABCDEF01",
        "5468652071756663 6B2062726F776E20 666F78206A756D70",
        "c44862f70cf2fbdc 9077d0909fa91b88 4cabd61fc58e0cbb",
    );
}

/// RFC 2268 Section 5 (RC2 ECB) vectors whose key length in bytes is the
/// effective key length rounded up, as [`Cipher::key_len`] requires: the
/// first has 63 effective bits under an 8-byte key, the last 128 bits.
#[test]
fn rc2_rfc2268() {
    for (bits, key, plain, expected) in [
        (
            63,
            "0000000000000000",
            "0000000000000000",
            "ebb773f993278eff",
        ),
        (
            64,
            "ffffffffffffffff",
            "ffffffffffffffff",
            "278b27e42e2f0d49",
        ),
        (
            64,
            "3000000000000000",
            "1000000000000001",
            "30649edf9be7d2c2",
        ),
        (
            128,
            "88bca90e90875a7f0f79c384627bafb2",
            "0000000000000000",
            "2269552ab0f85ca6",
        ),
    ] {
        known_answer_ecb(
            Cipher::Rc2 {
                effective_bits: bits,
            },
            key,
            plain,
            expected,
        );
    }
}

/// RC2-40 (what OpenSSL 1.x and Windows used for certificates): RFC 2268
/// has no 40-bit vector, so the expected values come from OpenSSL 3.0,
/// `openssl enc -rc2-40-cbc -provider legacy -provider default
/// -K 0102030405 -iv <iv> -nopad`.
#[test]
fn rc2_40_cbc_matches_openssl() {
    let rc2_40 = Cipher::Rc2 { effective_bits: 40 };
    known_answer(
        rc2_40,
        "0102030405",
        "0000000000000000",
        "0000000000000000",
        "269b2c0070a1cb64",
    );
    known_answer(
        rc2_40,
        "0102030405",
        "0001020304050607",
        "1122334455667788",
        "a839f6858e75f380",
    );
}

/// The `rc2` crate panics outside 1..=128 key bytes and 1..=1024 effective
/// bits: both ends of both ranges.
#[test]
fn rc2_key_and_effective_length_bounds() {
    assert!(rc2(&[1; 128], 1024).is_ok());
    assert!(rc2(&[1; 1], 1).is_ok());
    for (key_len, bits) in [(129, 1024), (0, 40), (5, 0), (5, 1025)] {
        assert!(
            matches!(rc2(&vec![1; key_len], bits), Err(DecryptProblem::KeyOrIv)),
            "{key_len} bytes, {bits} bits"
        );
    }
    // RC2 itself takes any key length: the cipher's own length is enforced
    // before it (16 bytes for RC2-40 is refused, as is 8 for AES-128).
    for (cipher, key_len) in [
        (Cipher::Rc2 { effective_bits: 40 }, 16),
        (Cipher::Aes128, 8),
    ] {
        let iv = vec![0; cipher.block_len()];
        assert_eq!(
            decrypt(cipher, &vec![1; key_len], &iv, &[0; 16]).unwrap_err(),
            DecryptProblem::KeyOrIv,
            "{cipher:?}"
        );
    }
}

#[test]
fn only_aes_is_not_weak() {
    for cipher in ALL {
        let aes = matches!(cipher, Cipher::Aes128 | Cipher::Aes192 | Cipher::Aes256);
        assert_eq!(cipher.is_weak(), !aes, "{cipher:?}");
    }
}

// --- PKCS#7 padding -------------------------------------------------------------

const KEY: [u8; 16] = [0x42; 16];
const IV: [u8; 16] = [0x24; 16];

/// Encrypts `plain` (whole blocks, its own "padding" included) without
/// padding, so that `decrypt` sees exactly these bytes after decryption.
fn raw(plain: &[u8]) -> Vec<u8> {
    let mut buf = plain.to_vec();
    apply(Cipher::Aes128, &KEY, &IV, &mut buf, true).unwrap();
    buf
}

fn open(plain: &[u8]) -> Result<Vec<u8>, DecryptProblem> {
    decrypt(Cipher::Aes128, &KEY, &IV, &raw(plain)).map(|p| p.to_vec())
}

#[test]
fn padding_that_is_right_is_removed() {
    // One to sixteen padding bytes, including a whole block of them.
    for pad in 1u8..=16 {
        let mut plain = vec![0xAB; 32 - usize::from(pad)];
        plain.extend(std::iter::repeat_n(pad, usize::from(pad)));
        assert_eq!(open(&plain).unwrap(), vec![0xAB; 32 - usize::from(pad)]);
    }
    let mut one_block = vec![16u8; 16];
    assert_eq!(open(&one_block).unwrap(), Vec::<u8>::new());
    one_block[0] = 0xAB;
    assert_eq!(open(&one_block).unwrap_err(), DecryptProblem::Padding);
}

#[test]
fn padding_byte_zero_is_refused() {
    let mut plain = vec![0xAB; 32];
    plain[31] = 0;
    assert_eq!(open(&plain).unwrap_err(), DecryptProblem::Padding);
    // Even when everything is zero (a zero pad is "consistent").
    assert_eq!(open(&[0; 32]).unwrap_err(), DecryptProblem::Padding);
}

#[test]
fn padding_longer_than_the_block_is_refused() {
    // 17 bytes of 0x11 would be self-consistent padding if only the buffer
    // length were checked; a block is 16.
    let mut plain = vec![0xAB; 15];
    plain.extend([0x11; 17]);
    assert_eq!(open(&plain).unwrap_err(), DecryptProblem::Padding);
    // 32 bytes of 0x20: the whole buffer, still longer than a block.
    assert_eq!(open(&[0x20; 32]).unwrap_err(), DecryptProblem::Padding);
    // Longer than the whole buffer.
    assert_eq!(open(&[0xFF; 16]).unwrap_err(), DecryptProblem::Padding);
    // 8-byte blocks: 9 bytes of 0x09.
    let key = [1u8; 24];
    let iv = [2u8; 8];
    let mut buf = vec![0xAB; 7];
    buf.extend([9u8; 9]);
    apply(Cipher::DesEde3, &key, &iv, &mut buf, true).unwrap();
    assert_eq!(
        decrypt(Cipher::DesEde3, &key, &iv, &buf).unwrap_err(),
        DecryptProblem::Padding
    );
}

#[test]
fn inconsistent_padding_bytes_are_refused() {
    // The last byte says 4, one of the three before it differs.
    for wrong in 28..31 {
        let mut plain = vec![0xAB; 28];
        plain.extend([4u8; 4]);
        plain[wrong] = 5;
        assert_eq!(
            open(&plain).unwrap_err(),
            DecryptProblem::Padding,
            "{wrong}"
        );
    }
    // A full block of padding with its first byte wrong.
    let mut plain = vec![0xAB; 16];
    plain.extend([16u8; 16]);
    plain[16] = 15;
    assert_eq!(open(&plain).unwrap_err(), DecryptProblem::Padding);
}

#[test]
fn the_wrong_key_never_gives_the_plaintext_back() {
    // With this key the result is a padding error; pinned so that a
    // decryption that ignored the key would be noticed.
    let ct = encrypt(Cipher::Aes128, &KEY, &IV, b"secret data").unwrap();
    let wrong = [0x43u8; 16];
    assert_eq!(
        decrypt(Cipher::Aes128, &wrong, &IV, &ct).unwrap_err(),
        DecryptProblem::Padding
    );
    assert_eq!(
        decrypt(Cipher::Aes128, &KEY, &IV, &ct).unwrap().as_slice(),
        b"secret data"
    );
}
