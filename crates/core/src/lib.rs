//! pfxgen's operations, as a library that prints nothing: opening PFX files
//! safely, the consumer rules a token-signing certificate must satisfy, the
//! service folder (its `appsettings.json`, lock, file transactions, rotation
//! and rollback), audits and JOSE. Every operation returns a typed value;
//! the `pfxgen` binary parses flags, asks for passwords and renders.
//!
//! Layout (one domain per folder):
//!
//! - [`files`]: reading files another user may control, safe writes
//!   relative to open folder descriptors, opening PFX files;
//! - [`policy`]: the password policy and the consumer rules (identity
//!   server, .NET loader limits, old Windows, weaknesses);
//! - [`service`]: the service folder: `appsettings.json` and its
//!   position-keeping JSON reader, locating the certificate, the lock, the
//!   file transaction and its manifest, rotation and rollback;
//! - [`make`]: making a certificate and its PFX from a spec, like the one
//!   it replaces;
//! - [`audit`]: instances found across environments, the password map,
//!   and the findings ([`audit::AuditReport`]);
//! - [`inspect`]: everything about a PFX ([`inspect::InspectReport`]);
//! - [`jose`]: base64, the JWK Set of `jwks` ([`jose::jwks::JwksReport`]),
//!   JWK thumbprints and the JWT self-test;
//! - [`verify`]: the nine checks of `pfxgen verify` ([`verify::VerifyReport`]);
//! - [`lifecycle`]: `convert`, `export`, `csr` and `pack`, and the checked
//!   output files they write;
//! - [`error`]: failures and the exit status each maps to;
//! - [`secret`]: where passwords come from ([`secret::PasswordSource`]).

#![forbid(unsafe_code)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod audit;
pub mod error;
pub mod fault;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod inspect;
pub mod jose;
pub mod json;
pub mod lifecycle;
pub mod make;
pub mod policy;
pub mod secret;
pub mod service;
pub mod verify;

pub use crate::error::{Exit, Failure};
