//! `pfxgen pack`: a key file, its certificate (PEM, DER or `.p7b`) and the
//! CA chain joined into a PFX, with the chain ordered by signature. The
//! operation is `pfxgen_core::lifecycle::pack` (plan, then apply); the
//! notes and the report are rendered by `render::pack`.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_core::lifecycle::pack::{PackProtection, PackRequest, apply, plan};
use pfxgen_pkcs12::Profile;

use crate::{
    args::{
        self, Arg, parse_iterations, parse_profile, set_once, take_out, value_path, value_string,
    },
    error::Failure,
    generate::check_password_file_target,
    password::{NewFilePassword, NewPasswordArgs, PasswordArgs},
    render,
};

#[derive(Debug, Default)]
struct PackArgs {
    key: Option<PathBuf>,
    cert: Option<PathBuf>,
    chain: Vec<PathBuf>,
    out: Option<PathBuf>,
    key_password: PasswordArgs,
    password: NewPasswordArgs,
    profile: Option<Profile>,
    iterations: Option<u32>,
    friendly_name: Option<String>,
    force: bool,
}

impl PackArgs {
    /// Handles one option; returns whether `arg` was one of pack's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.password.parse(arg, parser)? || take_out(arg, parser, &mut self.out)? {
            return Ok(true);
        }
        let Arg::Long(name) = arg else {
            return Ok(false);
        };
        match name.as_str() {
            "key" => set_once(&mut self.key, value_path(parser, "--key")?, "--key")?,
            "cert" => set_once(&mut self.cert, value_path(parser, "--cert")?, "--cert")?,
            "chain" => self.chain.push(value_path(parser, "--chain")?),
            "key-password-file" => {
                self.key_password.file = Some(value_path(parser, "--key-password-file")?);
            }
            "key-password-env" => {
                let var = value_string(parser, "--key-password-env")?;
                self.key_password.env = Some(var.to_string());
            }
            "key-no-password" => self.key_password.none = true,
            "profile" => self.profile = Some(parse_profile(parser)?),
            "iterations" => self.iterations = Some(parse_iterations(parser)?),
            "friendly-name" => self.friendly_name = Some(friendly_name(parser)?),
            "force" => self.force = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn friendly_name(parser: &mut lexopt::Parser) -> Result<String, Failure> {
    let text = value_string(parser, "--friendly-name")?;
    if text.is_empty() || text.chars().count() > 256 || text.chars().any(char::is_control) {
        return Err(Failure::usage(
            "--friendly-name must be 1 to 256 characters without control characters",
        ));
    }
    Ok(text.to_string())
}

/// Runs `pfxgen pack`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = args::parse_into(args, crate::help::PACK, PackArgs::default(), PackArgs::take)?
    else {
        return Ok(());
    };
    let key = a
        .key
        .clone()
        .ok_or_else(|| Failure::usage("pack needs --key KEY"))?;
    let cert = a
        .cert
        .clone()
        .ok_or_else(|| Failure::usage("pack needs --cert CERT"))?;
    let out = a
        .out
        .clone()
        .ok_or_else(|| Failure::usage("pack needs --out OUT"))?;
    if let Some(pw) = &a.password.generate {
        check_password_file_target(pw, &[(&out, "the output PFX"), (&key, "the key file")])?;
    }
    let found = plan(&PackRequest {
        key: &key,
        cert: &cert,
        chain: &a.chain,
        out: &out,
        force: a.force,
        key_password: &a.key_password,
    })?;
    render::pack::notes(&found.notes);
    let password = NewFilePassword {
        args: &a.password,
        refuse_none: None,
        missing: "no password given for the PFX and no terminal to ask for one",
        missing_hint: "use --password-file FILE, --password-env VAR, --password-stdin, \
                       --generate-password FILE or --no-password",
    };
    let report = apply(
        found,
        &PackProtection {
            password: &password,
            generated_password_file: a.password.generate.as_deref(),
            profile: a.profile.unwrap_or(Profile::Modern),
            iterations: a.iterations,
            friendly_name: a.friendly_name.clone(),
        },
    )?;
    render::pack::text(&report);
    Ok(())
}
