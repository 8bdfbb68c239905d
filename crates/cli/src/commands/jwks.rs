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

impl Options {
    /// Handles one item; returns whether it was one of jwks's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.password.parse(arg, parser)?
            || args::take_max_work(arg, parser, &mut self.limits)?
            || args::take_max_run_work(arg, parser, &mut self.max_run_work)?
        {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "thumbprints" => self.thumbprints = true,
            Arg::Long(n) if n == "passwords" => {
                self.map = Some(value_path(parser, "--passwords")?);
            }
            Arg::Value(v) => self.files.push(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Parses the flags; `None` when help was shown.
fn parse(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let o = Options {
        max_run_work: args::DEFAULT_MAX_RUN_WORK,
        ..Options::default()
    };
    let Some(o) = args::parse_into(args, crate::help::JWKS, o, Options::take)? else {
        return Ok(None);
    };
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
