//! Reading a PFX from disk and opening it the way .NET would: with the
//! given password, or, when none is given, first with the empty password
//! (a password-less file is common), then by asking at the terminal.

use std::{io::IsTerminal as _, path::Path};

use pfxgen_pkcs12::{Error as P12Error, Limits, Opened, Password, Pfx};

use crate::{
    error::{Exit, Failure, from_pkcs12},
    fsutil::io_failure,
    password::{Origin, PasswordArgs},
};

/// How the password was obtained (for reports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordUse {
    /// Given by the operator.
    Given(Origin),
    /// None was given; the file opened with the empty password.
    EmptyWorked,
    /// None was given and the empty one does not open it: only the
    /// unencrypted parts are shown.
    NotGiven,
}

/// A PFX read from disk, opened if possible.
#[derive(Debug)]
pub struct Loaded {
    /// The raw bytes.
    pub bytes: Vec<u8>,
    /// The structure.
    pub pfx: Pfx,
    /// The decrypted contents, when the password was available.
    pub opened: Option<Opened>,
    /// The password that opened it.
    pub password: Option<Password>,
    /// How the password was obtained.
    pub password_use: PasswordUse,
}

/// Reads `path`, refusing files over the size limit before reading them.
///
/// # Errors
/// An exit-4 failure naming the file and the reason.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, Failure> {
    let input_failure = |e: &std::io::Error| {
        let mut f = io_failure("read", path, e);
        f.exit = Exit::Input;
        f
    };
    let meta = std::fs::metadata(path).map_err(|e| input_failure(&e))?;
    if meta.is_dir() {
        return Err(Failure::new(
            Exit::Input,
            format!("{} is a folder, not a PFX file", path.display()),
        ));
    }
    if meta.len() > limits.max_input_size as u64 {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "{} is {} bytes, larger than the {}-byte limit for a PFX",
                path.display(),
                meta.len(),
                limits.max_input_size
            ),
        ));
    }
    std::fs::read(path).map_err(|e| input_failure(&e))
}

fn is_password_problem(e: &P12Error) -> bool {
    matches!(
        e,
        P12Error::WrongPassword
            | P12Error::MacMismatch
            | P12Error::PasswordRequired
            | P12Error::DecryptionFailed { .. }
    )
}

/// Reads and opens `path`.
///
/// With `require_open`, a file that cannot be opened for lack of a password
/// is an error (exit 3); otherwise the structure alone is returned.
///
/// # Errors
/// Exit 3 (password), 4 (input) or 6 (unsupported) failures.
pub fn load(
    path: &Path,
    password: &PasswordArgs,
    require_open: bool,
    limits: &Limits,
) -> Result<Loaded, Failure> {
    let display = path.display().to_string();
    let bytes = read_file(path, limits)?;
    let pfx = Pfx::parse(&bytes, limits).map_err(|e| from_pkcs12(&display, &e))?;

    if password.given() {
        let (pw, origin) = password
            .read(&display, false)?
            .ok_or_else(|| Failure::new(Exit::Password, "no password given"))?;
        let opened = pfx
            .open(&pw, limits)
            .map_err(|e| from_pkcs12(&display, &e))?;
        return Ok(Loaded {
            bytes,
            pfx,
            opened: Some(opened),
            password: Some(pw),
            password_use: PasswordUse::Given(origin),
        });
    }

    // No password given: try the empty one (and, inside open, the absent one).
    let empty = Password::empty();
    match pfx.open(&empty, limits) {
        Ok(opened) => {
            return Ok(Loaded {
                bytes,
                pfx,
                opened: Some(opened),
                password: Some(empty),
                password_use: PasswordUse::EmptyWorked,
            });
        }
        Err(e) if is_password_problem(&e) => {}
        Err(e) => return Err(from_pkcs12(&display, &e)),
    }
    if std::io::stdin().is_terminal() {
        if let Some((pw, origin)) = password.read(&display, false)? {
            let opened = pfx
                .open(&pw, limits)
                .map_err(|e| from_pkcs12(&display, &e))?;
            return Ok(Loaded {
                bytes,
                pfx,
                opened: Some(opened),
                password: Some(pw),
                password_use: PasswordUse::Given(origin),
            });
        }
    }
    if require_open {
        return Err(Failure::new(Exit::Password, format!("{display} is protected by a password and none was given"))
            .with_hint("use --password-file FILE, --password-env VAR, --password-stdin, or run at a terminal to be asked"));
    }
    Ok(Loaded {
        bytes,
        pfx,
        opened: None,
        password: None,
        password_use: PasswordUse::NotGiven,
    })
}
