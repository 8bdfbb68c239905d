//! X.509 for pfxgen: self-signed token-signing certificates, and reading
//! certificates of any origin.
//!
//! * [`CertificateParams::self_signed`] assembles a v3 certificate with the
//!   signature algorithm the identity server requires for the key, a random
//!   serial, RFC 5280 time encodings and a token-signing extension profile
//!   (see [`extensions`]).
//! * [`Certificate::from_der`] reads any DER certificate (via RustCrypto's
//!   `x509-cert`) and reports what an operator needs: names, validity,
//!   thumbprints, key, extensions; [`Certificate::verify_signature`] checks
//!   it against an issuer key.
//!
//! ```
//! use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
//! use pfxgen_x509::CertificateParams;
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)?;
//! let params = CertificateParams { subject: "CN=id.example".parse()?, ..Default::default() };
//! let cert = params.self_signed(&key)?;
//! assert_eq!(cert.signature_algorithm_name(), "ecdsa-with-SHA256");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable
    )
)]

mod certificate;
pub mod der_encode;
mod error;
pub mod extensions;
#[doc(hidden)]
#[allow(
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]
pub mod fuzzing;
mod name;
mod params;
mod request;
mod time;

pub use crate::{
    certificate::Certificate,
    error::Error,
    extensions::{ExtendedKeyUsage, ExtensionsReport, SanEntry},
    name::{AttributeType, DistinguishedName, NameAttribute},
    params::{CertificateParams, SERIAL_LEN, algorithm_identifier},
    request::{OID_EXTENSION_REQUEST, RequestParams},
    time::{CivilTime, SECONDS_PER_DAY, UtcTime},
};

/// Upper-case hex without separators (`0A1B...`), as thumbprints are shown.
#[must_use]
pub fn hex_upper(bytes: &[u8]) -> String {
    use core::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Lower-case hex without separators.
#[must_use]
pub fn hex_lower(bytes: &[u8]) -> String {
    hex_upper(bytes).to_ascii_lowercase()
}
