//! `pfxgen verify FILE`: a pass/fail check for scripts and monitoring.
//!
//! Exit 0 only when every check passes: the password opens the file and
//! the MAC verifies; there is exactly one private key; it matches the
//! end-entity certificate; the key, curve and hash are ones the identity
//! server supports (and, for a CA-issued certificate, so is the issuer's
//! signature, verified when the issuer is in the file); the certificate is
//! valid now and for at least `--min-days` more days; the file is inside
//! .NET's default loader limits; and a token signed with the key verifies
//! with the certificate.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_pkcs12::Limits;
use pfxgen_x509::UtcTime;

use crate::{
    args::{self, Arg, parse_days, value_string},
    error::{Exit, Failure},
    loader,
    password::PasswordArgs,
    render,
};

/// The operation and its report live in `pfxgen-core`; `rotate` calls
/// [`evaluate`] on the certificate it is about to install.
pub use pfxgen_core::verify::{
    Check, Checks, DEFAULT_MIN_DAYS, VerifyReport, VerifyReport as Outcome, evaluate,
};

/// Runs `pfxgen verify`.
///
/// # Errors
/// Exit 1 when a check fails, 3 for password problems, 4 for unreadable or
/// damaged files, 6 for unsupported PFX features.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let mut password = PasswordArgs::default();
    let mut json = false;
    let mut limits = Limits::default();
    let mut min_days = DEFAULT_MIN_DAYS;
    let mut file: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "json" => json = true,
            Arg::Long(n) if n == "max-work" => {
                let text = value_string(&mut parser, "--max-work")?;
                limits.max_work = args::parse_work(&text, "--max-work")?;
            }
            Arg::Long(n) if n == "min-days" => {
                let text = value_string(&mut parser, "--min-days")?;
                min_days = if text.trim() == "0" {
                    0
                } else {
                    parse_days(&text, "--min-days", 36_500).map_err(|_| {
                        Failure::usage(format!(
                            "--min-days must be a whole number of days from 0 to 36500, not {:?}",
                            text.trim()
                        ))
                    })?
                };
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::VERIFY, crate::help::EXIT_CODES);
                return Ok(());
            }
            Arg::Value(v) if file.is_none() => file = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    let file = file.ok_or_else(|| Failure::usage("verify needs a FILE"))?;
    let loaded = loader::load(&file, &password, true, &limits)?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let report = evaluate(&loaded, min_days, now);
    render::verify::print(&file, &report, json);
    if report.ok() {
        Ok(())
    } else {
        let failed: Vec<&str> = report.failed().map(|c| c.name).collect();
        Err(Failure::new(
            Exit::CheckFailed,
            format!("{} failed: {}", file.display(), failed.join(", ")),
        ))
    }
}
