//! The rest of a PFX's life without OpenSSL: re-protecting it
//! ([`convert`]), taking its parts out ([`export`]), asking a CA for a
//! certificate ([`csr`]) and joining a CA's answer into a PFX ([`pack`]).
//! Every file is written the same way ([`output`]): never over an existing
//! file without `force`, mode 0600, read back and checked before it is
//! installed.

pub mod convert;
pub mod csr;
pub mod export;
pub mod output;
pub mod pack;
