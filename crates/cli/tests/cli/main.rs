//! The cli's integration tests, one test binary (each suite a module) so
//! the crate and its dependencies are linked once, not once per file.
//!
//! The tests run in one process, in parallel: none changes process-wide
//! state (environment, current directory, umask, signal handlers). Each
//! drives the real binary as a child process, in its own scratch folder,
//! with its environment set on the child's `Command` only.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::indexing_slicing, clippy::panic)]

mod common;

mod audit_jwks;
mod bounds;
mod diagnoses;
mod docgen;
mod fuzz_corpus;
mod generate;
mod help;
mod inspect_verify;
mod life;
mod operator;
mod pbmac1;
mod privileged;
mod rotate;
