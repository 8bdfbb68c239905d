//! One module per command: it turns the parsed flags into a call to the
//! operations of `pfxgen-core` and renders the typed result (text or JSON).

pub mod audit;
pub mod builtin;
pub mod convert;
pub mod csr;
pub mod export;
pub mod generate;
pub mod inspect;
pub mod jwks;
pub mod pack;
pub mod rollback;
pub mod rotate;
pub mod verify;
