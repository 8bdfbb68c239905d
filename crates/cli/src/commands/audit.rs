//! `pfxgen audit PATH...`: one certificate per instance, proven across
//! environments, and what expires when.
//!
//! Turns the flags into a [`pfxgen_core::audit::AuditRequest`], runs
//! [`pfxgen_core::audit::audit`] and renders its report
//! ([`crate::render::audit`]). Exit 0 clean, 1 findings, 2 could not run.
//! The password map's `env:` and `file:` sources are read here, and the
//! service folders are located the way `rotate` locates them.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use pfxgen_core::audit::{
    self, AsRotate, AuditRequest, DEFAULT_WARN_DAYS, MAX_WARN_DAYS, MapSecrets, MapSource,
    PasswordMap,
};
use pfxgen_pkcs12::{Limits, Password};
use pfxgen_x509::UtcTime;
use zeroize::Zeroizing;

use crate::{
    args::{self, Arg, value_path, value_string},
    error::{Exit, Failure},
};

/// The map's `env:` and `file:` sources, read from this process's
/// environment and files.
pub struct MapReader;

impl MapSecrets for MapReader {
    fn resolve(&self, source: &MapSource) -> Result<Password, String> {
        match source {
            MapSource::Env(var) => {
                let value = std::env::var(var).map_err(|_| {
                    format!("the environment variable {var} (from the password map) is not set")
                })?;
                let mut value = Zeroizing::new(value);
                crate::password::strip_newline(&mut value);
                Ok(Password::new(value))
            }
            MapSource::File(path) => crate::password::read_password_file(path)
                .map(Password::new)
                .map_err(|f| f.message),
            _ => Ok(Password::empty()),
        }
    }
}

/// Reads the password map named with `--passwords`.
///
/// # Errors
/// Exit 2 naming the file, or the line and its problem.
pub fn read_map(path: Option<&Path>) -> Result<PasswordMap, Failure> {
    path.map_or_else(
        || Ok(PasswordMap::default()),
        |p| PasswordMap::read(p).map_err(|e| Failure::new(Exit::Usage, e.to_string())),
    )
}

/// `--warn-days N`: 0 (only expired certificates) to [`MAX_WARN_DAYS`].
fn parse_warn_days(text: &str) -> Result<u32, Failure> {
    let t = text.trim();
    t.parse::<u32>()
        .ok()
        .filter(|d| *d <= MAX_WARN_DAYS)
        .ok_or_else(|| {
            Failure::usage(format!(
                "--warn-days must be a whole number of days from 0 to {MAX_WARN_DAYS}, not {t:?}"
            ))
        })
}

/// The flags of `pfxgen audit`.
struct Options {
    paths: Vec<PathBuf>,
    map: Option<PathBuf>,
    warn_days: u32,
    json: bool,
    limits: Limits,
    max_run_work: u64,
}

impl Options {
    /// Handles one item; returns whether it was one of audit's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if args::take_max_work(arg, parser, &mut self.limits)?
            || args::take_max_run_work(arg, parser, &mut self.max_run_work)?
        {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "passwords" => {
                self.map = Some(value_path(parser, "--passwords")?);
            }
            Arg::Long(n) if n == "warn-days" => {
                self.warn_days = parse_warn_days(&value_string(parser, "--warn-days")?)?;
            }
            Arg::Long(n) if n == "json" => self.json = true,
            Arg::Value(v) => self.paths.push(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Parses the flags; `None` when help was shown.
fn parse(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let o = Options {
        paths: Vec::new(),
        map: None,
        warn_days: DEFAULT_WARN_DAYS,
        json: false,
        limits: Limits::default(),
        max_run_work: args::DEFAULT_MAX_RUN_WORK,
    };
    let Some(o) = args::parse_into(args, crate::help::AUDIT, o, Options::take)? else {
        return Ok(None);
    };
    if o.paths.is_empty() {
        return Err(Failure::usage(
            "audit needs at least one PATH (PFX file, service folder or folder to search)",
        ));
    }
    Ok(Some(o))
}

/// Runs `pfxgen audit`; returns 0 (clean) or 1 (findings).
///
/// # Errors
/// Exit 2 when it cannot run at all.
pub fn run(args: Vec<OsString>) -> Result<Exit, Failure> {
    run_inner(args).map_err(|mut f| {
        f.exit = Exit::Usage;
        f
    })
}

fn run_inner(args: Vec<OsString>) -> Result<Exit, Failure> {
    let Some(o) = parse(args)? else {
        return Ok(Exit::Success);
    };
    let map = read_map(o.map.as_deref())?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let report = audit::audit(&AuditRequest {
        paths: &o.paths,
        map: &map,
        secrets: &MapReader,
        services: &AsRotate,
        warn_days: o.warn_days,
        limits: &o.limits,
        max_run_work: o.max_run_work,
        now,
    })?;
    crate::render::audit::print(&report, o.json, o.map.is_some());
    Ok(if report.is_clean() {
        Exit::Success
    } else {
        Exit::CheckFailed
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_singular_for_one() {
        use crate::verdict::count;
        assert_eq!(count(0, "finding"), "0 findings");
        assert_eq!(count(1, "finding"), "1 finding");
        assert_eq!(count(2, "instance"), "2 instances");
    }

    #[test]
    fn warn_days_bounds_are_stated_exactly() {
        assert_eq!(super::parse_warn_days("0").unwrap(), 0);
        assert_eq!(super::parse_warn_days(" 36500 ").unwrap(), 36_500);
        for bad in ["-1", "36501", "ten", ""] {
            let e = super::parse_warn_days(bad).unwrap_err();
            assert!(
                e.message.contains("from 0 to 36500"),
                "{bad}: {}",
                e.message
            );
        }
    }
}
