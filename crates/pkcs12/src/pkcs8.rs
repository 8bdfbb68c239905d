//! Encrypted PKCS#8 (`EncryptedPrivateKeyInfo`, RFC 5958 Section 3), the
//! structure inside a `pkcs8ShroudedKeyBag`, also found on its own in `.p8`
//! and `ENCRYPTED PRIVATE KEY` files.
//!
//! ```text
//! EncryptedPrivateKeyInfo ::= SEQUENCE {
//!     encryptionAlgorithm  EncryptionAlgorithmIdentifier,
//!     encryptedData        EncryptedData }
//! ```

use pfxgen_keygen::PrivateKey;

use crate::{
    Error, Limits, Password, ber,
    encryption::{EncryptionScheme, UnsupportedScheme},
    error::{ber_error, check_input_size},
};
use pfxgen_asn1::Reader;

/// Decrypts a DER (or BER) `EncryptedPrivateKeyInfo` with `password` and
/// loads the key. Accepts every scheme the PFX reader accepts (PBES2 with
/// PBKDF2-HMAC-SHA1/224/256/384/512 and AES/3DES/DES; PKCS#12 PBE).
///
/// # Errors
/// [`Error::Malformed`], [`Error::InvalidValue`], [`Error::IterationCount`],
/// [`Error::Unsupported`], [`Error::WorkLimit`], [`Error::DecryptionFailed`] (wrong password or
/// damaged data) or [`Error::Key`].
pub fn decrypt_pkcs8(
    der: &[u8],
    password: &Password,
    limits: &Limits,
) -> Result<PrivateKey, Error> {
    check_input_size(der, limits)?;
    let normalised = ber::normalize(der, limits.max_depth).map_err(|e| ber_error(e, "the key"))?;
    let mut r = Reader::top(&normalised, "the key");
    let epki = r.sequence("EncryptedPrivateKeyInfo")?;
    r.finish("EncryptedPrivateKeyInfo")?;
    let mut e = epki.reader();
    let alg = e.sequence("EncryptedPrivateKeyInfo.encryptionAlgorithm")?;
    let data = e.octet_string("EncryptedPrivateKeyInfo.encryptedData")?;
    e.finish("EncryptedPrivateKeyInfo")?;
    let scheme = EncryptionScheme::parse(&alg, limits)?.map_err(|UnsupportedScheme(detail)| {
        Error::Unsupported {
            what: "EncryptedPrivateKeyInfo.encryptionAlgorithm",
            detail,
        }
    })?;
    let needed = scheme.work(password);
    if needed > limits.max_work {
        return Err(Error::WorkLimit {
            spent: 0,
            needed,
            max: limits.max_work,
        });
    }
    let (plain, _) = scheme
        .decrypt(password, data.value, |p| {
            p.first() == Some(&0x30) && ber::normalize_secret(p, limits.max_depth).is_ok()
        })
        .map_err(|_| Error::DecryptionFailed {
            what: "the private key".to_owned(),
            mac_verified: false,
        })?;
    let key_der = ber::normalize_secret(&plain, limits.max_depth).map_err(|e| Error::Key {
        bag: 0,
        source: pfxgen_keygen::Error::Encoding {
            what: "PKCS#8 private key",
            detail: e.problem.to_string(),
        },
    })?;
    PrivateKey::from_pkcs8_der(&key_der).map_err(|source| Error::Key { bag: 0, source })
}
