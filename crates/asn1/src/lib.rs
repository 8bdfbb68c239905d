//! ASN.1 for pfxgen: the three pieces every other crate builds on, in one
//! place.
//!
//! * [`Reader`] and [`Tlv`]: a strict DER reader (X.690 clause 10) that
//!   names the field and the byte offset of every problem ([`Error`],
//!   [`DerProblem`], [`Location`]). It reads the PKCS#12 structures.
//! * [`writer`]: a minimal DER writer (tag, length, value) with which the
//!   certificates, requests and PFX files pfxgen makes are assembled byte by
//!   byte, as the RFCs give them.
//! * [`ber`]: BER to DER normalisation (X.690 clause 8 to clause 10) with
//!   bounded depth and linear work, for files written by Windows, Java, NSS
//!   and OpenSSL 1.x.
//!
//! Certificates and keys are *read* through RustCrypto's `der`, `x509-cert`
//! and `pkcs8`; this crate reads only what those do not (PKCS#12, PKCS#7
//! certs-only, PBES parameters), with locations in every message.
//!
//! ```
//! use pfxgen_asn1::{Reader, ber, writer};
//!
//! // Indefinite lengths (BER) become definite (DER) before reading.
//! let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];
//! let der = ber::normalize(&ber, 32).map_err(|e| e.problem.to_string())?;
//! assert_eq!(*der, writer::sequence(&[&writer::integer_u64(5)]));
//!
//! let mut reader = Reader::top(&der, "the example");
//! let sequence = reader.sequence("Example")?;
//! let version = sequence.reader().integer("Example.version")?;
//! assert_eq!(version.small_uint("Example.version")?, 5);
//! reader.finish("Example")?;
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

pub mod ber;
mod error;
mod int_value;
mod location;
mod problem;
mod reader;
pub mod tag;
mod tlv;
pub mod writer;

pub use crate::{
    ber::{BerError, normalize, normalize_secret},
    error::Error,
    int_value::IntValue,
    location::Location,
    problem::DerProblem,
    reader::Reader,
    tlv::Tlv,
};
