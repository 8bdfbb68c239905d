//! Where passwords come from.
//!
//! In order of preference: a no-echo prompt (when there is a terminal), a
//! file (`--password-file`), an environment variable (`--password-env`),
//! standard input (`--password-stdin`). A password in the arguments works
//! for drop-in compatibility with the vendor's scripts but is visible to
//! other users (`ps`, `/proc/*/cmdline`, shell history), so it warns.
//!
//! Passwords live in zeroizing buffers from the moment they are read and
//! never appear in output, errors or child-process arguments.

use std::{
    ffi::OsString,
    io::{IsTerminal as _, Read as _},
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::Password;
use zeroize::Zeroizing;

use crate::{
    args::{Arg, value_path, value_string},
    error::{Exit, Failure},
    policy,
};

/// Largest password file or stdin password accepted.
const MAX_PASSWORD_BYTES: usize = 4096;

/// The password options shared by all commands. `Debug` is written by hand
/// so that a password given on the command line is never printed.
#[derive(Default)]
pub struct PasswordArgs {
    /// From argv (positional or `--pem-password`/`--password`).
    pub argv: Option<Zeroizing<String>>,
    /// `--password-file FILE`.
    pub file: Option<PathBuf>,
    /// `--password-env VAR`.
    pub env: Option<String>,
    /// `--password-stdin`.
    pub stdin: bool,
    /// `--no-password`.
    pub none: bool,
}

impl core::fmt::Debug for PasswordArgs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PasswordArgs")
            .field("argv", &self.argv.as_ref().map(|_| "[redacted]"))
            .field("file", &self.file)
            .field("env", &self.env)
            .field("stdin", &self.stdin)
            .field("none", &self.none)
            .finish()
    }
}

pub use pfxgen_core::secret::{Origin, PasswordSource};

impl PasswordArgs {
    /// Handles a password option if `arg` is one. Returns whether it was.
    ///
    /// # Errors
    /// A usage [`Failure`] for a missing or bad value.
    pub fn parse(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        let Arg::Long(name) = arg else {
            return Ok(false);
        };
        match name.as_str() {
            "pem-password" | "password" => {
                let value = value_string(parser, "--pem-password")?;
                self.set_argv(value)?;
            }
            "password-file" => self.file = Some(value_path(parser, "--password-file")?),
            "password-env" => self.env = Some(value_string(parser, "--password-env")?.to_string()),
            "password-stdin" => self.stdin = true,
            "no-password" => self.none = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Records a password given on the command line.
    ///
    /// # Errors
    /// A usage [`Failure`] if one was already given.
    pub fn set_argv(&mut self, value: Zeroizing<String>) -> Result<(), Failure> {
        if self.argv.is_some() {
            return Err(Failure::usage(
                "the password is given twice on the command line",
            ));
        }
        self.argv = Some(value);
        Ok(())
    }

    fn count(&self) -> usize {
        usize::from(self.argv.is_some())
            + usize::from(self.file.is_some())
            + usize::from(self.env.is_some())
            + usize::from(self.stdin)
            + usize::from(self.none)
    }

    /// Whether any explicit source was given.
    #[must_use]
    pub fn given(&self) -> bool {
        self.count() > 0
    }

    /// Reads the password from the one source given.
    ///
    /// `purpose` completes "password for ..." in prompts and messages.
    /// With no source: prompts when stdin is a terminal (`confirm` asks
    /// twice), otherwise returns `Ok(None)`.
    ///
    /// # Errors
    /// Usage errors (several sources), unreadable sources, prompt mismatch.
    pub fn read(
        &self,
        purpose: &str,
        confirm: bool,
    ) -> Result<Option<(Password, Origin)>, Failure> {
        if self.count() > 1 {
            return Err(Failure::usage(
                "give the password in one way only (argument, --password-file, --password-env, \
                 --password-stdin or --no-password)",
            ));
        }
        if let Some(pw) = &self.argv {
            eprintln!(
                "warning: a password on the command line can be read by other users of this machine \
                 (ps, /proc) and stays in shell history; prefer the prompt, --password-file, \
                 --password-env or --password-stdin"
            );
            return Ok(Some((Password::new(pw.clone()), Origin::Argv)));
        }
        if let Some(path) = &self.file {
            let bytes = read_password_file_bytes(path)?;
            let what = format!("the password file {}", path.display());
            return Ok(Some((from_bytes(bytes, &what), Origin::File(path.clone()))));
        }
        if let Some(var) = &self.env {
            let value = std::env::var_os(var).ok_or_else(|| {
                Failure::new(
                    Exit::Password,
                    format!("the environment variable {var} is not set"),
                )
            })?;
            let mut value = os_to_bytes(value, &format!("the environment variable {var}"))?;
            // As for a file: `VAR=$(cat file)` drops the newline, an env file
            // or `export VAR="...\n"` may keep it.
            strip_newline_bytes(&mut value);
            let what = format!("the environment variable {var}");
            return Ok(Some((from_bytes(value, &what), Origin::Env(var.clone()))));
        }
        if self.stdin {
            // At a terminal, standard input is the keyboard: read without
            // echo, as the prompt does.
            if std::io::stdin().is_terminal() {
                return prompt(purpose, false).map(|p| Some((Password::new(p), Origin::Stdin)));
            }
            let bytes = read_stdin_password()?;
            return Ok(Some((from_bytes(bytes, "standard input"), Origin::Stdin)));
        }
        if self.none {
            return Ok(Some((Password::empty(), Origin::None)));
        }
        if std::io::stdin().is_terminal() {
            return prompt(purpose, confirm).map(|p| Some((Password::new(p), Origin::Prompt)));
        }
        Ok(None)
    }
}

/// A password from bytes read from a file, the environment or stdin: text
/// when they are UTF-8, otherwise the bytes as they are (a password file
/// saved in ISO-8859-1, say), which OpenSSL and Java producers also use.
fn from_bytes(bytes: Zeroizing<Vec<u8>>, what: &str) -> Password {
    let password = Password::from_bytes(bytes);
    if password.as_str().is_none() {
        eprintln!(
            "note: the password from {what} is not UTF-8 text: its bytes are used as they \
             are, and as one character per byte (ISO-8859-1) where PKCS#12 needs text, as \
             OpenSSL does"
        );
    }
    password
}

/// The bytes of an environment value (any bytes on Unix; UTF-8 elsewhere).
fn os_to_bytes(value: OsString, what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    #[cfg(unix)]
    {
        let _ = what;
        Ok(Zeroizing::new(std::os::unix::ffi::OsStringExt::into_vec(
            value,
        )))
    }
    #[cfg(not(unix))]
    {
        value
            .into_string()
            .map(|s| Zeroizing::new(s.into_bytes()))
            .map_err(|_| Failure::new(Exit::Password, format!("{what} is not valid Unicode")))
    }
}

/// Strips one trailing line ending (`\n` or `\r\n`) from bytes.
fn strip_newline_bytes(s: &mut Zeroizing<Vec<u8>>) {
    if s.last() == Some(&b'\n') {
        s.pop();
        if s.last() == Some(&b'\r') {
            s.pop();
        }
    }
}

/// Strips one trailing line ending (`\n` or `\r\n`).
pub fn strip_newline(s: &mut Zeroizing<String>) {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
}

/// Reads a one-line password file as text: as [`read_password_file_bytes`],
/// and the bytes must be UTF-8.
///
/// # Errors
/// An exit-3 failure saying why the file cannot be used.
pub fn read_password_file(path: &Path) -> Result<Zeroizing<String>, Failure> {
    let bytes = read_password_file_bytes(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Failure::new(
            Exit::Password,
            format!(
                "cannot read the password file {}: it is not UTF-8 text",
                path.display()
            ),
        )
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Reads a one-line password file: a regular file of at most
/// `MAX_PASSWORD_BYTES`, one final line ending and a leading UTF-8
/// byte-order mark (Windows Notepad writes one) ignored. The bytes need not
/// be UTF-8.
///
/// # Errors
/// An exit-3 failure saying why the file cannot be used.
pub fn read_password_file_bytes(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let fail = |reason: &str| {
        Failure::new(
            Exit::Password,
            format!("cannot read the password file {}: {reason}", path.display()),
        )
    };
    // A pipe (`<(cmd)`, `/dev/stdin` fed by a pipe) is read as a stream,
    // bounded in size and time; a regular file as a file; anything else
    // (a folder, a socket, a terminal that would echo) is refused. The
    // checks are made on the open descriptor.
    let mut bytes = read_password_source(path).map_err(|e| fail(&e))?;
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        // Never part of a password, invisible in an editor: a file saved
        // with it would otherwise not open with the password as typed.
        bytes.drain(..3);
        eprintln!(
            "note: ignored the byte-order mark at the start of {}",
            path.display()
        );
    }
    strip_newline_bytes(&mut bytes);
    if bytes.contains(&b'\n') {
        return Err(fail("it has more than one line"));
    }
    Ok(bytes)
}

/// How long a password pipe may stay silent before pfxgen gives up.
const PIPE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The bytes of a password source named with `--password-file`: a regular
/// file, or a pipe or character device that is not a terminal (read up to
/// the first line end, at most `MAX_PASSWORD_BYTES`, and at most
/// [`PIPE_TIMEOUT`] of waiting: never a hang).
fn read_password_source(path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if meta.is_file() {
        return crate::readfile::read_regular(path, MAX_PASSWORD_BYTES as u64)
            .map(Zeroizing::new)
            .map_err(|e| e.to_string());
    }
    if file.is_terminal() {
        return Err(
            "it is a terminal, where the password would be shown as it is typed; leave \
             out --password-file to be asked without echo"
                .to_owned(),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if !(t.is_fifo() || t.is_char_device()) {
            return Err(format!(
                "it is {}, not a file or a pipe",
                crate::safefs::describe_type(&meta)
            ));
        }
    }
    read_line_from_stream(file)
}

/// Reads one line from a non-blocking pipe, bounded in size and time.
fn read_line_from_stream(mut file: std::fs::File) -> Result<Zeroizing<Vec<u8>>, String> {
    // Sized once: growing would leave unwiped copies behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES + 2));
    let mut buf = Zeroizing::new([0u8; 64]);
    let started = std::time::Instant::now();
    let mut any = false;
    loop {
        match file.read(&mut buf[..]) {
            // A pipe that nobody writes to (a named pipe without a writer)
            // ends at once: say so rather than use an empty password.
            Ok(0) if !any => {
                return Err("it is a pipe and nothing was written to it".to_owned());
            }
            Ok(0) => break,
            Ok(n) => {
                any = true;
                let chunk = buf.get(..n).unwrap_or_default();
                let end = chunk.iter().position(|b| *b == b'\n');
                let take = chunk.get(..end.unwrap_or(n)).unwrap_or_default();
                if bytes.len() + take.len() > MAX_PASSWORD_BYTES + 1 {
                    return Err("the line is too long".to_owned());
                }
                bytes.extend_from_slice(take);
                if end.is_some() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if started.elapsed() > PIPE_TIMEOUT {
                    return Err(format!(
                        "no line arrived within {} seconds",
                        PIPE_TIMEOUT.as_secs()
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    // The caller strips the line ending and the byte-order mark.
    bytes.push(b'\n');
    Ok(bytes)
}

fn read_stdin_password() -> Result<Zeroizing<Vec<u8>>, Failure> {
    let fail = |reason: &str| {
        Failure::new(
            Exit::Password,
            format!("cannot read the password from standard input: {reason}"),
        )
    };
    // Sized once: growing would leave unwiped copies behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES + 2));
    let mut buf = [0u8; 1];
    let mut stdin = std::io::stdin().lock();
    loop {
        match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {
                let [byte] = buf;
                if byte == b'\n' {
                    break;
                }
                bytes.push(byte);
                if bytes.len() > MAX_PASSWORD_BYTES {
                    return Err(fail("the line is too long"));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(&e.to_string())),
        }
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    Ok(bytes)
}

fn prompt(purpose: &str, confirm: bool) -> Result<Zeroizing<String>, Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(
            Exit::Password,
            format!("cannot read the password from the terminal: {e}"),
        )
    };
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("Password for {purpose}: ")).map_err(fail)?,
    );
    if confirm {
        let second =
            Zeroizing::new(rpassword::prompt_password("Repeat the password: ").map_err(fail)?);
        if *first != *second {
            return Err(Failure::new(
                Exit::Password,
                "the two passwords differ; nothing was written",
            ));
        }
    }
    Ok(first)
}

/// Applies the password policy to a password that will protect a new file.
///
/// # Errors
/// An exit-3 [`Failure`] listing every broken rule, unless `allow_weak`.
pub fn enforce_policy(
    password: &Password,
    origin: &Origin,
    allow_weak: bool,
) -> Result<(), Failure> {
    if matches!(origin, Origin::None | Origin::Generated) {
        return Ok(());
    }
    let Some(text) = password.as_str() else {
        return Err(Failure::new(
            Exit::Password,
            "the password is not UTF-8 text: .NET takes a PFX password as text, so a new \
             file needs a UTF-8 password",
        )
        .with_hint("save the password file as UTF-8"));
    };
    if text.is_empty() {
        return Err(Failure::new(Exit::Password, "the password is empty")
            .with_hint("use --no-password to make a password-less file deliberately"));
    }
    let problems = policy::check(text);
    if problems.is_empty() {
        return Ok(());
    }
    if allow_weak {
        eprintln!(
            "warning: weak password accepted because of --allow-weak-password: {}",
            problems.join("; ")
        );
        return Ok(());
    }
    Err(Failure::new(Exit::Password, format!("the password is too weak: {}", problems.join("; "))).with_hint(
        format!(
            "use at least {} characters with upper- and lower-case letters, digits and special characters, \
             no common words or patterns; or let pfxgen make one with --generate-password FILE \
             (--allow-weak-password overrides this check)",
            policy::MIN_LENGTH
        ),
    ))
}

impl PasswordSource for PasswordArgs {
    fn given(&self) -> bool {
        Self::given(self)
    }

    fn can_ask(&self) -> bool {
        std::io::stdin().is_terminal()
    }

    fn read(&self, purpose: &str, confirm: bool) -> Result<Option<(Password, Origin)>, Failure> {
        Self::read(self, purpose, confirm)
    }
}

/// Where the password of a file pfxgen writes comes from, when the
/// command's own password options describe its input (`convert`,
/// `export --key`): `--out-password-file F`, `--out-password-env VAR`,
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
            let mut value = Zeroizing::new(value);
            strip_newline(&mut value);
            (Password::new(value), Origin::Env(var.clone()))
        } else if self.generate.is_some() {
            (generated()?, Origin::Generated)
        } else if self.none {
            (Password::empty(), Origin::None)
        } else {
            return Ok(None);
        };
        enforce_policy(&password, &origin, self.allow_weak)?;
        Ok(Some((password, origin)))
    }
}

impl PasswordSource for OutPasswordArgs {
    fn given(&self) -> bool {
        Self::given(self)
    }

    fn can_ask(&self) -> bool {
        false
    }

    fn read(&self, _purpose: &str, _confirm: bool) -> Result<Option<(Password, Origin)>, Failure> {
        Self::read(self)
    }
}

/// A strong random password from the policy's generator.
fn generated() -> Result<Password, Failure> {
    policy::generate()
        .map(Password::new)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot generate a password: {e}")))
}

/// The options of a new file's password: its sources (`--password-*`,
/// `--no-password`), `--generate-password FILE` and
/// `--allow-weak-password` (`generate`, `rotate`, `csr`, `pack`).
#[derive(Debug, Default)]
pub struct NewPasswordArgs {
    /// The password sources.
    pub sources: PasswordArgs,
    /// `--generate-password FILE`.
    pub generate: Option<PathBuf>,
    /// `--allow-weak-password`.
    pub allow_weak: bool,
}

impl NewPasswordArgs {
    /// Handles one of the options; returns whether `arg` was one.
    ///
    /// # Errors
    /// A usage failure for a missing value.
    pub fn parse(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.sources.parse(arg, parser)? {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "generate-password" => {
                self.generate = Some(value_path(parser, "--generate-password")?);
            }
            Arg::Long(n) if n == "allow-weak-password" => self.allow_weak = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The password of a new file (`generate`'s and `rotate`'s PFX, `csr`'s
/// key, `pack`'s PFX): `--generate-password`, or a source (asked twice at a
/// terminal), checked by the policy.
#[derive(Debug)]
pub struct NewFilePassword<'a> {
    /// The password options.
    pub args: &'a NewPasswordArgs,
    /// The refusal of `--no-password`, when the file must have a password.
    pub refuse_none: Option<&'static str>,
    /// What to say when no source is given and there is no terminal.
    pub missing: &'static str,
    /// The hint that goes with it.
    pub missing_hint: &'static str,
}

impl PasswordSource for NewFilePassword<'_> {
    fn given(&self) -> bool {
        self.args.generate.is_some() || self.args.sources.given()
    }

    fn can_ask(&self) -> bool {
        self.args.sources.can_ask()
    }

    fn read(&self, purpose: &str, confirm: bool) -> Result<Option<(Password, Origin)>, Failure> {
        self.obtain(purpose, confirm).map(Some)
    }
}

impl NewFilePassword<'_> {
    /// The password: generated, from its source, or prompted (three tries
    /// at a terminal), checked by the policy.
    ///
    /// # Errors
    /// Exit 2 for conflicting sources; exit 3 for a refused
    /// `--no-password`, no source, or a password the policy refuses.
    pub fn obtain(&self, purpose: &str, confirm: bool) -> Result<(Password, Origin), Failure> {
        if let (true, Some(refusal)) = (self.args.sources.none, self.refuse_none) {
            return Err(Failure::new(Exit::Password, refusal));
        }
        if self.args.generate.is_some() {
            if self.args.sources.given() {
                return Err(Failure::usage(
                    "--generate-password cannot be combined with another password source",
                ));
            }
            return Ok((generated()?, Origin::Generated));
        }
        // At the prompt, a mistyped confirmation or a refused password is
        // asked again (three tries in all), as operators expect.
        let tries = if self.args.sources.given() || !self.args.sources.can_ask() {
            1
        } else {
            3
        };
        for attempt in 1..=tries {
            match self.read_checked(purpose, confirm) {
                Ok(found) => return Ok(found),
                Err(f) if attempt < tries && f.exit == Exit::Password => {
                    eprintln!("{} (try {} of {tries})", f.message, attempt + 1);
                    if let Some(hint) = &f.hint {
                        eprintln!("  hint: {hint}");
                    }
                }
                Err(f) => return Err(f),
            }
        }
        Err(Failure::new(Exit::Password, "no password was accepted"))
    }

    /// One try: read from the source, then apply the policy.
    fn read_checked(&self, purpose: &str, confirm: bool) -> Result<(Password, Origin), Failure> {
        let (password, origin) = self.args.sources.read(purpose, confirm)?.ok_or_else(|| {
            Failure::new(Exit::Password, self.missing).with_hint(self.missing_hint)
        })?;
        enforce_policy(&password, &origin, self.args.allow_weak)?;
        Ok((password, origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_text_states_the_policys_own_minimum_length() {
        // One home for the rule: the help text is a constant, so this test
        // keeps it in step with policy::MIN_LENGTH.
        let stated = format!("at least {} characters", policy::MIN_LENGTH);
        assert!(crate::help::GENERATE.contains(&stated));
    }

    #[test]
    fn debug_never_shows_a_password_from_argv() {
        let args = PasswordArgs {
            argv: Some(Zeroizing::new("S3cret-in-argv".to_owned())),
            ..PasswordArgs::default()
        };
        let text = format!("{args:?}");
        assert!(!text.contains("S3cret"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        let cert_args = crate::generate::NewCertificateArgs {
            password: NewPasswordArgs {
                sources: args,
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(!format!("{cert_args:?}").contains("S3cret"));
    }
}
