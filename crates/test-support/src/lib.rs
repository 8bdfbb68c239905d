//! What pfxgen's test suites share, as rustls keeps its test utilities apart
//! from the library: the crates/cli integration tests and the OpenSSL interop
//! suite (tests/) both drive the real `pfxgen` binary as a child process and
//! read its results the same way.
//!
//! - [`Run`] and [`run`]: a finished command, printed whole (command, status,
//!   stdout, stderr) when an assertion about it fails; [`argv`] for command
//!   lines written as the shell would take them;
//! - [`pfxgen`], [`pfxgen_with`]: run the built binary ([`pfxgen_bin`]);
//! - [`terminal`]: run it under a pseudo-terminal and type at its prompts;
//! - [`TempDir`], [`snapshot`], [`assert_same`]: scratch folders and
//!   byte-for-byte before/after comparisons;
//! - [`fixtures`]: keys and PFX files built with the library, and [`open`].
//!
//! Used only as a dev-dependency; never part of the shipped binary.
//! Secrets reach child processes through environment variables or stdin,
//! never through their arguments. Helpers panic with an explanation: they
//! are for tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::indexing_slicing, clippy::panic)]
#![forbid(unsafe_code)]

mod argv;
mod process;
mod scratch;

pub mod fixtures;
#[cfg(target_os = "linux")]
pub mod terminal;

pub use argv::argv;
pub use fixtures::open;
pub use process::{Run, pfxgen, pfxgen_bin, pfxgen_with, run, run_with};
pub use scratch::{FileState, TempDir, assert_same, is_root, mode, snapshot};

/// A password every policy accepts, for tests that are not about passwords.
pub const STRONG: &str = "Correct-Horse-Battery-9!";
