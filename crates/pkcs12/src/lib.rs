//! PKCS#12 / PFX for pfxgen: read what real producers write, write what
//! OpenSSL writes.
//!
//! * [`write_pfx`] makes a PFX from a key and its certificate in one of two
//!   [`Profile`]s: `Modern` (PBES2/AES-256, HMAC-SHA256) or `Compat` (3DES,
//!   HMAC-SHA1) for old Windows.
//! * [`Pfx::parse`] decodes a PFX, DER or BER, without a password: structure,
//!   MAC parameters, encryption schemes, unencrypted bags. Every limit in
//!   [`Limits`] is enforced before the work it bounds.
//! * [`Pfx::open`] verifies the MAC (PKCS#12 HMAC with SHA-1/224/256/384/512,
//!   or PBMAC1), decrypts (PBES2 with PBKDF2 and AES/3DES/DES; PKCS#12 PBE
//!   with 3DES, 2-key 3DES, RC2-40/128, RC4-40/128), and loads keys and
//!   certificates. Known producer quirks are read and reported: bytes after
//!   the PFX ([`Pfx::trailing_bytes`]), a PBES2 keyLength that does not match
//!   the cipher ([`EncryptionScheme::key_length_mismatch`]), NSS's BMPString
//!   PBES2 password ([`Workaround`]).
//!
//! Nothing here panics on any input: the decoder is fuzzed (see `fuzz/`) and
//! every known PKCS#12 parser attack has a named test (`tests/hostile.rs`).
//!
//! ```
//! use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
//! use pfxgen_pkcs12::{Limits, Password, Pfx, Profile, WriteOptions, write_pfx};
//! use pfxgen_x509::CertificateParams;
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)?;
//! let cert = CertificateParams::default().self_signed(&key)?;
//! let password = Password::from_str_copy("Correct-Horse-9!");
//! let options = WriteOptions { iterations: 2048, ..WriteOptions::default() };
//! let der = write_pfx(&key, &cert, &[], &password, &options)?;
//!
//! let opened = Pfx::parse(&der, &Limits::default())?.open(&password, &Limits::default())?;
//! assert_eq!(opened.keys.len(), 1);
//! assert_eq!(opened.certificates.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod analysis;
mod cipher;
mod encode;
mod encryption;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod kdf;
mod keyfile;
mod limits;
mod mac_data;
pub mod oid;
mod p7b;
mod parallel;
mod password;
pub mod pem;
mod pfx;
mod pkcs8;
mod safe_bag;
#[doc(hidden)]
#[allow(missing_docs)]
pub mod testing;

/// BER to DER normalisation (`pfxgen_asn1::ber`), which every PFX goes
/// through before it is read.
pub use pfxgen_asn1::ber;
/// The ASN.1 problem and location types of [`Error::Malformed`] (from
/// `pfxgen-asn1`, whose reader reads every PKCS#12 structure).
pub use pfxgen_asn1::{DerProblem, Location};
/// What [`Opened::chain`] returns, and its bounds (from `pfxgen-x509`,
/// where chains are built).
pub use pfxgen_x509::{Chain, MAX_CANDIDATES_PER_STEP, MAX_CHAIN_LENGTH, MAX_SIGNATURE_CHECKS};

pub use crate::{
    analysis::end_entity_of,
    cipher::Cipher,
    encode::{
        DEFAULT_ITERATIONS, MAX_ITERATIONS, MIN_ITERATIONS, PASSWORDLESS_ITERATIONS, Profile,
        WriteOptions, write_pfx,
    },
    encryption::{EncryptionScheme, Pbkdf2Params},
    error::{Error, IterationProblem},
    kdf::Hash,
    keyfile::{KeyFile, KeyForm, encrypt_pkcs8},
    limits::{DEFAULT_MAX_WORK, DotNetLimits, Limits},
    mac_data::{MacAlgorithm, MacData},
    p7b::{CertificateFile, MAX_FILE_CERTIFICATES, pkcs7_certs_only, read_certificate_file},
    password::{Password, PasswordForm},
    pfx::{BagReport, CertEntry, Content, KeyEntry, MacStatus, Opened, Pfx, Workaround},
    pkcs8::decrypt_pkcs8,
    safe_bag::{Attributes, BagKind, SafeBag},
};
