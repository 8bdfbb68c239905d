//! `pfxgen convert`: re-protect a PFX (new profile, new password, fresh
//! salts and IVs) keeping its key, end-entity certificate and chain. The
//! operation is `pfxgen_core::lifecycle::convert`; the report is rendered
//! by `render::convert`.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_core::lifecycle::convert::{ConvertRequest, convert};
use pfxgen_pkcs12::Profile;

use crate::{
    args::{self, Arg, parse_iterations, parse_profile, take_out},
    error::Failure,
    fsutil::same_location,
    generate::check_password_file_target,
    password::{OutPasswordArgs, PasswordArgs},
    render,
};

#[derive(Debug, Default)]
struct ConvertArgs {
    input: Option<PathBuf>,
    out: Option<PathBuf>,
    profile: Option<Profile>,
    iterations: Option<u32>,
    force: bool,
    password: PasswordArgs,
    out_password: OutPasswordArgs,
}

fn parse_args(args: Vec<OsString>) -> Result<Option<ConvertArgs>, Failure> {
    let mut a = ConvertArgs::default();
    let go_on = args::parse(args, crate::help::CONVERT, |arg, parser| {
        if a.password.parse(arg, parser)?
            || a.out_password.parse(arg, parser)?
            || take_out(arg, parser, &mut a.out)?
        {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "profile" => a.profile = Some(parse_profile(parser)?),
            Arg::Long(n) if n == "iterations" => a.iterations = Some(parse_iterations(parser)?),
            Arg::Long(n) if n == "force" => a.force = true,
            Arg::Value(v) if a.input.is_none() => a.input = Some(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(go_on.then_some(a))
}

/// Runs `pfxgen convert`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = parse_args(args)? else {
        return Ok(());
    };
    let input = a.input.ok_or_else(|| {
        Failure::usage("convert needs the input PFX: pfxgen convert IN --out OUT")
    })?;
    let out = a
        .out
        .ok_or_else(|| Failure::usage("convert needs --out OUT"))?;
    if same_location(&input, &out) && !a.force {
        return Err(Failure::usage(
            "--out is the input file; give another name, or --force to replace the input",
        ));
    }
    if let Some(pw) = &a.out_password.generate {
        check_password_file_target(pw, &[(&out, "the output PFX"), (&input, "the input PFX")])?;
    }
    let report = convert(&ConvertRequest {
        input: &input,
        out: &out,
        force: a.force,
        profile: a.profile.unwrap_or(Profile::Modern),
        iterations: a.iterations,
        password: &a.password,
        out_password: &a.out_password,
        generated_password_file: a.out_password.generate.as_deref(),
    })?;
    render::convert::text(&report);
    Ok(())
}
