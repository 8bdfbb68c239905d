//! `pfxgen jwks FILE...`: the JWK Set the identity server publishes for
//! these certificates, so integrators can pre-load the next key.
//!
//! Turns the flags into a [`JwksRequest`], builds the set in
//! [`pfxgen_core::jose::jwks`] and renders it ([`crate::render::jwks`]).
//! Passwords: `--passwords MAP` (the map `audit` reads) gives one per file,
//! a password option one for every file the map does not select; with
//! neither, a file that needs one is asked for at a terminal. Only
//! certificates are read: no private key is ever decrypted or printed.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_core::jose::jwks::{self, JwksRequest};
use pfxgen_pkcs12::Limits;

use crate::{
    args::{self, Arg, value_path},
    audit::{MapReader, read_map},
    error::Failure,
    password::PasswordArgs,
};

/// The flags of `pfxgen jwks`.
#[derive(Default)]
struct Options {
    password: PasswordArgs,
    map: Option<PathBuf>,
    files: Vec<PathBuf>,
    thumbprints: bool,
    limits: Limits,
    max_run_work: u64,
}

/// Parses the flags; `None` when help was shown.
fn parse(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let mut o = Options {
        max_run_work: args::DEFAULT_MAX_RUN_WORK,
        ..Options::default()
    };
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if o.password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "thumbprints" => o.thumbprints = true,
            Arg::Long(n) if n == "passwords" => {
                o.map = Some(value_path(&mut parser, "--passwords")?);
            }
            Arg::Long(n) if n == "max-work" => {
                let text = args::value_string(&mut parser, "--max-work")?;
                o.limits.max_work = args::parse_work(&text, "--max-work")?;
            }
            Arg::Long(n) if n == "max-run-work" => {
                let text = args::value_string(&mut parser, "--max-run-work")?;
                o.max_run_work = args::parse_work(&text, "--max-run-work")?;
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::JWKS, crate::help::EXIT_CODES);
                return Ok(None);
            }
            Arg::Value(v) => o.files.push(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    if o.files.is_empty() {
        return Err(Failure::usage("jwks needs at least one FILE"));
    }
    Ok(Some(o))
}

/// Runs `pfxgen jwks`.
///
/// # Errors
/// Exit 2 for a bad password map, 3 when a file's certificates cannot be
/// decrypted, 4 when a file is unreadable, 6 for key types the identity
/// server does not use.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let map = read_map(o.map.as_deref())?;
    let report = jwks::build(&JwksRequest {
        files: &o.files,
        map: &map,
        secrets: &MapReader,
        password: &o.password,
        limits: &o.limits,
        max_run_work: o.max_run_work,
        thumbprints: o.thumbprints,
    })?;
    crate::render::jwks::print(&report);
    Ok(())
}
