//! CBC-mode block ciphers with PKCS#7 padding, and the RC4 stream cipher
//! (read only) of two old PKCS#12 PBE algorithms.

use aes::cipher::{
    BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit, block_padding::NoPadding,
};
use zeroize::Zeroizing;

/// The ciphers PKCS#12 files use, all in CBC mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cipher {
    /// AES-128-CBC.
    Aes128,
    /// AES-192-CBC.
    Aes192,
    /// AES-256-CBC.
    Aes256,
    /// Three-key triple DES (DES-EDE3-CBC).
    ///
    /// ## Security warning
    /// 64-bit blocks and 112-bit effective strength: legacy only.
    DesEde3,
    /// Two-key triple DES (PKCS#12 `pbeWithSHAAnd2-KeyTripleDES-CBC`).
    ///
    /// ## Security warning
    /// Legacy only (read).
    DesEde2,
    /// Single DES.
    ///
    /// ## Security warning
    /// 56-bit keys are brute-forceable: read only.
    Des,
    /// RC2 with an effective key length in bits (40 or 128 in PKCS#12).
    ///
    /// ## Security warning
    /// RC2-40 is trivially brute-forceable; read only (OpenSSL 1.x and
    /// Windows put certificates in it).
    Rc2 {
        /// Effective key bits.
        effective_bits: u16,
    },
    /// RC4 (ARCFOUR), a stream cipher: no IV, no padding. PKCS#12 PBE
    /// defines it with 128-bit and 40-bit keys; OpenSSL's
    /// `-keypbe PBE-SHA1-RC4-128` still writes it.
    ///
    /// ## Security warning
    /// RC4's keystream is biased (RFC 7465 bans it from TLS) and RC4-40 is
    /// brute-forceable: read only, and reported as a weak cipher.
    Rc4 {
        /// Key bits (40 or 128 in PKCS#12).
        key_bits: u16,
    },
}

impl Cipher {
    /// Key length in bytes.
    #[must_use]
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128 | Self::DesEde2 => 16,
            Self::Aes192 | Self::DesEde3 => 24,
            Self::Aes256 => 32,
            Self::Des => 8,
            Self::Rc2 { effective_bits } => (effective_bits as usize).div_ceil(8),
            Self::Rc4 { key_bits } => (key_bits as usize).div_ceil(8),
        }
    }

    /// Block (and IV) length in bytes; 0 for the stream cipher RC4.
    #[must_use]
    pub const fn block_len(self) -> usize {
        match self {
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
            Self::DesEde3 | Self::DesEde2 | Self::Des | Self::Rc2 { .. } => 8,
            Self::Rc4 { .. } => 0,
        }
    }

    /// A name for reports (`AES-256-CBC`, `3DES`, `RC2-40`...).
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Aes128 => "AES-128-CBC".to_owned(),
            Self::Aes192 => "AES-192-CBC".to_owned(),
            Self::Aes256 => "AES-256-CBC".to_owned(),
            Self::DesEde3 => "3DES-CBC".to_owned(),
            Self::DesEde2 => "2-key-3DES-CBC".to_owned(),
            Self::Des => "DES-CBC".to_owned(),
            Self::Rc2 { effective_bits } => format!("RC2-{effective_bits}-CBC"),
            Self::Rc4 { key_bits } => format!("RC4-{key_bits}"),
        }
    }

    /// Whether this cipher is considered weak today (everything but AES).
    #[must_use]
    pub const fn is_weak(self) -> bool {
        !matches!(self, Self::Aes128 | Self::Aes192 | Self::Aes256)
    }
}

/// Why a decryption failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecryptProblem {
    /// Empty, or not a whole number of blocks.
    Length,
    /// Padding bytes wrong: wrong key (password) or damaged data.
    Padding,
    /// Key or IV of the wrong size (a bug or a hostile parameter).
    KeyOrIv,
}

fn decrypt_mode<C>(cipher: C, iv: &[u8], buf: &mut [u8]) -> Result<(), DecryptProblem>
where
    cbc::Decryptor<C>: InnerIvInit<Inner = C> + BlockModeDecrypt,
    C: aes::cipher::BlockCipherDecrypt,
{
    let mode = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv)
        .map_err(|_| DecryptProblem::KeyOrIv)?;
    mode.decrypt_padded::<NoPadding>(buf)
        .map(|_| ())
        .map_err(|_| DecryptProblem::Length)
}

fn encrypt_mode<C>(cipher: C, iv: &[u8], buf: &mut [u8], len: usize) -> Result<(), DecryptProblem>
where
    cbc::Encryptor<C>: InnerIvInit<Inner = C> + BlockModeEncrypt,
    C: aes::cipher::BlockCipherEncrypt,
{
    let mode = cbc::Encryptor::<C>::inner_iv_slice_init(cipher, iv)
        .map_err(|_| DecryptProblem::KeyOrIv)?;
    mode.encrypt_padded::<NoPadding>(buf, len)
        .map(|_| ())
        .map_err(|_| DecryptProblem::Length)
}

fn init<C: KeyInit>(key: &[u8]) -> Result<C, DecryptProblem> {
    C::new_from_slice(key).map_err(|_| DecryptProblem::KeyOrIv)
}

fn rc2(key: &[u8], effective_bits: u16) -> Result<rc2::Rc2, DecryptProblem> {
    // rc2 panics outside these bounds; refuse instead.
    if key.is_empty() || key.len() > 128 || !(1..=1024).contains(&effective_bits) {
        return Err(DecryptProblem::KeyOrIv);
    }
    Ok(rc2::Rc2::new_with_eff_key_len(
        key,
        usize::from(effective_bits),
    ))
}

/// Runs the raw CBC operation (no padding) in place.
fn apply(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    buf: &mut [u8],
    encrypt: bool,
) -> Result<(), DecryptProblem> {
    if key.len() != cipher.key_len() || iv.len() != cipher.block_len() {
        return Err(DecryptProblem::KeyOrIv);
    }
    let len = buf.len();
    macro_rules! go {
        ($c:expr) => {
            if encrypt {
                encrypt_mode($c, iv, buf, len)
            } else {
                decrypt_mode($c, iv, buf)
            }
        };
    }
    match cipher {
        Cipher::Aes128 => go!(init::<aes::Aes128>(key)?),
        Cipher::Aes192 => go!(init::<aes::Aes192>(key)?),
        Cipher::Aes256 => go!(init::<aes::Aes256>(key)?),
        Cipher::DesEde3 => go!(init::<des::TdesEde3>(key)?),
        Cipher::DesEde2 => go!(init::<des::TdesEde2>(key)?),
        Cipher::Des => go!(init::<des::Des>(key)?),
        Cipher::Rc2 { effective_bits } => go!(rc2(key, effective_bits)?),
        // A stream cipher has no CBC mode; `decrypt` handles it first.
        Cipher::Rc4 { .. } => Err(DecryptProblem::KeyOrIv),
    }
}

/// One byte of the RC4 state; `i` is always in range (the state has 256
/// entries), so the fallback is never taken.
fn rc4_at(state: &[u8; 256], i: u8) -> u8 {
    state.get(usize::from(i)).copied().unwrap_or(0)
}

/// RC4 (ARCFOUR): XORs `buf` in place with the keystream of `key`
/// (1 to 256 bytes). Decryption and encryption are the same operation.
pub(crate) fn rc4(key: &[u8], buf: &mut [u8]) -> Result<(), DecryptProblem> {
    if key.is_empty() || key.len() > 256 {
        return Err(DecryptProblem::KeyOrIv);
    }
    // The state is key material: wiped on drop.
    let mut state = Zeroizing::new([0u8; 256]);
    for (slot, value) in state.iter_mut().zip(0u8..=255) {
        *slot = value;
    }
    // Key scheduling.
    let mut j = 0u8;
    for (i, k) in (0u8..=255).zip(key.iter().cycle()) {
        j = j.wrapping_add(rc4_at(&state, i)).wrapping_add(*k);
        state.swap(usize::from(i), usize::from(j));
    }
    // Keystream.
    let (mut i, mut j) = (0u8, 0u8);
    for byte in buf.iter_mut() {
        i = i.wrapping_add(1);
        j = j.wrapping_add(rc4_at(&state, i));
        state.swap(usize::from(i), usize::from(j));
        let index = rc4_at(&state, i).wrapping_add(rc4_at(&state, j));
        *byte ^= rc4_at(&state, index);
    }
    Ok(())
}

/// Decrypts CBC ciphertext and removes PKCS#7 padding; RC4 ciphertext is
/// only decrypted (a stream cipher has no padding to check: the caller's
/// plausibility check of the plaintext is all that tells a wrong key).
///
/// The padding check is not constant-time: pfxgen decrypts local files, so
/// there is no padding oracle for an attacker to query.
pub(crate) fn decrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptProblem> {
    if let Cipher::Rc4 { .. } = cipher {
        if key.len() != cipher.key_len() || !iv.is_empty() {
            return Err(DecryptProblem::KeyOrIv);
        }
        if ciphertext.is_empty() {
            return Err(DecryptProblem::Length);
        }
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        rc4(key, &mut buf)?;
        return Ok(buf);
    }
    let block = cipher.block_len();
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(block) {
        return Err(DecryptProblem::Length);
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    apply(cipher, key, iv, &mut buf, false)?;
    let pad = usize::from(*buf.last().ok_or(DecryptProblem::Length)?);
    if pad == 0 || pad > block || pad > buf.len() {
        return Err(DecryptProblem::Padding);
    }
    let body_len = buf.len() - pad;
    if buf
        .get(body_len..)
        .is_none_or(|tail| tail.iter().any(|b| usize::from(*b) != pad))
    {
        return Err(DecryptProblem::Padding);
    }
    buf.truncate(body_len);
    Ok(buf)
}

/// Pads with PKCS#7 and encrypts in CBC mode. RC4 is read only: refused.
pub(crate) fn encrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, DecryptProblem> {
    let block = cipher.block_len();
    if block == 0 {
        return Err(DecryptProblem::KeyOrIv);
    }
    let pad = block - plaintext.len() % block;
    let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + pad));
    buf.extend_from_slice(plaintext);
    buf.extend(core::iter::repeat_n(u8::try_from(pad).unwrap_or(0), pad));
    apply(cipher, key, iv, &mut buf, true)?;
    Ok(buf.to_vec())
}

#[cfg(test)]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::hex;

    /// Every block cipher (the vectors' tests use it too).
    pub(super) const ALL: [Cipher; 8] = [
        Cipher::Aes128,
        Cipher::Aes192,
        Cipher::Aes256,
        Cipher::DesEde3,
        Cipher::DesEde2,
        Cipher::Des,
        Cipher::Rc2 { effective_bits: 40 },
        Cipher::Rc2 {
            effective_bits: 128,
        },
    ];

    #[test]
    fn round_trip_every_cipher_and_length() {
        for cipher in ALL {
            let key: Vec<u8> = (0..cipher.key_len())
                .map(|i| u8::try_from(i).unwrap())
                .collect();
            let iv = vec![7u8; cipher.block_len()];
            for len in 0u8..40 {
                let pt: Vec<u8> = (0..len).map(|i: u8| i.wrapping_mul(3)).collect();
                let ct = encrypt(cipher, &key, &iv, &pt).unwrap();
                assert_eq!(ct.len() % cipher.block_len(), 0);
                assert!(ct.len() > pt.len());
                assert_eq!(
                    *decrypt(cipher, &key, &iv, &ct).unwrap(),
                    pt,
                    "{cipher:?} {len}"
                );
            }
        }
    }

    /// NIST SP 800-38A F.2.5, CBC-AES256.Encrypt, first block.
    #[test]
    fn aes256_cbc_known_answer() {
        let h = |s: &str| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let key = h("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv = h("000102030405060708090a0b0c0d0e0f");
        let mut buf = h("6bc1bee22e409f96e93d7e117393172a");
        apply(Cipher::Aes256, &key, &iv, &mut buf, true).unwrap();
        assert_eq!(buf, h("f58c4c04d6e5f1ba779eabfb5f7bfbd6"));
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let key = [0u8; 32];
        let iv = [0u8; 16];
        assert_eq!(
            decrypt(Cipher::Aes256, &key, &iv, &[]).unwrap_err(),
            DecryptProblem::Length
        );
        assert_eq!(
            decrypt(Cipher::Aes256, &key, &iv, &[0; 15]).unwrap_err(),
            DecryptProblem::Length
        );
        assert_eq!(
            decrypt(Cipher::Aes256, &key, &[0; 15], &[0; 16]).unwrap_err(),
            DecryptProblem::KeyOrIv
        );
        assert_eq!(
            decrypt(Cipher::Aes256, &key, &[0; 17], &[0; 16]).unwrap_err(),
            DecryptProblem::KeyOrIv
        );
        assert_eq!(
            decrypt(Cipher::Aes256, &key[..16], &iv, &[0; 16]).unwrap_err(),
            DecryptProblem::KeyOrIv
        );
        assert_eq!(rc2(&[], 40).unwrap_err(), DecryptProblem::KeyOrIv);
        assert_eq!(rc2(&[1; 5], 0).unwrap_err(), DecryptProblem::KeyOrIv);
        // The wrong key: `vectors::the_wrong_key_never_gives_the_plaintext_back`.
    }

    /// RFC 6229 (Test Vectors for the Stream Cipher RC4), Section 2: the
    /// keystream (RC4 of zero bytes) at offsets 0, 16, 1008 and 1024 for
    /// the 40-bit key 0x0102030405 and the 128-bit key 0x01..0x10. The same
    /// bytes come out of `openssl enc -rc4 -K ...` over zeros.
    #[test]
    fn rc4_rfc6229_keystream() {
        let cases = [
            (
                "0102030405",
                [
                    (0, "b2396305f03dc027ccc3524a0a1118a8"),
                    (16, "6982944f18fc82d589c403a47a0d0919"),
                ],
            ),
            (
                "0102030405060708090a0b0c0d0e0f10",
                [
                    (0, "9ac7cc9a609d1ef7b2932899cde41b97"),
                    (16, "5248c4959014126a6e8a84f11d1a9e1c"),
                ],
            ),
        ];
        for (key, expected) in cases {
            let mut stream = vec![0u8; 1040];
            rc4(&hex(key), &mut stream).unwrap();
            for (offset, bytes) in expected {
                assert_eq!(&stream[offset..offset + 16], hex(bytes), "{key} @{offset}");
            }
        }
        let mut stream = vec![0u8; 1040];
        rc4(&hex("0102030405060708090a0b0c0d0e0f10"), &mut stream).unwrap();
        assert_eq!(&stream[1008..1024], hex("e7a72574f8782ae26aabcf9ebcd66065"));
        assert_eq!(&stream[1024..1040], hex("bdf0324e6083dcc6d3cedd3ca8c53c16"));
    }

    #[test]
    fn rc4_is_read_only_and_checks_its_key() {
        let rc4_128 = Cipher::Rc4 { key_bits: 128 };
        assert_eq!(rc4_128.key_len(), 16);
        assert_eq!(Cipher::Rc4 { key_bits: 40 }.key_len(), 5);
        assert_eq!(rc4_128.block_len(), 0);
        assert!(rc4_128.is_weak());
        assert_eq!(rc4_128.name(), "RC4-128");
        assert_eq!(
            encrypt(rc4_128, &[1; 16], &[], b"x").unwrap_err(),
            DecryptProblem::KeyOrIv
        );
        // Decryption is the keystream XOR: no padding is removed.
        let mut ct = b"plaintext".to_vec();
        rc4(&[7; 16], &mut ct).unwrap();
        assert_eq!(
            decrypt(rc4_128, &[7; 16], &[], &ct).unwrap().as_slice(),
            b"plaintext"
        );
        assert_eq!(
            decrypt(rc4_128, &[7; 5], &[], &ct).unwrap_err(),
            DecryptProblem::KeyOrIv
        );
        assert_eq!(
            decrypt(rc4_128, &[7; 16], &[0; 8], &ct).unwrap_err(),
            DecryptProblem::KeyOrIv
        );
        assert_eq!(
            decrypt(rc4_128, &[7; 16], &[], &[]).unwrap_err(),
            DecryptProblem::Length
        );
        assert_eq!(rc4(&[], &mut ct).unwrap_err(), DecryptProblem::KeyOrIv);
        assert_eq!(
            rc4(&[0; 257], &mut ct).unwrap_err(),
            DecryptProblem::KeyOrIv
        );
    }

    /// RC4 keys are 1 to 256 bytes.
    #[test]
    fn rc4_key_length_bounds() {
        let mut buf = [0u8; 4];
        assert!(rc4(&[7; 256], &mut buf).is_ok());
        assert!(rc4(&[7; 257], &mut buf).is_err());
        assert!(rc4(&[], &mut buf).is_err());
        assert!(rc4(&[7; 1], &mut buf).is_ok());
    }
}
