//! `pfxgen export`: the certificate, the chain, the public key or (only
//! when asked explicitly) the private key of a PFX, as PEM or DER. The
//! operation is `pfxgen_core::lifecycle::export`; the report is rendered by
//! `render::export`.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_core::lifecycle::export::{ExportRequest, What, export};

use crate::{
    args::{self, Arg, take_out},
    error::{Exit, Failure},
    generate::check_password_file_target,
    password::{OutPasswordArgs, PasswordArgs},
    render,
};

#[derive(Debug, Default)]
struct ExportArgs {
    input: Option<PathBuf>,
    out: Option<PathBuf>,
    what: Vec<What>,
    der: bool,
    unencrypted: bool,
    force: bool,
    password: PasswordArgs,
    out_password: OutPasswordArgs,
}

fn parse_args(args: Vec<OsString>) -> Result<Option<ExportArgs>, Failure> {
    let mut a = ExportArgs::default();
    let go_on = args::parse(args, crate::help::EXPORT, |arg, parser| {
        if a.password.parse(arg, parser)?
            || a.out_password.parse(arg, parser)?
            || take_out(arg, parser, &mut a.out)?
        {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "cert" => a.what.push(What::Cert),
            Arg::Long(n) if n == "chain" => a.what.push(What::Chain),
            Arg::Long(n) if n == "public-key" => a.what.push(What::PublicKey),
            Arg::Long(n) if n == "key" => a.what.push(What::Key),
            Arg::Long(n) if n == "unencrypted-key" => a.unencrypted = true,
            Arg::Long(n) if n == "der" => a.der = true,
            Arg::Long(n) if n == "force" => a.force = true,
            Arg::Value(v) if a.input.is_none() => a.input = Some(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(go_on.then_some(a))
}

/// Decides what to export from the flags.
fn choose(a: &ExportArgs) -> Result<What, Failure> {
    let mut what = a.what.clone();
    what.dedup();
    if a.unencrypted && !what.contains(&What::Key) {
        what.push(What::Key);
    }
    match what.as_slice() {
        [one] => Ok(*one),
        [] => Err(Failure::usage(
            "say what to export: --cert, --chain, --public-key, or --key",
        )),
        _ => Err(Failure::usage(
            "export one thing at a time: --cert, --chain, --public-key or --key",
        )),
    }
}

/// Runs `pfxgen export`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = parse_args(args)? else {
        return Ok(());
    };
    let what = choose(&a)?;
    let input = a.input.clone().ok_or_else(|| {
        Failure::usage("export needs the PFX: pfxgen export IN --cert --out FILE")
    })?;
    let out = a
        .out
        .clone()
        .ok_or_else(|| Failure::usage("export needs --out FILE"))?;
    if what != What::Key && (a.out_password.given() || a.unencrypted) {
        return Err(Failure::usage(
            "--out-password-*, --out-generate-password and --unencrypted-key apply to --key only",
        ));
    }
    if what == What::Key {
        check_key_protection(&a)?;
    }
    if let Some(pw) = &a.out_password.generate {
        check_password_file_target(
            pw,
            &[(&out, "the exported file"), (&input, "the input PFX")],
        )?;
    }
    let report = export(&ExportRequest {
        input: &input,
        out: &out,
        force: a.force,
        what,
        der: a.der,
        unencrypted: a.unencrypted,
        password: &a.password,
        out_password: &a.out_password,
        generated_password_file: a.out_password.generate.as_deref(),
    })?;
    render::export::text(&report);
    Ok(())
}

/// `--key` needs an output password, or `--unencrypted-key`.
fn check_key_protection(a: &ExportArgs) -> Result<(), Failure> {
    if a.unencrypted && a.out_password.given() {
        return Err(Failure::usage(
            "--unencrypted-key and an output password exclude each other",
        ));
    }
    if a.out_password.none {
        return Err(Failure::usage(
            "--key with --out-no-password is refused; use --unencrypted-key to write the key \
             without encryption deliberately",
        ));
    }
    if !a.unencrypted && !a.out_password.given() {
        return Err(Failure::new(
            Exit::Password,
            "--key writes an encrypted key and needs its password",
        )
        .with_hint(
            "use --out-password-file FILE, --out-password-env VAR or --out-generate-password FILE \
             (or --unencrypted-key)",
        ));
    }
    Ok(())
}
