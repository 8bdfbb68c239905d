//! CBC-mode block ciphers with PKCS#7 padding.

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
        }
    }

    /// Block (and IV) length in bytes.
    #[must_use]
    pub const fn block_len(self) -> usize {
        match self {
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
            Self::DesEde3 | Self::DesEde2 | Self::Des | Self::Rc2 { .. } => 8,
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
    }
}

/// Decrypts CBC ciphertext and removes PKCS#7 padding.
///
/// The padding check is not constant-time: pfxgen decrypts local files, so
/// there is no padding oracle for an attacker to query.
pub(crate) fn decrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptProblem> {
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

/// Pads with PKCS#7 and encrypts in CBC mode.
pub(crate) fn encrypt(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, DecryptProblem> {
    let block = cipher.block_len();
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

    const ALL: [Cipher; 8] = [
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
}
