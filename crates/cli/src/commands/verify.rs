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

use std::ffi::OsString;

use pfxgen_x509::UtcTime;

use crate::{
    args::{self, Arg, ReadOne, parse_days, value_string},
    error::{Exit, Failure},
    loader, render,
};

/// The operation and its report live in `pfxgen-core`; `rotate` calls
/// [`evaluate`] on the certificate it is about to install.
pub use pfxgen_core::verify::{
    Check, Checks, DEFAULT_MIN_DAYS, VerifyReport, VerifyReport as Outcome, evaluate,
};

#[derive(Debug)]
struct VerifyArgs {
    one: ReadOne,
    min_days: u32,
}

impl VerifyArgs {
    /// Handles one option; returns whether `arg` was one of verify's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if !matches!(arg, Arg::Long(n) if n == "min-days") {
            return self.one.take(arg, parser);
        }
        let text = value_string(parser, "--min-days")?;
        self.min_days = if text.trim() == "0" {
            0
        } else {
            parse_days(&text, "--min-days", 36_500).map_err(|_| {
                Failure::usage(format!(
                    "--min-days must be a whole number of days from 0 to 36500, not {:?}",
                    text.trim()
                ))
            })?
        };
        Ok(true)
    }
}

/// Runs `pfxgen verify`.
///
/// # Errors
/// Exit 1 when a check fails, 3 for password problems, 4 for unreadable or
/// damaged files, 6 for unsupported PFX features.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let start = VerifyArgs {
        one: ReadOne::default(),
        min_days: DEFAULT_MIN_DAYS,
    };
    let Some(a) = args::parse_into(args, crate::help::VERIFY, start, VerifyArgs::take)? else {
        return Ok(());
    };
    let file = a.one.file("verify")?;
    let loaded = loader::load(&file, &a.one.password, true, &a.one.limits)?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let report = evaluate(&loaded, a.min_days, now);
    render::verify::print(&file, &report, a.one.json);
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
