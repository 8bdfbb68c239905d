//! Writing a PFX, in OpenSSL's layout.
//!
//! ```text
//! PFX
//!   authSafe: data
//!     AuthenticatedSafe
//!       [0] encryptedData          -- certificates (end entity first, then chain)
//!             SafeContents: certBag (friendlyName?, localKeyId), certBag...
//!       [1] data                   -- the key
//!             SafeContents: pkcs8ShroudedKeyBag (friendlyName?, localKeyId)
//!   macData: HMAC (PKCS#12 KDF)
//! ```
//!
//! Certificates and key in separate SafeContents, algorithm parameters
//! explicit, exactly what `openssl pkcs12 -export` writes, so every reader
//! that works with OpenSSL's files works with ours.

use pfxgen_asn1::writer;
use pfxgen_keygen::PrivateKey;
use pfxgen_x509::Certificate;
use sha1::{Digest as _, Sha1};
use zeroize::Zeroizing;

use crate::{
    DotNetLimits, Error, Password,
    cipher::Cipher,
    encryption::{EncryptionScheme, Pbkdf2Params},
    kdf::Hash,
    mac_data::MacData,
    oid, parallel,
    safe_bag::encode_safe_bag,
};

/// The two layouts pfxgen writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates, 16-byte
    /// salts, HMAC-SHA256 MAC. What OpenSSL 3 writes by default, with more
    /// iterations. Readable by .NET, Windows 10 1709+/Server 2019+, Java 8u301+,
    /// OpenSSL 1.1+.
    Modern,
    /// `pbeWithSHAAnd3-KeyTripleDES-CBC` for key and certificates, HMAC-SHA1
    /// MAC, 8-byte salts: OpenSSL's `-legacy` minus RC2. For Windows Server
    /// 2016, Windows 10 before 1709 and old Java.
    ///
    /// ## Security warning
    /// 3DES and the SHA-1 PKCS#12 KDF are weak by today's standards; use only
    /// when a consumer cannot read `Modern`.
    Compat,
}

impl Profile {
    /// `modern` or `compat`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Modern => "modern",
            Self::Compat => "compat",
        }
    }

    /// Parses `modern` / `compat` (`legacy` is accepted for `compat`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "modern" => Some(Self::Modern),
            "compat" | "legacy" => Some(Self::Compat),
            _ => None,
        }
    }
}

/// Default iteration count for a password-protected file (MAC and each
/// encryption). See [`WriteOptions::iterations`].
pub const DEFAULT_ITERATIONS: u32 = 200_000;
/// Iteration count for a password-less file: what OpenSSL writes. Iterations
/// protect nothing without a password, and older .NET caps password-less
/// imports at 600,000 iterations in total.
pub const PASSWORDLESS_ITERATIONS: u32 = 2048;
/// Smallest `--iterations` accepted for a password-protected file.
pub const MIN_ITERATIONS: u32 = 1000;
/// Largest `--iterations` accepted: .NET's default per-KDF limit,
/// [`DotNetLimits::MAX_KDF_ITERATIONS`] (and 3 x 300,000 stays under its
/// 1,000,000 total).
// The assertion makes the narrowing cast exact.
#[allow(clippy::cast_possible_truncation)]
pub const MAX_ITERATIONS: u32 = {
    assert!(DotNetLimits::MAX_KDF_ITERATIONS <= u32::MAX as u64);
    DotNetLimits::MAX_KDF_ITERATIONS as u32
};

/// How to write a PFX.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Layout and algorithms.
    pub profile: Profile,
    /// Iterations for the MAC and for each encryption.
    ///
    /// Default [`DEFAULT_ITERATIONS`] (200,000): about 100 times OpenSSL's 2048,
    /// while MAC + key + certificates (3 x 200,000 = 600,000) stay inside
    /// .NET 9's default loader limits (300,000 per KDF, 1,000,000 in total)
    /// with room to spare. Must be within [`MIN_ITERATIONS`]..=[`MAX_ITERATIONS`]
    /// for a password; a password-less file uses [`PASSWORDLESS_ITERATIONS`]
    /// unless set explicitly.
    pub iterations: u32,
    /// `friendlyName` on the key and end-entity certificate bags.
    pub friendly_name: Option<String>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            profile: Profile::Modern,
            iterations: DEFAULT_ITERATIONS,
            friendly_name: None,
        }
    }
}

impl WriteOptions {
    /// Options with the right default iteration count for `password`.
    #[must_use]
    pub fn for_password(profile: Profile, password: &Password) -> Self {
        let iterations = if password.is_empty() {
            PASSWORDLESS_ITERATIONS
        } else {
            DEFAULT_ITERATIONS
        };
        Self {
            profile,
            iterations,
            friendly_name: None,
        }
    }

    pub(crate) fn check(&self, password: &Password) -> Result<(), Error> {
        let range = if password.is_empty() {
            1..=MAX_ITERATIONS
        } else {
            MIN_ITERATIONS..=MAX_ITERATIONS
        };
        if !range.contains(&self.iterations) {
            return Err(Error::InvalidOptions {
                reason: format!(
                    "{} iterations is outside {}..={} ({} per key derivation is .NET's default limit)",
                    self.iterations,
                    range.start(),
                    range.end(),
                    MAX_ITERATIONS
                ),
            });
        }
        if let Some(name) = &self.friendly_name {
            if name.is_empty() || name.chars().count() > 256 || name.chars().any(char::is_control) {
                return Err(Error::InvalidOptions {
                    reason:
                        "the friendly name must be 1 to 256 characters without control characters"
                            .to_owned(),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn scheme(&self) -> Result<EncryptionScheme, Error> {
        Ok(match self.profile {
            Profile::Modern => EncryptionScheme::Pbes2 {
                kdf: Pbkdf2Params {
                    salt: pfxgen_keygen::random_bytes(16)?.to_vec(),
                    iterations: self.iterations,
                    key_length: None,
                    prf: Hash::Sha256,
                },
                cipher: Cipher::Aes256,
                iv: pfxgen_keygen::random_bytes(16)?.to_vec(),
            },
            Profile::Compat => EncryptionScheme::Pkcs12Pbe {
                cipher: Cipher::DesEde3,
                salt: pfxgen_keygen::random_bytes(8)?.to_vec(),
                iterations: self.iterations,
            },
        })
    }
}

/// Writes a PFX holding `key`, its certificate `cert`, and optionally the
/// certificates of its `chain` (issuer first).
///
/// Refuses a key that does not belong to `cert` (the mistake behind
/// pyca/cryptography's CVE-2024-26130). The `localKeyId` of key and
/// certificate is the SHA-1 of the certificate, as OpenSSL writes it.
///
/// # Errors
/// [`Error::KeyCertificateMismatch`], [`Error::InvalidOptions`], or
/// [`Error::Crypto`] if the RNG or key encoding fails.
pub fn write_pfx(
    key: &PrivateKey,
    cert: &Certificate,
    chain: &[Certificate],
    password: &Password,
    options: &WriteOptions,
) -> Result<Vec<u8>, Error> {
    options.check(password)?;
    let cert_key = cert
        .public_key()
        .map_err(|e| Error::Certificate { bag: 0, source: e })?;
    if !key.matches(&cert_key) {
        return Err(Error::KeyCertificateMismatch);
    }
    let local_key_id: [u8; 20] = Sha1::digest(cert.der()).into();
    let friendly = options.friendly_name.as_deref();
    let cert_safe_contents = cert_safe_contents(cert, chain, friendly, &local_key_id);
    let cert_scheme = options.scheme()?;
    let pkcs8 = key.to_pkcs8_der()?;
    let key_scheme = options.scheme()?;
    let (mac_hash, mac_salt_len) = match options.profile {
        Profile::Modern => (Hash::Sha256, 16),
        Profile::Compat => (Hash::Sha1, 8),
    };
    let mac_salt = pfxgen_keygen::random_bytes(mac_salt_len)?;
    // The three key derivations are independent: run them on all cores.
    type Task<'a> = &'a (dyn Fn() -> Result<Zeroizing<Vec<u8>>, Error> + Sync);
    let tasks: [Task<'_>; 3] = [
        &|| {
            Ok(Zeroizing::new(
                cert_scheme.encrypt(password, &cert_safe_contents)?,
            ))
        },
        &|| Ok(Zeroizing::new(key_scheme.encrypt(password, &pkcs8)?)),
        &|| {
            Ok(MacData::derive_key(
                mac_hash,
                password,
                &mac_salt,
                options.iterations,
            ))
        },
    ];
    let [encrypted_certs, encrypted_key, mac_key] =
        <[_; 3]>::try_from(parallel::map(&tasks, |t| t())).map_err(|_| Error::InvalidOptions {
            reason: "internal error: a key derivation went missing".to_owned(),
        })?;
    let (encrypted_certs, encrypted_key, mac_key) = (encrypted_certs?, encrypted_key?, mac_key?);
    let certs_ci = encrypted_data_content(&cert_scheme, &encrypted_certs);
    let key_ci = key_content(&key_scheme, &encrypted_key, friendly, &local_key_id);

    let auth_safe = writer::sequence(&[&certs_ci, &key_ci]);
    let auth_safe_ci = writer::sequence(&[
        &writer::oid(&oid::DATA),
        &writer::context_constructed(0, &[&writer::octet_string(&auth_safe)]),
    ]);

    let mac = MacData::compute(
        mac_hash,
        &mac_key,
        &mac_salt,
        options.iterations,
        &auth_safe,
    );

    Ok(writer::sequence(&[
        &writer::integer_u64(3),
        &auth_safe_ci,
        &mac,
    ]))
}

/// The certificates' SafeContents: the end entity (with the friendly name
/// and `localKeyId` attributes), then the chain.
fn cert_safe_contents(
    cert: &Certificate,
    chain: &[Certificate],
    friendly: Option<&str>,
    local_key_id: &[u8],
) -> Vec<u8> {
    let cert_bag = |der: &[u8], attrs: bool| {
        let value = writer::sequence(&[
            &writer::oid(&oid::X509_CERTIFICATE),
            &writer::context_constructed(0, &[&writer::octet_string(der)]),
        ]);
        if attrs {
            encode_safe_bag(&oid::CERT_BAG, &value, friendly, Some(local_key_id))
        } else {
            encode_safe_bag(&oid::CERT_BAG, &value, None, None)
        }
    };
    let mut cert_bags = vec![cert_bag(cert.der(), true)];
    cert_bags.extend(chain.iter().map(|c| cert_bag(c.der(), false)));
    let parts: Vec<&[u8]> = cert_bags.iter().map(Vec::as_slice).collect();
    writer::sequence(&parts)
}

/// The encrypted certificates as a ContentInfo of type encryptedData
/// (RFC 2315 EncryptedData, version 0).
fn encrypted_data_content(scheme: &EncryptionScheme, encrypted: &[u8]) -> Vec<u8> {
    let encrypted_data = writer::sequence(&[
        &writer::integer_u64(0),
        &writer::sequence(&[
            &writer::oid(&oid::DATA),
            &scheme.to_der(),
            &writer::context_primitive(0, encrypted),
        ]),
    ]);
    writer::sequence(&[
        &writer::oid(&oid::ENCRYPTED_DATA),
        &writer::context_constructed(0, &[&encrypted_data]),
    ])
}

/// The key: PKCS#8, encrypted, in a shrouded key bag in a plain data
/// content.
fn key_content(
    scheme: &EncryptionScheme,
    encrypted_key: &[u8],
    friendly: Option<&str>,
    local_key_id: &[u8],
) -> Vec<u8> {
    let epki = writer::sequence(&[&scheme.to_der(), &writer::octet_string(encrypted_key)]);
    let key_bag = encode_safe_bag(&oid::SHROUDED_KEY_BAG, &epki, friendly, Some(local_key_id));
    let key_safe_contents = writer::sequence(&[&key_bag]);
    writer::sequence(&[
        &writer::oid(&oid::DATA),
        &writer::context_constructed(0, &[&writer::octet_string(&key_safe_contents)]),
    ])
}
