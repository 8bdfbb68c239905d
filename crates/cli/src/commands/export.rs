//! `pfxgen export`: the certificate, the chain, the public key or (only
//! when asked explicitly) the private key of a PFX, as PEM or DER. The
//! operation is `pfxgen_core::lifecycle::export`; the report is rendered by
//! `render::export`.

use std::ffi::OsString;

use pfxgen_core::lifecycle::export::{ExportRequest, What, export};

use crate::{
    args::{self, Arg, InOut},
    error::{Exit, Failure},
    generate::check_password_file_target,
    render,
};

#[derive(Debug, Default)]
struct ExportArgs {
    files: InOut,
    what: Vec<What>,
    der: bool,
    unencrypted: bool,
}

impl ExportArgs {
    /// Handles one option; returns whether `arg` was one of export's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        let Arg::Long(name) = arg else {
            return self.files.take(arg, parser);
        };
        match name.as_str() {
            "cert" => self.what.push(What::Cert),
            "chain" => self.what.push(What::Chain),
            "public-key" => self.what.push(What::PublicKey),
            "key" => self.what.push(What::Key),
            "unencrypted-key" => self.unencrypted = true,
            "der" => self.der = true,
            _ => return self.files.take(arg, parser),
        }
        Ok(true)
    }
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
    let help = crate::help::EXPORT;
    let Some(a) = args::parse_into(args, help, ExportArgs::default(), ExportArgs::take)? else {
        return Ok(());
    };
    let what = choose(&a)?;
    let (input, out) = a.files.paths(
        "export needs the PFX: pfxgen export IN --cert --out FILE",
        "export needs --out FILE",
    )?;
    let out_password = &a.files.out_password;
    if what != What::Key && (out_password.given() || a.unencrypted) {
        return Err(Failure::usage(
            "--out-password-*, --out-generate-password and --unencrypted-key apply to --key only",
        ));
    }
    if what == What::Key {
        check_key_protection(&a)?;
    }
    if let Some(pw) = &out_password.generate {
        check_password_file_target(
            pw,
            &[(&out, "the exported file"), (&input, "the input PFX")],
        )?;
    }
    let report = export(&ExportRequest {
        files: a.files.files(&input, &out),
        what,
        der: a.der,
        unencrypted: a.unencrypted,
    })?;
    render::export::text(&report);
    Ok(())
}

/// `--key` needs an output password, or `--unencrypted-key`.
fn check_key_protection(a: &ExportArgs) -> Result<(), Failure> {
    if a.unencrypted && a.files.out_password.given() {
        return Err(Failure::usage(
            "--unencrypted-key and an output password exclude each other",
        ));
    }
    if a.files.out_password.none {
        return Err(Failure::usage(
            "--key with --out-no-password is refused; use --unencrypted-key to write the key \
             without encryption deliberately",
        ));
    }
    if !a.unencrypted && !a.files.out_password.given() {
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
