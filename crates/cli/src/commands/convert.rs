//! `pfxgen convert`: re-protect a PFX (new profile, new password, fresh
//! salts and IVs) keeping its key, end-entity certificate and chain. The
//! operation is `pfxgen_core::lifecycle::convert`; the report is rendered
//! by `render::convert`.

use std::ffi::OsString;

use pfxgen_core::lifecycle::convert::{ConvertRequest, convert};
use pfxgen_pkcs12::Profile;

use crate::{
    args::{self, Arg, InOut, parse_iterations, parse_profile},
    error::Failure,
    fsutil::same_location,
    generate::check_password_file_target,
    render,
};

#[derive(Debug, Default)]
struct ConvertArgs {
    files: InOut,
    profile: Option<Profile>,
    iterations: Option<u32>,
}

impl ConvertArgs {
    /// Handles one option; returns whether `arg` was one of convert's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        match arg {
            Arg::Long(n) if n == "profile" => self.profile = Some(parse_profile(parser)?),
            Arg::Long(n) if n == "iterations" => self.iterations = Some(parse_iterations(parser)?),
            _ => return self.files.take(arg, parser),
        }
        Ok(true)
    }
}

/// Runs `pfxgen convert`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let help = crate::help::CONVERT;
    let Some(a) = args::parse_into(args, help, ConvertArgs::default(), ConvertArgs::take)? else {
        return Ok(());
    };
    let (input, out) = a.files.paths(
        "convert needs the input PFX: pfxgen convert IN --out OUT",
        "convert needs --out OUT",
    )?;
    if same_location(&input, &out) && !a.files.force {
        return Err(Failure::usage(
            "--out is the input file; give another name, or --force to replace the input",
        ));
    }
    if let Some(pw) = &a.files.out_password.generate {
        check_password_file_target(pw, &[(&out, "the output PFX"), (&input, "the input PFX")])?;
    }
    let report = convert(&ConvertRequest {
        files: a.files.files(&input, &out),
        profile: a.profile.unwrap_or(Profile::Modern),
        iterations: a.iterations,
    })?;
    render::convert::text(&report);
    Ok(())
}
