//! `pfxgen generate`: key, self-signed certificate and PFX in one step.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::{Password, Profile};
use pfxgen_x509::{Certificate, SanEntry, hex_upper};

use crate::{
    args::{self, Arg, os_string, parse_days, value_parsed, value_path, value_string},
    error::Failure,
    json::Obj,
    password::{NewFilePassword, NewPasswordArgs, Origin},
    render,
};

pub use pfxgen_core::make::{
    Built, CertificateSpec, DEFAULT_DAYS, MAX_DAYS, check_password_file_target, output::Target,
    verify_written,
};
/// Default file name, as the identity server expects.
pub const DEFAULT_NAME: &str = "openssl.pfx";

/// The certificate and PFX options, shared with `rotate`.
#[derive(Debug, Default)]
pub struct NewCertificateArgs {
    /// The password options.
    pub password: NewPasswordArgs,
    /// The certificate to make: `--days` / `--valid-days` / third
    /// positional, `--algorithm`, `--subject`, `--san`, `--eku`,
    /// `--profile`, `--iterations`, `--friendly-name`.
    pub spec: CertificateSpec,
}

impl NewCertificateArgs {
    /// Handles one of the shared options. Returns whether `arg` was one.
    ///
    /// # Errors
    /// A usage failure for a bad value.
    pub fn parse(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.password.parse(arg, parser)? {
            return Ok(true);
        }
        let Arg::Long(name) = arg else {
            return Ok(false);
        };
        match name.as_str() {
            "days" | "valid-days" => {
                let text = value_string(parser, "--days")?;
                self.set_days(&text)?;
            }
            "algorithm" | "key-algorithm" => {
                self.spec.algorithm = value_parsed(parser, "--algorithm")?;
                self.spec.algorithm_given = true;
            }
            "subject" => {
                let text = value_string(parser, "--subject")?;
                self.spec.subject = Some(
                    text.parse()
                        .map_err(|e| Failure::usage(format!("--subject: {e}")))?,
                );
            }
            "san" => {
                let text = value_string(parser, "--san")?;
                for entry in parse_san_list(&text)? {
                    if !self.spec.sans.contains(&entry) {
                        self.spec.sans.push(entry);
                    }
                }
            }
            "eku" => {
                let text = value_string(parser, "--eku")?;
                if text.trim().is_empty() {
                    return Err(Failure::usage("--eku needs at least one usage"));
                }
                for item in text.split(',').filter(|s| !s.trim().is_empty()) {
                    let eku = item
                        .parse()
                        .map_err(|e| Failure::usage(format!("--eku: {e}")))?;
                    if !self.spec.ekus.contains(&eku) {
                        self.spec.ekus.push(eku);
                    }
                }
            }
            "profile" => self.spec.profile = args::parse_profile(parser)?,
            "iterations" => {
                let n = args::parse_iterations(parser)?;
                self.spec.iterations = Some(n);
            }
            "friendly-name" => {
                let text = value_string(parser, "--friendly-name")?;
                if text.is_empty()
                    || text.chars().count() > 256
                    || text.chars().any(char::is_control)
                {
                    return Err(Failure::usage(
                        "--friendly-name must be 1 to 256 characters without control characters",
                    ));
                }
                self.spec.friendly_name = Some(text.to_string());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Sets the validity from text, refusing a second, different value.
    ///
    /// # Errors
    /// A usage failure.
    pub fn set_days(&mut self, text: &str) -> Result<(), Failure> {
        let days = parse_days(text, "the validity", MAX_DAYS)?;
        if self.spec.days.is_some_and(|d| d != days) {
            return Err(Failure::usage(
                "the validity is given twice with different values",
            ));
        }
        self.spec.days = Some(days);
        Ok(())
    }

    /// Resolves the password for a new file: generated, from its source, or
    /// prompted (twice); applies the policy.
    ///
    /// # Errors
    /// Exit 2 for conflicting sources, exit 3 for no source or a weak password.
    pub fn new_password(&self) -> Result<(Password, Origin), Failure> {
        let source = NewFilePassword {
            args: &self.password,
            refuse_none: None,
            missing: "no password given and no terminal to ask for one",
            missing_hint: "use --password-file FILE, --password-env VAR, --password-stdin, \
                           --generate-password FILE, or --no-password for a deliberately \
                           password-less file",
        };
        source.obtain("the new PFX", true)
    }

    /// What would make `verify` or `rotate` refuse the file these options
    /// make, or the identity server's loader refuse it: said before any
    /// work, so that the operator can choose again.
    #[must_use]
    pub fn usability_warnings(&self) -> Vec<String> {
        self.spec
            .usability_warnings(self.password.sources.none, crate::verify::DEFAULT_MIN_DAYS)
    }

    /// Makes the key, the certificate and the PFX bytes.
    ///
    /// # Errors
    /// Internal failures only (RNG, encoding).
    pub fn build(&self, password: &Password) -> Result<Built, Failure> {
        self.spec.build(password)
    }
}

/// Describes the PFX protection for reports.
#[must_use]
pub fn protection_summary(profile: Profile, iterations: u32) -> String {
    match profile {
        Profile::Compat => format!(
            "compat: pbeWithSHAAnd3-KeyTripleDES-CBC for key and certificate, HMAC-SHA1 MAC, {iterations} iterations"
        ),
        _ => format!(
            "modern: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificate, HMAC-SHA256 MAC, {iterations} iterations"
        ),
    }
}

/// The certificate facts every command prints.
#[must_use]
pub fn certificate_json(cert: &Certificate, key_algorithm: &str) -> Obj {
    Obj::new()
        .field("key_algorithm", key_algorithm)
        .field("signature_algorithm", cert.signature_algorithm_name())
        .field("subject", cert.subject())
        .field("issuer", cert.issuer())
        .field("serial", cert.serial_hex())
        .field("not_before", cert.not_before().to_string())
        .field("not_after", cert.not_after().to_string())
        .field("sha1_thumbprint", hex_upper(&cert.sha1_thumbprint()))
        .field("sha256_fingerprint", hex_upper(&cert.sha256_fingerprint()))
}

/// Checks that `name` is a plain file name.
///
/// # Errors
/// A usage failure otherwise.
pub fn check_file_name(name: &str) -> Result<(), Failure> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.chars().any(char::is_control);
    if bad {
        Err(Failure::usage(format!(
            "--name must be a plain file name, not {name:?}"
        )))
    } else {
        Ok(())
    }
}

/// The parsed flags of `generate`.
#[derive(Default)]
struct Options {
    cert_args: NewCertificateArgs,
    out_dir: Option<PathBuf>,
    name: Option<String>,
    force: bool,
    json: bool,
    positionals: Vec<OsString>,
}

impl Options {
    fn set_out_dir(&mut self, dir: PathBuf, twice: &str) -> Result<(), Failure> {
        if self.out_dir.replace(dir).is_some() {
            return Err(Failure::usage(twice.to_owned()));
        }
        Ok(())
    }
}

/// Handles one of `generate`'s own options. Returns whether `arg` was one.
fn parse_own(arg: &Arg, parser: &mut lexopt::Parser, o: &mut Options) -> Result<bool, Failure> {
    const TWICE: &str = "the output folder is given twice";
    match arg {
        Arg::Long(n) if matches!(n.as_str(), "out" | "output-path" | "output-dir") => {
            o.set_out_dir(value_path(parser, "--out")?, TWICE)?;
        }
        Arg::Short('o') => o.set_out_dir(value_path(parser, "--out")?, TWICE)?,
        Arg::Long(n) if n == "name" => {
            let name = value_string(parser, "--name")?.to_string();
            check_file_name(&name)?;
            o.name = Some(name);
        }
        Arg::Long(n) if n == "force" => o.force = true,
        Arg::Long(n) if n == "json" => o.json = true,
        Arg::Value(v) => o.positionals.push(v.clone()),
        _ => return Ok(false),
    }
    Ok(true)
}

/// The vendor's drop-in form: `generate PASSWORD OUTPUT_DIR VALID_DAYS`.
fn take_positionals(o: &mut Options) -> Result<(), Failure> {
    if o.positionals.len() > 3 {
        return Err(Failure::usage(
            "too many arguments (expected at most PASSWORD OUTPUT_DIR VALID_DAYS)",
        ));
    }
    let mut positionals = core::mem::take(&mut o.positionals).into_iter();
    if let Some(pw) = positionals.next() {
        o.cert_args
            .password
            .sources
            .set_argv(os_string(pw, "PASSWORD")?)?;
    }
    if let Some(dir) = positionals.next() {
        o.set_out_dir(
            PathBuf::from(dir),
            "the output folder is given twice (OUTPUT_DIR and --out)",
        )?;
    }
    if let Some(days) = positionals.next() {
        // Positionals in the wrong order can put the password here: a bad
        // value is not echoed.
        let text = os_string(days, "VALID_DAYS")?;
        if text.trim().parse::<u32>().is_err() {
            return Err(Failure::usage(
                "VALID_DAYS (the third argument) must be a whole number of days; the value \
                 given is not shown, in case it is a password in the wrong place",
            ));
        }
        o.cert_args.set_days(&text)?;
    }
    Ok(())
}

fn parse_generate(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let take = |o: &mut Options, arg: &Arg, parser: &mut lexopt::Parser| {
        Ok(o.cert_args.parse(arg, parser)? || parse_own(arg, parser, o)?)
    };
    let Some(mut o) = args::parse_into(args, crate::help::GENERATE, Options::default(), take)?
    else {
        return Ok(None);
    };
    take_positionals(&mut o)?;
    Ok(Some(o))
}

/// Runs `pfxgen generate`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(o) = parse_generate(args)? else {
        return Ok(());
    };
    let out_dir = o.out_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let name = o.name.as_deref().unwrap_or(DEFAULT_NAME);
    // Cheap checks first: never generate a key only to fail on the output.
    let target = Target::prepare(
        &out_dir.join(name),
        o.force,
        o.cert_args.password.generate.as_deref(),
    )?;
    for warning in o.cert_args.usability_warnings() {
        eprintln!("warning: {warning}");
    }
    let (password, origin) = o.cert_args.new_password()?;
    let built = o.cert_args.build(&password)?;
    let written = target.install(&built, &password)?;
    for warning in &written.warnings {
        eprintln!("warning: {warning}");
    }
    render::generate::print(&written, &built, &origin, o.json);
    Ok(())
}

/// Parses a `--san` list: comma-separated entries, each `type:value` or a
/// bare DNS name or IP address. Once one entry has a type, every entry
/// needs one: otherwise a comma inside a URI (`uri:https://x/a,b`) would
/// silently make `b` a DNS name. Repeated entries count once.
///
/// # Errors
/// A usage failure naming the entry.
pub fn parse_san_list(text: &str) -> Result<Vec<SanEntry>, Failure> {
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items.iter().all(|i| i.is_empty()) {
        return Err(Failure::usage("--san needs at least one name"));
    }
    let typed = |i: &str| {
        i.split_once(':').is_some_and(|(p, _)| {
            ["dns", "ip", "email", "uri"].contains(&p.to_ascii_lowercase().as_str())
        })
    };
    let any_typed = items.iter().any(|i| typed(i));
    let mut out = Vec::new();
    for item in items {
        if item.is_empty() {
            return Err(Failure::usage(format!(
                "--san {text:?} has an empty entry (two commas, or one at an end)"
            )));
        }
        if any_typed && !typed(item) {
            return Err(Failure::usage(format!(
                "--san entry {item:?} has no type while others do; give each entry one \
                 (dns:, ip:, email:, uri:). A comma cannot be part of a value: write it \
                 as %2C in a URI"
            )));
        }
        let entry = item
            .parse()
            .map_err(|e| Failure::usage(format!("--san: {e}")))?;
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Splits a file path into its folder (default `.`) and file name.
///
/// # Errors
/// A usage failure for a path without a file name.
pub fn split_path(path: &Path) -> Result<(PathBuf, String), Failure> {
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(|| Failure::usage(format!("{} is not a file path", path.display())))?
        .to_owned();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, file))
}
