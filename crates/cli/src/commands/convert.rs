//! `pfxgen convert`: re-protect a PFX (new profile, new password, fresh
//! salts and IVs) keeping its key, end-entity certificate and chain. Also
//! the pieces `export`, `csr` and `pack` share: the `--out-password-*`
//! options, the output file (atomic, 0600, never over a file without
//! `--force`, checked before it is installed) and the PFX self-check.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{BagKind, Limits, Opened, Password, Pfx, Profile, WriteOptions, write_pfx};
use pfxgen_x509::{Certificate, hex_upper};

use crate::{
    args::{self, Arg, value_path, value_string},
    error::{Exit, Failure, from_pkcs12},
    fsutil::{Install, PreparedFile, io_failure, open_parent, same_location},
    generate::{check_password_file_target, protection_summary},
    loader,
    password::{Origin, PasswordArgs, enforce_policy, read_password_file, strip_newline},
    policy,
    safefs::Dir,
};

/// Where the password of a file pfxgen writes comes from, when the
/// command's own password options describe its input:
/// `--out-password-file F`, `--out-password-env VAR`,
/// `--out-generate-password F`, `--out-no-password`.
#[derive(Debug, Default)]
pub struct OutPasswordArgs {
    /// `--out-password-file`.
    pub file: Option<PathBuf>,
    /// `--out-password-env`.
    pub env: Option<String>,
    /// `--out-generate-password`.
    pub generate: Option<PathBuf>,
    /// `--out-no-password`.
    pub none: bool,
    /// `--allow-weak-password`.
    pub allow_weak: bool,
}

impl OutPasswordArgs {
    /// Handles one of the options; returns whether `arg` was one.
    ///
    /// # Errors
    /// A usage failure for a missing value.
    pub fn parse(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        let Arg::Long(name) = arg else {
            return Ok(false);
        };
        match name.as_str() {
            "out-password-file" => self.file = Some(value_path(parser, "--out-password-file")?),
            "out-password-env" => {
                self.env = Some(value_string(parser, "--out-password-env")?.to_string());
            }
            "out-generate-password" => {
                self.generate = Some(value_path(parser, "--out-generate-password")?);
            }
            "out-no-password" => self.none = true,
            "allow-weak-password" => self.allow_weak = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Whether any source was given.
    #[must_use]
    pub fn given(&self) -> bool {
        self.count() > 0
    }

    fn count(&self) -> usize {
        usize::from(self.file.is_some())
            + usize::from(self.env.is_some())
            + usize::from(self.generate.is_some())
            + usize::from(self.none)
    }

    /// The new password: from its source (checked by the policy), or
    /// generated; `None` when no source was given.
    ///
    /// # Errors
    /// Exit 2 for several sources, exit 3 for an unreadable source or a
    /// password the policy refuses.
    pub fn read(&self) -> Result<Option<(Password, Origin)>, Failure> {
        if self.count() > 1 {
            return Err(Failure::usage(
                "give the output password in one way only (--out-password-file, \
                 --out-password-env, --out-generate-password or --out-no-password)",
            ));
        }
        let (password, origin) = if let Some(path) = &self.file {
            (
                Password::new(read_password_file(path)?),
                Origin::File(path.clone()),
            )
        } else if let Some(var) = &self.env {
            let value = std::env::var_os(var)
                .and_then(|v| v.into_string().ok())
                .ok_or_else(|| {
                    Failure::new(
                        Exit::Password,
                        format!("the environment variable {var} is not set or not UTF-8"),
                    )
                })?;
            let mut value = zeroize::Zeroizing::new(value);
            strip_newline(&mut value);
            (Password::new(value), Origin::Env(var.clone()))
        } else if self.generate.is_some() {
            let pw = policy::generate().map_err(|e| {
                Failure::new(Exit::Internal, format!("cannot generate a password: {e}"))
            })?;
            (Password::new(pw), Origin::Generated)
        } else if self.none {
            (Password::empty(), Origin::None)
        } else {
            return Ok(None);
        };
        enforce_policy(&password, &origin, self.allow_weak)?;
        Ok(Some((password, origin)))
    }
}

/// A file about to be written: its open folder and name, checked up front.
#[derive(Debug)]
pub struct Output {
    dir: Dir,
    name: OsString,
    force: bool,
    target: PathBuf,
}

impl Output {
    /// Opens the folder of `path` and checks that the file does not exist
    /// (unless `force`). Cheap: done before any key work.
    ///
    /// # Errors
    /// Exit 5 (exists, folder missing), exit 8 (untrustworthy link).
    pub fn prepare(path: &Path, force: bool) -> Result<Self, Failure> {
        let (dir, name) = open_parent(path, force)?;
        let target = dir.display(&name);
        match dir.entry_metadata(&name) {
            Ok(_) if !force => {
                return Err(Failure::new(
                    Exit::Output,
                    format!("{} already exists", target.display()),
                )
                .with_hint("use --force to replace it"));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_failure("use", &target, &e)),
        }
        Ok(Self {
            dir,
            name,
            force,
            target,
        })
    }

    /// The path, for messages.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes `bytes` to a temporary file (mode 0600), reads it back
    /// through its descriptor, runs `check` on what was read, and only
    /// then installs it.
    ///
    /// # Errors
    /// The failure of the write, of `check` or of the install; nothing is
    /// left behind.
    pub fn write(
        &self,
        bytes: &[u8],
        label: &str,
        check: impl FnOnce(&[u8]) -> Result<(), Failure>,
    ) -> Result<Installed, Failure> {
        let mut prepared = PreparedFile::write(&self.dir, &self.name, bytes, label)?;
        let back = zeroize::Zeroizing::new(prepared.read_back()?);
        if back.as_slice() != bytes {
            return Err(Failure::new(
                Exit::Internal,
                format!(
                    "{} read back differently from what was written",
                    self.target.display()
                ),
            ));
        }
        check(&back)?;
        Ok(Installed {
            prepared,
            force: self.force,
        })
    }
}

/// A checked file, ready to be installed.
#[derive(Debug)]
pub struct Installed {
    prepared: PreparedFile,
    force: bool,
}

impl Installed {
    /// Moves it into place.
    ///
    /// # Errors
    /// Exit 5 if the target appeared meanwhile (without `--force`).
    pub fn commit(self) -> Result<PathBuf, Failure> {
        let install = if self.force {
            Install::Replace
        } else {
            Install::NoClobber
        };
        self.prepared.commit(install)
    }
}

/// Writes a generated password to `path` (a new file, mode 0600, never
/// over anything).
///
/// # Errors
/// Exit 5 when the file exists or cannot be written.
pub fn write_password_file(
    path: &Path,
    password: &Password,
) -> Result<(PathBuf, Dir, OsString), Failure> {
    let (dir, name) = open_parent(path, false)?;
    let secret = std::str::from_utf8(password.utf8()).unwrap_or_default();
    let mut text = zeroize::Zeroizing::new(String::with_capacity(secret.len() + 1));
    text.push_str(secret);
    text.push('\n');
    let prepared = PreparedFile::write(&dir, &name, text.as_bytes(), "password-file")?;
    let shown = prepared.commit(Install::NoClobber)?;
    Ok((shown, dir, name))
}

/// Installs `main`, and first the generated password file if any; when
/// `main` cannot be installed the password file is removed again.
///
/// # Errors
/// The failure of either install.
pub fn install_with_password(
    main: Installed,
    generated: Option<(&Path, &Password)>,
) -> Result<(PathBuf, Option<PathBuf>), Failure> {
    let written = match generated {
        Some((path, password)) => Some(write_password_file(path, password)?),
        None => None,
    };
    match main.commit() {
        Ok(path) => Ok((path, written.map(|(p, _, _)| p))),
        Err(failure) => {
            if let Some((_, dir, name)) = &written {
                let _ = dir.remove_file(name);
            }
            Err(failure)
        }
    }
}

/// Checks PFX bytes: they open with `password` and hold exactly `key`,
/// `certificate` and then `chain`, in that order.
///
/// # Errors
/// An internal failure otherwise: the file must not be installed.
pub fn verify_pfx(
    bytes: &[u8],
    password: &Password,
    key: &PrivateKey,
    certificate: &Certificate,
    chain: &[Certificate],
) -> Result<(), Failure> {
    let limits = Limits::default();
    let opened = Pfx::parse(bytes, &limits)
        .and_then(|p| p.open(password, &limits))
        .map_err(|e| from_pkcs12("the file just written does not open", &e))?;
    let certs: Vec<Option<&Certificate>> = opened
        .certificates
        .iter()
        .map(|c| c.certificate.as_ref().ok())
        .collect();
    let expected: Vec<Option<&Certificate>> = std::iter::once(certificate)
        .chain(chain.iter())
        .map(Some)
        .collect();
    let key_ok = opened.keys.len() == 1
        && opened
            .keys
            .first()
            .and_then(|k| k.key.as_ref().ok())
            .is_some_and(|k| k.matches(&key.public_key()));
    if key_ok && certs == expected {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Internal,
            "the file just written does not contain the key and certificates it should",
        ))
    }
}

/// Parses `--profile`.
///
/// # Errors
/// A usage failure.
pub fn parse_profile(parser: &mut lexopt::Parser) -> Result<Profile, Failure> {
    let text = value_string(parser, "--profile")?;
    Profile::from_name(text.trim()).ok_or_else(|| {
        Failure::usage(format!(
            "unknown profile {:?} (expected modern or compat)",
            text.as_str()
        ))
    })
}

/// Parses `--iterations`.
///
/// # Errors
/// A usage failure for a number outside the accepted range.
pub fn parse_iterations(parser: &mut lexopt::Parser) -> Result<u32, Failure> {
    let text = value_string(parser, "--iterations")?;
    let n: u32 = text.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "--iterations must be a whole number, not {:?}",
            text.as_str()
        ))
    })?;
    if !(pfxgen_pkcs12::MIN_ITERATIONS..=pfxgen_pkcs12::MAX_ITERATIONS).contains(&n) {
        return Err(Failure::usage(format!(
            "--iterations {n} is outside {}..={}",
            pfxgen_pkcs12::MIN_ITERATIONS,
            pfxgen_pkcs12::MAX_ITERATIONS
        )));
    }
    Ok(n)
}

/// Sets `slot` to `value`, refusing a second `--out`.
///
/// # Errors
/// A usage failure.
pub fn set_once(slot: &mut Option<PathBuf>, value: PathBuf, what: &str) -> Result<(), Failure> {
    if slot.replace(value).is_some() {
        return Err(Failure::usage(format!("{what} is given twice")));
    }
    Ok(())
}

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
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if a.password.parse(&arg, &mut parser)? || a.out_password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "out" => {
                set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?;
            }
            Arg::Short('o') => set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?,
            Arg::Long(n) if n == "profile" => a.profile = Some(parse_profile(&mut parser)?),
            Arg::Long(n) if n == "iterations" => {
                a.iterations = Some(parse_iterations(&mut parser)?)
            }
            Arg::Long(n) if n == "force" => a.force = true,
            x if x.is_help() => {
                out!("{}\n{}", crate::help::CONVERT, crate::help::EXIT_CODES);
                return Ok(None);
            }
            Arg::Value(v) if a.input.is_none() => a.input = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(a))
}

/// What `convert` keeps from an opened PFX.
struct Kept<'a> {
    key: &'a PrivateKey,
    certificate: Certificate,
    chain: Vec<Certificate>,
    friendly_name: Option<String>,
    dropped: Vec<String>,
}

/// Picks the key, its certificate and that certificate's chain; lists
/// everything else as dropped.
fn keep<'a>(opened: &'a Opened, shown: &str) -> Result<Kept<'a>, Failure> {
    let pairs = opened.key_certificates();
    let mut chosen = None;
    let mut dropped = Vec::new();
    for (i, entry) in opened.keys.iter().enumerate() {
        match (&entry.key, pairs.get(i).copied().flatten()) {
            (Ok(key), Some(cert)) if chosen.is_none() => chosen = Some((i, key, cert)),
            (Ok(_), _) => dropped.push(format!("private key in bag {}", entry.bag)),
            (Err(e), _) => dropped.push(format!("private key in bag {} ({e})", entry.bag)),
        }
    }
    let Some((key_index, key, ee)) = chosen else {
        let why = if opened.keys.is_empty() {
            "it holds no private key"
        } else {
            "no private key in it matches any of its certificates"
        };
        return Err(Failure::new(
            Exit::Input,
            format!("{shown}: {why}; nothing was written"),
        ));
    };
    let chain = opened.chain(ee);
    let cert_at = |i: usize| {
        opened
            .certificates
            .get(i)
            .and_then(|c| c.certificate.as_ref().ok())
            .cloned()
    };
    let certificate = cert_at(ee)
        .ok_or_else(|| Failure::new(Exit::Internal, "the end-entity certificate vanished"))?;
    let mut kept_chain = Vec::new();
    for (pos, &i) in chain.certificates.iter().enumerate().skip(1) {
        // Only links whose signature verified: a certificate that merely
        // names the issuer is not part of the chain.
        if chain.signatures.get(pos - 1).copied().flatten() != Some(true) {
            break;
        }
        if let Some(c) = cert_at(i) {
            kept_chain.push(c);
        }
    }
    for (i, c) in opened.certificates.iter().enumerate() {
        let kept = i == ee
            || c.certificate
                .as_ref()
                .is_ok_and(|cert| kept_chain.contains(cert));
        if !kept {
            let name = c
                .certificate
                .as_ref()
                .map_or_else(|e| format!("unreadable ({e})"), Certificate::subject);
            dropped.push(format!(
                "certificate in bag {}: {name} (not in the chain)",
                c.bag
            ));
        }
    }
    for bag in &opened.bags {
        if !matches!(
            bag.kind,
            BagKind::Key | BagKind::ShroudedKey | BagKind::Certificate | BagKind::SafeContents
        ) {
            dropped.push(format!("{} in bag {}", bag.kind.name(), bag.index));
        }
    }
    for content in &opened.skipped_contents {
        dropped.push(format!("content {content}"));
    }
    let friendly_name = opened
        .keys
        .get(key_index)
        .and_then(|k| k.attributes.friendly_name.clone())
        .or_else(|| {
            opened
                .certificates
                .get(ee)
                .and_then(|c| c.attributes.friendly_name.clone())
        })
        .filter(|n| !n.is_empty() && n.chars().count() <= 256 && !n.chars().any(char::is_control));
    Ok(Kept {
        key,
        certificate,
        chain: kept_chain,
        friendly_name,
        dropped,
    })
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
    let output = Output::prepare(&out, a.force)?;
    let limits = Limits::default();
    let loaded = loader::load(&input, &a.password, true, &limits)?;
    let shown = input.display().to_string();
    let opened = loaded
        .opened
        .as_ref()
        .ok_or_else(|| Failure::new(Exit::Password, format!("{shown} could not be opened")))?;
    let kept = keep(opened, &shown)?;
    let (password, origin) = match a.out_password.read()? {
        Some(p) => p,
        None => (
            loaded.password.clone().unwrap_or_else(Password::empty),
            Origin::None,
        ),
    };
    let kept_password = !a.out_password.given();
    let profile = a.profile.unwrap_or(Profile::Modern);
    let mut options = WriteOptions::for_password(profile, &password);
    if let Some(n) = a.iterations {
        options.iterations = n;
    }
    options.friendly_name.clone_from(&kept.friendly_name);
    let pfx = write_pfx(
        kept.key,
        &kept.certificate,
        &kept.chain,
        &password,
        &options,
    )
    .map_err(|e| from_pkcs12("cannot write the PFX", &e))?;
    let installed = output.write(&pfx, "pfx", |b| {
        verify_pfx(b, &password, kept.key, &kept.certificate, &kept.chain)
    })?;
    let generated = a.out_password.generate.as_deref().map(|p| (p, &password));
    let (path, password_file) = install_with_password(installed, generated)?;

    for d in &kept.dropped {
        eprintln!("warning: dropped {d}");
    }
    outln!("Converted {} to {}", shown, path.display());
    outln!("  Subject:             {}", kept.certificate.subject());
    outln!(
        "  SHA-1 thumbprint:    {}",
        hex_upper(&kept.certificate.sha1_thumbprint())
    );
    outln!("  Chain certificates:  {}", kept.chain.len());
    outln!(
        "  Protection:          {}",
        protection_summary(profile, options.iterations)
    );
    let pw_text = match (&password_file, kept_password, &origin) {
        (Some(p), _, _) => format!("generated, written to {} (mode 0600)", p.display()),
        (None, true, _) if password.is_empty() => "none (as the input)".to_owned(),
        (None, true, _) => "the input's password".to_owned(),
        (None, false, Origin::None) => "none (--out-no-password)".to_owned(),
        (None, false, _) => "the new password".to_owned(),
    };
    outln!("  Password:            {pw_text}");
    outln!("  Dropped:             {}", kept.dropped.len());
    outln!(
        "  Verified:            re-read from disk; MAC and decryption OK, key and chain as intended"
    );
    Ok(())
}
