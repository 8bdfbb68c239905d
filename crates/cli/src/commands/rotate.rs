//! `pfxgen rotate`: parses the flags into a [`RotateRequest`], plans the
//! rotation in `pfxgen_core::service::rotate`, and renders the plan (dry
//! run) or carries it out and renders the outcome (`render::rotate`).

use std::{cell::Cell, ffi::OsString, io::IsTerminal as _, path::PathBuf};

use pfxgen_core::{
    secret::{Origin, PasswordSource},
    service::{
        current::CurrentPolicy,
        rotate::{self, NewSource, RotateRequest},
    },
};
use pfxgen_pkcs12::{Limits, Password};

use crate::{
    args::{self, Arg, parse_days, value_path, value_string},
    error::Failure,
    generate::NewCertificateArgs,
    password::PasswordArgs,
    render, verify,
};

/// The parsed flags of `rotate`.
struct Options {
    service_dir: PathBuf,
    certificate: Option<PathBuf>,
    /// `--from FILE`, else the certificate options (with the new password).
    from: Option<PathBuf>,
    gen_args: NewCertificateArgs,
    current_password: PasswordArgs,
    install_path: Option<String>,
    dry_run: bool,
    current_policy: CurrentPolicy,
    environment: Option<String>,
    min_days: u32,
    json: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            service_dir: PathBuf::new(),
            certificate: None,
            from: None,
            gen_args: NewCertificateArgs::default(),
            current_password: PasswordArgs::default(),
            install_path: None,
            dry_run: false,
            current_policy: CurrentPolicy::default(),
            environment: None,
            min_days: verify::DEFAULT_MIN_DAYS,
            json: false,
        }
    }
}

/// Handles `--current-password-file`, `--current-password-env` and
/// `--current-no-password`. Returns whether `arg` was one.
fn parse_current_password(
    arg: &Arg,
    parser: &mut lexopt::Parser,
    current: &mut PasswordArgs,
) -> Result<bool, Failure> {
    let Arg::Long(n) = arg else { return Ok(false) };
    match n.as_str() {
        "current-password-file" => {
            current.file = Some(value_path(parser, "--current-password-file")?);
        }
        "current-password-env" => {
            current.env = Some(value_string(parser, "--current-password-env")?.to_string());
        }
        "current-no-password" => current.none = true,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Handles one of `rotate`'s own options. Returns whether `arg` was one.
fn parse_own(arg: &Arg, parser: &mut lexopt::Parser, o: &mut Options) -> Result<bool, Failure> {
    let Arg::Long(n) = arg else { return Ok(false) };
    match n.as_str() {
        "service-dir" => o.service_dir = value_path(parser, "--service-dir")?,
        "from" => o.from = Some(value_path(parser, "--from")?),
        "certificate" => o.certificate = Some(value_path(parser, "--certificate")?),
        "install-path" => {
            let v = value_string(parser, "--install-path")?;
            if v.trim().is_empty() {
                return Err(Failure::usage("--install-path must not be empty"));
            }
            o.install_path = Some(v.to_string());
        }
        "dry-run" => o.dry_run = true,
        "allow-missing-current" => o.current_policy.allow_missing = true,
        "allow-unreadable-current" => o.current_policy.allow_unreadable = true,
        "environment" => {
            o.environment = Some(value_string(parser, "--environment")?.to_string());
        }
        "min-days" => {
            let t = value_string(parser, "--min-days")?;
            o.min_days = if t.trim() == "0" {
                0
            } else {
                parse_days(&t, "--min-days", 36_500)?
            };
        }
        "json" => o.json = true,
        _ => return Ok(false),
    }
    Ok(true)
}

fn parse_rotate(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let take = |o: &mut Options, arg: &Arg, parser: &mut lexopt::Parser| {
        Ok(
            parse_current_password(arg, parser, &mut o.current_password)?
                || o.gen_args.parse(arg, parser)?
                || parse_own(arg, parser, o)?,
        )
    };
    let Some(o) = args::parse_into(args, crate::help::ROTATE, Options::default(), take)? else {
        return Ok(None);
    };
    if o.service_dir.as_os_str().is_empty() {
        return Err(Failure::usage("rotate needs --service-dir DIR"));
    }
    let spec = &o.gen_args.spec;
    let generate_only = o.gen_args.password.generate.is_some()
        || spec.days.is_some()
        || spec.subject.is_some()
        || !spec.sans.is_empty()
        || spec.iterations.is_some()
        || spec.friendly_name.is_some();
    if o.from.is_some() && generate_only {
        return Err(Failure::usage(
            "--from takes an existing file; certificate options apply only without it",
        ));
    }
    Ok(Some(o))
}

/// The new password of a generated certificate, as a [`PasswordSource`]:
/// generated, or read and held to the policy (asked again at a prompt).
struct NewPassword<'a>(&'a NewCertificateArgs);

impl PasswordSource for NewPassword<'_> {
    fn given(&self) -> bool {
        self.0.password.sources.given() || self.0.password.generate.is_some()
    }

    fn can_ask(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    fn read(&self, _purpose: &str, _confirm: bool) -> Result<Option<(Password, Origin)>, Failure> {
        self.0.new_password().map(Some)
    }
}

/// The current certificate's password: its options, or (at a terminal)
/// the prompt, which says so when the previous answer did not open it.
struct CurrentPassword<'a> {
    args: &'a PasswordArgs,
    asked: Cell<u32>,
}

impl PasswordSource for CurrentPassword<'_> {
    fn given(&self) -> bool {
        self.args.given()
    }

    fn can_ask(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    fn read(&self, purpose: &str, confirm: bool) -> Result<Option<(Password, Origin)>, Failure> {
        if !self.args.given() {
            // Asked again only after the previous answer failed to open it.
            if self.asked.get() > 0 {
                eprintln!(
                    "That password does not open {}.",
                    purpose.trim_start_matches("the current certificate ")
                );
            }
            self.asked.set(self.asked.get() + 1);
        }
        self.args.read(purpose, confirm)
    }
}

/// Runs `pfxgen rotate`.
///
/// # Errors
/// Exit 1 when the new certificate fails a check or is the current one;
/// 3, 4, 5, 6, 7, 8 as documented. The service folder is unchanged on error.
pub fn run_rotate(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(mut o) = parse_rotate(args)? else {
        return Ok(());
    };
    let source = match o.from.take() {
        Some(path) => NewSource::From(path),
        None => NewSource::Generate {
            spec: Box::new(o.gen_args.spec.clone()),
            password_file: o.gen_args.password.generate.clone(),
        },
    };
    let generated = NewPassword(&o.gen_args);
    let new_password: &dyn PasswordSource = match &source {
        NewSource::From(_) => &o.gen_args.password.sources,
        _ => &generated,
    };
    let current_password = CurrentPassword {
        args: &o.current_password,
        asked: Cell::new(0),
    };
    let request = RotateRequest {
        service_dir: o.service_dir.clone(),
        certificate: o.certificate.clone(),
        environment: o.environment.clone(),
        source,
        new_password,
        current_password: &current_password,
        install_path: o.install_path.clone(),
        dry_run: o.dry_run,
        current_policy: o.current_policy,
        limits: Limits::default(),
        min_days: o.min_days,
    };
    let prepared = rotate::plan(request)?;
    if let Some(w) = &prepared.plan.lock_taken_over {
        eprintln!("warning: {w}");
    }
    if o.dry_run {
        render::rotate::plan(&prepared.plan, o.json);
        return Ok(());
    }
    let outcome = rotate::apply(prepared)?;
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    render::rotate::outcome(&outcome, o.json);
    Ok(())
}
