//! The `pfxgen` command line, as a library so that its pieces (argument
//! parsing, the appsettings.json editor, the password policy) can be tested
//! and fuzzed directly. `main.rs` only calls [`main_with_args`].

#![forbid(unsafe_code)]

use std::{ffi::OsString, process::ExitCode};

/// Set once standard output failed; later output is dropped.
static FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Set when standard output failed for a reason other than a closed pipe.
static WRITE_ERROR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to standard output; a closed pipe (`pfxgen inspect f | head`) or a
/// full disk never panics and never interrupts the command.
pub fn write_stdout(text: &str) {
    use std::io::Write as _;
    use std::sync::atomic::Ordering;
    // Once output fails, the rest is dropped; the command itself goes on
    // and finishes normally (releasing locks, returning its real status),
    // because output can fail after a change was already committed.
    if FAILED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        FAILED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            WRITE_ERROR.store(true, Ordering::Relaxed);
            eprintln!(
                "warning: cannot write to standard output ({e}); the command goes on without it"
            );
        }
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

pub mod args;
pub mod commands;
pub mod docgen;
#[doc(hidden)]
pub mod fuzzing;
pub mod help;
pub mod password;
pub mod render;
pub mod table;

pub use crate::commands::{
    audit, convert, csr, export, generate, inspect, jwks, pack, rotate, verify,
};
pub use pfxgen_core::{
    error, fault,
    files::{fsutil, open as loader, readfile, safefs},
    jose::{b64, jwt},
    json,
    policy::{password as policy, verdict},
    service::{appsettings, jsonc},
};

pub use crate::error::{Exit, Failure};

/// Runs the command line and returns its exit status. Errors are printed to
/// standard error with their causes and a hint.
#[must_use]
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    // Commands whose output is their result fail with exit 5 when it could
    // not be written (a closed pipe is a reader's choice, not a failure);
    // commands that changed files report success, with the warning above.
    let reports_only = args
        .first()
        .and_then(|c| c.to_str())
        .and_then(table::find)
        .is_none_or(|c| !c.changes_files);
    let result = match run(args) {
        Ok(_) if reports_only && WRITE_ERROR.load(std::sync::atomic::Ordering::Relaxed) => Err(
            Failure::new(Exit::Output, "the output could not be written"),
        ),
        other => other,
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit.code())
        }
    }
}

/// Dispatches to a command of the [`table`].
///
/// # Errors
/// The command's [`Failure`].
pub fn run(mut args: Vec<OsString>) -> Result<Exit, Failure> {
    if args.is_empty() {
        eprint!("{}\n{}", help::TOP, help::EXIT_CODES);
        return Err(Failure::usage("no command given"));
    }
    let command = args.remove(0);
    let name = match command.to_str().unwrap_or_default() {
        "--help" | "-h" => "help",
        "--version" | "-V" => "version",
        // Hidden: the man page and shell completions, for packaging.
        hidden @ ("__man" | "__completions") => {
            return docgen::run(hidden, &args).map(|()| Exit::Success);
        }
        other => other,
    };
    match table::find(name) {
        Some(c) => (c.run)(args),
        None => Err(Failure::usage(format!("unknown command {name:?}"))),
    }
}
