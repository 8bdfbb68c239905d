//! The `pfxgen` command line, as a library so that its pieces (argument
//! parsing, the appsettings.json editor, the password policy) can be tested
//! and fuzzed directly. `main.rs` only calls [`main_with_args`].

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

use std::{ffi::OsString, process::ExitCode};

/// Writes to standard output; a closed pipe (`pfxgen inspect f | head`)
/// ends the program quietly with success instead of a panic.
pub fn write_stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(i32::from(Exit::Output.code()));
    }
}

/// `print!` to standard output through [`write_stdout`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::write_stdout(&format!($($arg)*)) };
}

/// `println!` to standard output through [`write_stdout`].
macro_rules! outln {
    () => { $crate::write_stdout("\n") };
    ($($arg:tt)*) => { $crate::write_stdout(&format!("{}\n", format_args!($($arg)*))) };
}

pub mod appsettings;
pub mod args;
pub mod audit;
pub mod b64;
pub mod error;
pub mod fault;
pub mod fsutil;
#[doc(hidden)]
#[allow(
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]
pub mod fuzzing;
pub mod generate;
pub mod help;
pub mod inspect;
pub mod json;
pub mod jsonc;
pub mod jwks;
pub mod jwt;
pub mod loader;
pub mod password;
pub mod policy;
pub mod rotate;
pub mod verdict;
pub mod verify;

pub use crate::error::{Exit, Failure};

/// Runs the command line and returns its exit status. Errors are printed to
/// standard error with their causes and a hint.
#[must_use]
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    match run(args) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit.code())
        }
    }
}

/// Dispatches to a command.
///
/// # Errors
/// The command's [`Failure`].
pub fn run(mut args: Vec<OsString>) -> Result<Exit, Failure> {
    if args.is_empty() {
        eprint!("{}\n{}", help::TOP, help::EXIT_CODES);
        return Err(Failure::usage("no command given"));
    }
    let command = args.remove(0);
    let command = command.to_str().unwrap_or_default();
    match command {
        "generate" | "gen" => generate::run(args).map(|()| Exit::Success),
        "inspect" | "info" => inspect::run(args).map(|()| Exit::Success),
        "verify" | "check" => verify::run(args).map(|()| Exit::Success),
        "rotate" => rotate::run_rotate(args).map(|()| Exit::Success),
        "rollback" => rotate::run_rollback(args).map(|()| Exit::Success),
        "jwks" => jwks::run(args).map(|()| Exit::Success),
        "audit" => audit::run(args),
        "help" | "--help" | "-h" => {
            let topic = args.first().and_then(|a| a.to_str()).unwrap_or_default();
            match topic {
                "generate" => out!("{}\n{}", help::GENERATE, help::EXIT_CODES),
                "inspect" => out!("{}\n{}", help::INSPECT, help::EXIT_CODES),
                "verify" => out!("{}\n{}", help::VERIFY, help::EXIT_CODES),
                "rotate" => out!("{}\n{}", help::ROTATE, help::EXIT_CODES),
                "rollback" => out!("{}\n{}", help::ROLLBACK, help::EXIT_CODES),
                "jwks" => out!("{}\n{}", help::JWKS, help::EXIT_CODES),
                "audit" => out!("{}\n{}", help::AUDIT, help::EXIT_CODES),
                _ => out!("{}\n{}", help::TOP, help::EXIT_CODES),
            }
            Ok(Exit::Success)
        }
        "version" | "--version" | "-V" => {
            outln!("pfxgen {}", env!("CARGO_PKG_VERSION"));
            Ok(Exit::Success)
        }
        other => Err(Failure::usage(format!("unknown command {other:?}"))),
    }
}
