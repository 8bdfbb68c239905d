//! `pfxgen pack`: a key file, its certificate (PEM, DER or `.p7b`) and the
//! CA chain joined into a PFX, with the chain ordered by signature.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{
    KeyFile, Limits, MAX_CHAIN_LENGTH, MAX_FILE_CERTIFICATES, Password, Profile, WriteOptions,
    read_certificate_file, write_pfx,
};
use pfxgen_x509::{Certificate, UtcTime, hex_upper};

use crate::{
    args::{self, Arg, value_path, value_string},
    convert::{
        Output, install_with_password, parse_iterations, parse_profile, set_once, verify_pfx,
    },
    error::{Exit, Failure, from_pkcs12},
    generate::{check_password_file_target, protection_summary},
    loader::read_file,
    password::{Origin, PasswordArgs, enforce_policy},
    policy,
};

#[derive(Debug, Default)]
struct PackArgs {
    key: Option<PathBuf>,
    cert: Option<PathBuf>,
    chain: Vec<PathBuf>,
    out: Option<PathBuf>,
    key_password: PasswordArgs,
    password: PasswordArgs,
    generate_password: Option<PathBuf>,
    allow_weak: bool,
    profile: Option<Profile>,
    iterations: Option<u32>,
    friendly_name: Option<String>,
    force: bool,
}

fn parse_args(args: Vec<OsString>) -> Result<Option<PackArgs>, Failure> {
    let mut a = PackArgs::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if a.password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "key" => {
                set_once(&mut a.key, value_path(&mut parser, "--key")?, "--key")?
            }
            Arg::Long(n) if n == "cert" => {
                set_once(&mut a.cert, value_path(&mut parser, "--cert")?, "--cert")?;
            }
            Arg::Long(n) if n == "chain" => a.chain.push(value_path(&mut parser, "--chain")?),
            Arg::Long(n) if n == "out" => {
                set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?
            }
            Arg::Short('o') => set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?,
            Arg::Long(n) if n == "key-password-file" => {
                a.key_password.file = Some(value_path(&mut parser, "--key-password-file")?);
            }
            Arg::Long(n) if n == "key-password-env" => {
                a.key_password.env =
                    Some(value_string(&mut parser, "--key-password-env")?.to_string());
            }
            Arg::Long(n) if n == "key-no-password" => a.key_password.none = true,
            Arg::Long(n) if n == "generate-password" => {
                a.generate_password = Some(value_path(&mut parser, "--generate-password")?);
            }
            Arg::Long(n) if n == "allow-weak-password" => a.allow_weak = true,
            Arg::Long(n) if n == "profile" => a.profile = Some(parse_profile(&mut parser)?),
            Arg::Long(n) if n == "iterations" => {
                a.iterations = Some(parse_iterations(&mut parser)?)
            }
            Arg::Long(n) if n == "friendly-name" => {
                let text = value_string(&mut parser, "--friendly-name")?;
                if text.is_empty()
                    || text.chars().count() > 256
                    || text.chars().any(char::is_control)
                {
                    return Err(Failure::usage(
                        "--friendly-name must be 1 to 256 characters without control characters",
                    ));
                }
                a.friendly_name = Some(text.to_string());
            }
            Arg::Long(n) if n == "force" => a.force = true,
            x if x.is_help() => {
                out!("{}\n{}", crate::help::PACK, crate::help::EXIT_CODES);
                return Ok(None);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(a))
}

/// Reads and loads the key file.
fn load_key(
    path: &std::path::Path,
    pw: &PasswordArgs,
    limits: &Limits,
) -> Result<PrivateKey, Failure> {
    let shown = path.display().to_string();
    let bytes = zeroize::Zeroizing::new(read_file(path, limits)?);
    let file = KeyFile::parse(&bytes, limits).map_err(|e| from_pkcs12(&shown, &e))?;
    let password = if file.is_encrypted() {
        if pw.none {
            return Err(Failure::new(
                Exit::Password,
                format!("{shown} is encrypted; --key-no-password does not open it"),
            ));
        }
        let (p, _) = pw.read(&shown, false)?.ok_or_else(|| {
            Failure::new(
                Exit::Password,
                format!("{shown} is encrypted and no password was given"),
            )
            .with_hint(
                "use --key-password-file FILE or --key-password-env VAR, or run at a terminal",
            )
        })?;
        Some(p)
    } else {
        None
    };
    file.load(password.as_ref(), limits)
        .map_err(|e| from_pkcs12(&shown, &e))
}

/// Reads every certificate of the files, refusing more than the limit.
fn load_certs(paths: &[PathBuf], limits: &Limits) -> Result<Vec<Certificate>, Failure> {
    let mut all = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let bytes = read_file(path, limits)?;
        let file = read_certificate_file(&bytes, limits).map_err(|e| from_pkcs12(&shown, &e))?;
        for ignored in &file.ignored {
            eprintln!("note: {shown}: ignored {ignored}");
        }
        for c in file.certificates {
            if !all.contains(&c) {
                all.push(c);
            }
        }
        if all.len() > MAX_FILE_CERTIFICATES {
            return Err(Failure::new(
                Exit::Input,
                format!("more than {MAX_FILE_CERTIFICATES} certificates given"),
            ));
        }
    }
    Ok(all)
}

/// The chain above `leaf`, issuer first, found by signature among `pool`,
/// and whether it ends in a self-signed certificate.
#[must_use]
pub fn order_chain(leaf: &Certificate, pool: &[Certificate]) -> (Vec<Certificate>, bool) {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf.clone();
    while chain.len() < MAX_CHAIN_LENGTH {
        if let Ok(own) = current.public_key() {
            if current.verify_signature(&own).is_ok() {
                return (chain, true);
            }
        }
        let next = pool.iter().find(|c| {
            *c != leaf
                && !chain.contains(c)
                && c.public_key()
                    .is_ok_and(|k| current.verify_signature(&k).is_ok())
        });
        match next {
            Some(c) => {
                chain.push(c.clone());
                current = c.clone();
            }
            None => return (chain, false),
        }
    }
    (chain, false)
}

/// The output password: generated, or from the password options (checked
/// by the policy), or asked twice at a terminal.
fn out_password(a: &PackArgs) -> Result<(Password, Origin), Failure> {
    if a.generate_password.is_some() {
        if a.password.given() {
            return Err(Failure::usage(
                "--generate-password cannot be combined with another password source",
            ));
        }
        let pw = policy::generate().map_err(|e| {
            Failure::new(Exit::Internal, format!("cannot generate a password: {e}"))
        })?;
        return Ok((Password::new(pw), Origin::Generated));
    }
    let (password, origin) = a.password.read("the new PFX", true)?.ok_or_else(|| {
        Failure::new(Exit::Password, "no password given for the PFX and no terminal to ask for one")
            .with_hint("use --password-file FILE, --password-env VAR, --password-stdin, --generate-password FILE or --no-password")
    })?;
    enforce_policy(&password, &origin, a.allow_weak)?;
    Ok((password, origin))
}

/// Runs `pfxgen pack`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = parse_args(args)? else {
        return Ok(());
    };
    let key_path = a
        .key
        .clone()
        .ok_or_else(|| Failure::usage("pack needs --key KEY"))?;
    let cert_path = a
        .cert
        .clone()
        .ok_or_else(|| Failure::usage("pack needs --cert CERT"))?;
    let out = a
        .out
        .clone()
        .ok_or_else(|| Failure::usage("pack needs --out OUT"))?;
    if let Some(pw) = &a.generate_password {
        check_password_file_target(pw, &[(&out, "the output PFX"), (&key_path, "the key file")])?;
    }
    let output = Output::prepare(&out, a.force)?;
    let limits = Limits::default();
    let key = load_key(&key_path, &a.key_password, &limits)?;
    let given = load_certs(std::slice::from_ref(&cert_path), &limits)?;
    let leaf = given
        .iter()
        .find(|c| c.public_key().is_ok_and(|p| key.matches(&p)))
        .cloned()
        .ok_or_else(|| {
            Failure::new(
                Exit::Input,
                format!(
                    "the key in {} does not belong to any certificate in {}; nothing was written",
                    key_path.display(),
                    cert_path.display()
                ),
            )
        })?;
    let mut pool = given;
    for c in load_certs(&a.chain, &limits)? {
        if !pool.contains(&c) {
            pool.push(c);
        }
    }
    let (chain, complete) = order_chain(&leaf, &pool);
    let top = chain.last().unwrap_or(&leaf);
    if !complete {
        eprintln!(
            "warning: the chain ends at {} whose issuer {} was not given: an intermediate may be \
             missing (a root the service trusts anyway can be left out)",
            top.subject(),
            top.issuer()
        );
    }
    let now = UtcTime::now();
    for c in std::iter::once(&leaf).chain(chain.iter()) {
        if now.is_some_and(|n| c.not_after() < n) {
            eprintln!("warning: {} expired on {}", c.subject(), c.not_after());
        }
    }
    for c in &pool {
        if *c != leaf && !chain.contains(c) {
            eprintln!(
                "note: left out {} (not in the chain of the certificate)",
                c.subject()
            );
        }
    }
    let (password, _origin) = out_password(&a)?;
    let profile = a.profile.unwrap_or(Profile::Modern);
    let mut options = WriteOptions::for_password(profile, &password);
    if let Some(n) = a.iterations {
        options.iterations = n;
    }
    options.friendly_name.clone_from(&a.friendly_name);
    let pfx = write_pfx(&key, &leaf, &chain, &password, &options)
        .map_err(|e| from_pkcs12("cannot write the PFX", &e))?;
    let installed = output.write(&pfx, "pfx", |b| {
        verify_pfx(b, &password, &key, &leaf, &chain)
    })?;
    let generated = a.generate_password.as_deref().map(|p| (p, &password));
    let (path, password_file) = install_with_password(installed, generated)?;

    outln!("Created {}", path.display());
    outln!("  Subject:             {}", leaf.subject());
    outln!("  Issuer:              {}", leaf.issuer());
    outln!("  Valid until:         {}", leaf.not_after());
    outln!(
        "  SHA-1 thumbprint:    {}",
        hex_upper(&leaf.sha1_thumbprint())
    );
    outln!(
        "  Chain:               {} certificate(s){}",
        chain.len(),
        if complete {
            ", up to a self-signed root"
        } else {
            ", incomplete"
        }
    );
    outln!(
        "  Protection:          {}",
        protection_summary(profile, options.iterations)
    );
    if let Some(p) = password_file {
        outln!(
            "  Password:            generated, written to {} (mode 0600)",
            p.display()
        );
    }
    outln!(
        "  Verified:            re-read from disk; MAC and decryption OK, key, certificate and chain as intended"
    );
    Ok(())
}
