//! Key generation for pfxgen.
//!
//! This crate makes and loads the private keys an identity server signs its
//! access tokens with, and nothing else:
//!
//! * [`KeyAlgorithm`]: the six key types the identity server accepts (RSA
//!   2048/3072/4096, ECDSA P-256/P-384/P-521), each tied to exactly one
//!   signature algorithm ([`SignatureAlgorithm`]) and one JWS `alg`
//!   ([`JwsAlgorithm`]).
//! * [`PrivateKey`]: generated from the operating system's random number
//!   generator, exported and imported as PKCS#8 (RFC 5958), wiped from memory
//!   when dropped, and printed as `[secret key elided]` by `Debug`.
//! * [`PublicKey`]: read from a SubjectPublicKeyInfo, compared canonically,
//!   and used to verify X.509 and JWS signatures.
//!
//! The cryptography is RustCrypto's (`rsa`, `p256`, `p384`, `p521`, `sha2`);
//! this crate chooses the algorithms, keeps secrets in zeroizing types, and
//! turns every failure into a typed [`Error`].
//!
//! ```
//! use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
//!
//! let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)?;
//! let signature = key.sign(b"header.payload")?;
//! key.public_key().verify(key.signature_algorithm(), b"header.payload", &signature)?;
//! assert_eq!(format!("{key:?}"), "PrivateKey { algorithm: ecdsa-p256, key: [secret key elided] }");
//! # Ok::<(), pfxgen_keygen::Error>(())
//! ```

#![forbid(unsafe_code)]

mod algorithm;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod oid;
mod private_key;
pub mod pss;
mod public_key;
mod random;
mod rsa_keygen;

pub use crate::{
    algorithm::{Curve, HashAlgorithm, JwsAlgorithm, KeyAlgorithm, KeyKind, SignatureAlgorithm},
    error::Error,
    private_key::PrivateKey,
    public_key::{JwkParams, PublicKey},
    random::{fill_random, random_bytes},
};

/// Re-export of the zeroizing wrapper used for every secret this crate returns.
pub use zeroize::Zeroizing;
