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
//! * [`Chain::build`] finds the path from a certificate to its root among a
//!   set of certificates (bounded work, cycles end); [`end_entity_of`] says
//!   which of them is the end entity.
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

mod certificate;
pub mod chain;
mod error;
pub mod extensions;
#[doc(hidden)]
pub mod fuzzing;
mod name;
mod params;
mod request;
#[doc(hidden)]
pub mod testing;
mod time;

pub use crate::{
    certificate::Certificate,
    chain::{
        Chain, MAX_CANDIDATES_PER_STEP, MAX_CHAIN_LENGTH, MAX_SIGNATURE_CHECKS, end_entity_of,
    },
    error::Error,
    extensions::{ExtendedKeyUsage, ExtensionsReport, SanEntry},
    name::{AttributeType, DistinguishedName, NameAttribute},
    params::{CertificateParams, SERIAL_LEN, algorithm_identifier},
    request::{OID_EXTENSION_REQUEST, RequestParams},
    time::{CivilTime, SECONDS_PER_DAY, UtcTime},
};

/// Upper-case hex without separators (`0A1B...`), as thumbprints are shown
/// (`base16ct`, constant-time).
#[must_use]
pub fn hex_upper(bytes: &[u8]) -> String {
    base16ct::upper::encode_string(bytes)
}

/// Lower-case hex without separators (`base16ct`, constant-time).
#[must_use]
pub fn hex_lower(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_two_digits_per_byte_in_either_case() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(hex_upper(&bytes), expected);
        assert_eq!(hex_lower(&bytes), expected.to_ascii_lowercase());
        assert_eq!(hex_upper(&[]), "");
    }
}
