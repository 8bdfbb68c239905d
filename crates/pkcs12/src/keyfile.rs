//! Private key files in every form OpenSSL, Windows and CAs write: PKCS#8
//! (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`), PKCS#1
//! (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`), as PEM or DER; and
//! the encrypted PKCS#8 pfxgen writes.
//!
//! PKCS#1 and SEC1 keys are wrapped into a PKCS#8 `PrivateKeyInfo` and
//! loaded by [`PrivateKey::from_pkcs8_der`], so every form goes through the
//! same key checks. Every intermediate copy of the key is wiped on drop.

use pfxgen_asn1::writer;
use pfxgen_keygen::{PrivateKey, oid as key_oid};
use zeroize::Zeroizing;

use crate::{
    EncryptionScheme, Error, Limits, Password, Profile, WriteOptions, ber,
    error::check_input_size,
    pem::{is_pem, pem_blocks},
};
use pfxgen_asn1::{Reader, tag};

/// The form a key file had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyForm {
    /// PKCS#8 `PrivateKeyInfo`, unencrypted.
    Pkcs8,
    /// PKCS#8 `EncryptedPrivateKeyInfo`.
    EncryptedPkcs8,
    /// PKCS#1 `RSAPrivateKey`.
    Pkcs1,
    /// SEC1 `ECPrivateKey`.
    Sec1,
}

impl KeyForm {
    /// A name for reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pkcs8 => "PKCS#8",
            Self::EncryptedPkcs8 => "encrypted PKCS#8",
            Self::Pkcs1 => "PKCS#1 (RSA)",
            Self::Sec1 => "SEC1 (EC)",
        }
    }
}

/// A private key file, recognised but not yet decrypted or loaded.
#[derive(Debug)]
pub struct KeyFile {
    form: KeyForm,
    pem: bool,
    der: Zeroizing<Vec<u8>>,
}

fn problem(detail: impl Into<String>) -> Error {
    Error::File {
        what: "the private key file",
        detail: detail.into(),
    }
}

const KEY_LABELS: [&str; 4] = [
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
];

impl KeyFile {
    /// Recognises `bytes`: PEM with exactly one key block (other blocks,
    /// such as OpenSSL's `EC PARAMETERS` or a certificate, are ignored), or
    /// DER.
    ///
    /// # Errors
    /// [`Error::InputTooLarge`], [`Error::File`] (no key, two keys, not a
    /// key structure, a PEM label that contradicts the contents),
    /// [`Error::Malformed`], [`Error::Unsupported`] (traditional OpenSSL
    /// PEM encryption).
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, Error> {
        check_input_size(bytes, limits)?;
        if !is_pem(bytes) {
            let der = ber::normalize_secret(bytes, limits.max_depth)
                .map_err(|_| problem("it is neither PEM text nor a DER private key"))?;
            let form = detect(&der)?;
            return Ok(Self {
                form,
                pem: false,
                der,
            });
        }
        let mut keys: Vec<_> = pem_blocks(bytes, limits)?
            .into_iter()
            .filter(|b| KEY_LABELS.contains(&b.label.as_str()))
            .collect();
        if keys.len() > 1 {
            return Err(problem(
                "it holds more than one private key; give a file with one key",
            ));
        }
        let block = keys.pop().ok_or_else(|| {
            problem("it holds no PEM private key (PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)")
        })?;
        let der = ber::normalize_secret(&block.der, limits.max_depth).map_err(|e| {
            problem(format!(
                "the {} block is not DER: {}",
                block.label, e.problem
            ))
        })?;
        let form = detect(&der)?;
        let expected = match block.label.as_str() {
            "ENCRYPTED PRIVATE KEY" => KeyForm::EncryptedPkcs8,
            "RSA PRIVATE KEY" => KeyForm::Pkcs1,
            "EC PRIVATE KEY" => KeyForm::Sec1,
            _ => KeyForm::Pkcs8,
        };
        if form != expected {
            return Err(problem(format!(
                "the block is labelled {} but holds a {} key",
                block.label,
                form.name()
            )));
        }
        Ok(Self {
            form,
            pem: true,
            der,
        })
    }

    /// The form found.
    #[must_use]
    pub fn form(&self) -> KeyForm {
        self.form
    }

    /// Whether the file was PEM.
    #[must_use]
    pub fn is_pem(&self) -> bool {
        self.pem
    }

    /// Whether a password is needed to load the key.
    #[must_use]
    pub fn is_encrypted(&self) -> bool {
        self.form == KeyForm::EncryptedPkcs8
    }

    /// Loads the key; `password` is used only for an encrypted key.
    ///
    /// # Errors
    /// [`Error::PasswordRequired`] for an encrypted key without a password;
    /// the errors of [`crate::decrypt_pkcs8`]; [`Error::Key`] for a key
    /// pfxgen cannot use; [`Error::File`] for a SEC1 key without its curve.
    pub fn load(&self, password: Option<&Password>, limits: &Limits) -> Result<PrivateKey, Error> {
        let key = |der: &[u8]| {
            PrivateKey::from_pkcs8_der(der).map_err(|source| Error::Key { bag: 0, source })
        };
        match self.form {
            KeyForm::EncryptedPkcs8 => {
                let password = password.ok_or(Error::PasswordRequired)?;
                crate::decrypt_pkcs8(&self.der, password, limits)
            }
            KeyForm::Pkcs8 => key(&self.der),
            KeyForm::Pkcs1 => key(&wrap(
                &writer::sequence(&[&writer::oid(&key_oid::RSA_ENCRYPTION), &writer::null()]),
                &self.der,
            )),
            KeyForm::Sec1 => {
                let curve = sec1_curve(&self.der)?;
                key(&wrap(
                    &writer::sequence(&[&writer::oid(&key_oid::EC_PUBLIC_KEY), &curve]),
                    &self.der,
                ))
            }
        }
    }
}

/// `PrivateKeyInfo { version 0, algorithm, privateKey OCTET STRING }`.
fn wrap(algorithm: &[u8], inner: &[u8]) -> Zeroizing<Vec<u8>> {
    let octets = Zeroizing::new(writer::octet_string(inner));
    Zeroizing::new(writer::sequence(&[
        &writer::integer_u64(0),
        algorithm,
        &octets,
    ]))
}

/// Tells the four structures apart by their first fields.
fn detect(der: &[u8]) -> Result<KeyForm, Error> {
    let not_key = || problem("it is not a private key structure (PKCS#8, PKCS#1 or SEC1)");
    let mut r = Reader::top(der, "the private key");
    let outer = r.sequence("private key").map_err(|_| not_key())?;
    r.finish("private key").map_err(|_| not_key())?;
    let mut e = outer.reader();
    match e.peek_tag() {
        Some(tag::SEQUENCE) => return Ok(KeyForm::EncryptedPkcs8),
        Some(tag::INTEGER) => {}
        _ => return Err(not_key()),
    }
    e.integer("version").map_err(|_| not_key())?;
    match e.peek_tag() {
        Some(tag::SEQUENCE) => Ok(KeyForm::Pkcs8),
        Some(tag::INTEGER) => Ok(KeyForm::Pkcs1),
        Some(tag::OCTET_STRING) => Ok(KeyForm::Sec1),
        _ => Err(not_key()),
    }
}

/// The named-curve OID element of a SEC1 `ECPrivateKey`'s `[0]` parameters.
fn sec1_curve(der: &[u8]) -> Result<Vec<u8>, Error> {
    let mut r = Reader::top(der, "the EC private key");
    let outer = r.sequence("ECPrivateKey")?;
    let mut e = outer.reader();
    e.integer("ECPrivateKey.version")?;
    e.octet_string("ECPrivateKey.privateKey")?;
    let params = e
        .read_optional(tag::CONTEXT_0, "ECPrivateKey.parameters")?
        .ok_or_else(|| problem("the SEC1 (EC) key does not name its curve"))?;
    let mut p = params.reader();
    let curve = p
        .oid("ECPrivateKey.parameters")
        .map_err(|_| problem("the SEC1 (EC) key's curve is not a named curve"))?;
    Ok(curve.raw.to_vec())
}

/// Encrypts `key` as a DER `EncryptedPrivateKeyInfo` with the modern
/// profile's scheme: PBES2, PBKDF2-HMAC-SHA256 with a 16-byte salt and
/// `iterations`, AES-256-CBC. OpenSSL 1.1+ and every PKCS#8 reader open it.
///
/// # Errors
/// [`Error::InvalidOptions`] for iterations outside
/// [`crate::MIN_ITERATIONS`]..=[`crate::MAX_ITERATIONS`] or an empty
/// password; [`Error::Crypto`] if the RNG fails.
pub fn encrypt_pkcs8(
    key: &PrivateKey,
    password: &Password,
    iterations: u32,
) -> Result<Vec<u8>, Error> {
    if password.is_empty() {
        return Err(Error::InvalidOptions {
            reason: "an encrypted key needs a non-empty password".to_owned(),
        });
    }
    let options = WriteOptions {
        profile: Profile::Modern,
        iterations,
        friendly_name: None,
    };
    options.check(password)?;
    let scheme: EncryptionScheme = options.scheme()?;
    let plain = key.to_pkcs8_der()?;
    let encrypted = scheme.encrypt(password, &plain)?;
    Ok(writer::sequence(&[
        &scheme.to_der(),
        &writer::octet_string(&encrypted),
    ]))
}
