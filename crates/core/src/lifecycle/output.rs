//! The files `convert`, `export`, `csr` and `pack` write: never over an
//! existing file without `force`, written to a temporary file (mode 0600),
//! read back and checked through its descriptor, and only then installed;
//! a generated password goes to its own new file, removed again when the
//! main file cannot be installed.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{Limits, Opened, Password, Pfx};
use pfxgen_x509::Certificate;
use zeroize::Zeroizing;

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::{
        fsutil::{Install, PreparedFile, io_failure, open_parent},
        safefs::Dir,
    },
    secret::PasswordSource,
};

/// A PFX read and a file written from it (`convert`, `export`), with the
/// passwords of both.
pub struct Files<'a> {
    /// The PFX to read.
    pub input: &'a Path,
    /// Its password.
    pub password: &'a dyn PasswordSource,
    /// The file to write.
    pub out: &'a Path,
    /// Replace `out` if it exists.
    pub force: bool,
    /// The written file's password, when it has one.
    pub out_password: &'a dyn PasswordSource,
    /// Where to write a generated output password.
    pub generated_password_file: Option<&'a Path>,
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
    /// then returns it, ready to be installed.
    ///
    /// # Errors
    /// The failure of the write or of `check`; nothing is left behind.
    pub fn write(
        &self,
        bytes: &[u8],
        label: &str,
        check: impl FnOnce(&[u8]) -> Result<(), Failure>,
    ) -> Result<Installed, Failure> {
        let mut prepared = PreparedFile::write(&self.dir, &self.name, bytes, label)?;
        let back = Zeroizing::new(prepared.read_back()?);
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

    /// Removes the installed file again (when a second file of the same
    /// operation could not be installed: nothing is left half done).
    pub fn undo(&self) {
        let _ = self.dir.remove_file(&self.name);
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
    /// Exit 5 if the target appeared meanwhile (without `force`).
    pub fn commit(self) -> Result<PathBuf, Failure> {
        let install = if self.force {
            Install::Replace
        } else {
            Install::NoClobber
        };
        self.prepared.commit(install)
    }
}

/// A generated password file that was written: where, and how to remove it.
#[derive(Debug)]
pub struct PasswordFile {
    /// The path, for messages.
    pub path: PathBuf,
    dir: Dir,
    name: OsString,
}

impl PasswordFile {
    /// Removes it again.
    pub fn undo(&self) {
        let _ = self.dir.remove_file(&self.name);
    }
}

/// Writes a generated password to `path` (a new file, mode 0600, never
/// over anything).
///
/// # Errors
/// Exit 5 when the file exists or cannot be written.
pub fn write_password_file(path: &Path, password: &Password) -> Result<PasswordFile, Failure> {
    let (dir, name) = open_parent(path, false)?;
    let secret = std::str::from_utf8(password.utf8()).unwrap_or_default();
    let mut text = Zeroizing::new(String::with_capacity(secret.len() + 1));
    text.push_str(secret);
    text.push('\n');
    let prepared = PreparedFile::write(&dir, &name, text.as_bytes(), "password-file")?;
    let path = prepared.commit(Install::NoClobber)?;
    Ok(PasswordFile { path, dir, name })
}

/// Installs `main`, and first the generated password file if any; when
/// `main` cannot be installed the password file is removed again. Returns
/// both paths.
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
        Ok(path) => Ok((path, written.map(|w| w.path))),
        Err(failure) => {
            if let Some(w) = &written {
                w.undo();
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
    (key_ok && certs == expected).then_some(()).ok_or_else(|| {
        Failure::new(
            Exit::Internal,
            "the file just written does not contain the key and certificates it should",
        )
    })
}

/// Where a new file's password came from, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewPassword {
    /// Generated by pfxgen and written to this file (mode 0600).
    Generated(PathBuf),
    /// The input's password, kept (`convert` without an output password).
    Kept {
        /// Whether that password is the empty one.
        empty: bool,
    },
    /// Deliberately none.
    None,
    /// Given by the operator.
    Given,
}

/// The certificate at index `i` of an opened PFX, when it is readable.
pub(crate) fn certificate_at(opened: &Opened, i: usize) -> Option<Certificate> {
    opened
        .certificates
        .get(i)
        .and_then(|c| c.certificate.as_ref().ok())
        .cloned()
}
