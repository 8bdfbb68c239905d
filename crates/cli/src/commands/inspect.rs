//! `pfxgen inspect FILE`: everything about a PFX, with verdicts.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_core::inspect;
use pfxgen_pkcs12::Limits;
use pfxgen_x509::UtcTime;

use crate::{
    args::{self, Arg},
    error::Failure,
    loader,
    password::PasswordArgs,
    render,
};

/// Runs `pfxgen inspect`.
///
/// A file whose contents cannot be decrypted (an unsupported cipher or
/// scheme) is still reported from what is readable without decrypting;
/// the command then ends with the failure that stopped the decryption.
///
/// # Errors
/// Exit 3 (wrong password), 4 (unreadable or damaged file), 6 (unsupported).
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let mut password = PasswordArgs::default();
    let mut json = false;
    let mut limits = Limits::default();
    let mut file: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "json" => json = true,
            Arg::Long(n) if n == "max-work" => {
                let text = args::value_string(&mut parser, "--max-work")?;
                limits.max_work = args::parse_work(&text, "--max-work")?;
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::INSPECT, crate::help::EXIT_CODES);
                return Ok(());
            }
            Arg::Value(v) if file.is_none() => file = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    let file = file.ok_or_else(|| Failure::usage("inspect needs a FILE"))?;
    let (loaded, unreadable) = loader::load_readable(&file, &password, &limits)?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(crate::Exit::Internal, "the system clock is unusable"))?;
    let shown = file.display().to_string();
    // The reason, without the file name the failure starts with.
    let why = unreadable.as_ref().map(|f| {
        f.message
            .strip_prefix(&format!("{shown}: "))
            .unwrap_or(&f.message)
            .to_owned()
    });
    let report = inspect::build(&shown, &loaded, why.as_deref(), now);
    if json {
        outln!("{}", render::inspect::json(&report).pretty());
    } else {
        out!("{}", render::inspect::text(&report));
    }
    unreadable.map_or(Ok(()), Err)
}
