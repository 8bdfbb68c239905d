//! Reading the certificate a service uses now, to compare the new one with
//! it, make the new one like it, and back it up.

use std::{fs, path::Path};

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{Error as P12Error, Limits, Opened, Password, Pfx};
use pfxgen_x509::Certificate;

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::open::{Loaded, PasswordUse, parse_pfx},
    secret::{Origin, PasswordSource},
    service::{locate::Service, transaction::check_hard_link},
};

/// How `rotate` treats a current certificate it cannot use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CurrentPolicy {
    /// `--allow-missing-current`: install even when there is no current file.
    pub allow_missing: bool,
    /// `--allow-unreadable-current`: install even when the current file
    /// cannot be read (damaged, unknown password); its bytes are backed up
    /// as they are.
    pub allow_unreadable: bool,
}

/// The current certificate as read: the file's metadata (owner and mode
/// for a new file), and the opened contents when it could be read.
#[derive(Debug)]
pub struct Current {
    /// The file's metadata; `None` when there is no current file.
    pub meta: Option<fs::Metadata>,
    /// The file, opened; `None` when missing or unreadable.
    pub loaded: Option<Loaded>,
    /// Why the current file could not be read (with
    /// [`CurrentPolicy::allow_unreadable`]).
    pub unreadable: Option<String>,
}

/// Opens the current certificate (its bytes, read through the service's
/// open folder) with the password [`unlock`] finds.
fn open_current(
    display: &Path,
    bytes: Vec<u8>,
    password: &dyn PasswordSource,
    new_password: Option<&Password>,
    limits: &Limits,
) -> Result<Loaded, Failure> {
    let pfx = parse_pfx(&bytes, limits, &display.display().to_string())?;
    let (opened, pw, password_use) = unlock(&pfx, display, password, new_password, limits)?;
    Ok(Loaded {
        bytes,
        pfx,
        opened: Some(opened),
        password: Some(pw),
        password_use,
    })
}

/// Opens `pfx` with its own password source when one is named, else the
/// new password, else the empty one, else (at a terminal) by asking three
/// times: the contents, the password that opened them, and how it came.
fn unlock(
    pfx: &Pfx,
    display: &Path,
    password: &dyn PasswordSource,
    new_password: Option<&Password>,
    limits: &Limits,
) -> Result<(Opened, Password, PasswordUse), Failure> {
    let shown = display.display().to_string();
    if password.given() {
        let (pw, origin) = password
            .read(&shown, false)?
            .ok_or_else(|| Failure::new(Exit::Password, "no password given"))?;
        let opened = pfx.open(&pw, limits).map_err(|e| from_pkcs12(&shown, &e))?;
        return Ok((opened, pw, PasswordUse::Given(origin)));
    }
    for pw in new_password.into_iter().cloned().chain([Password::empty()]) {
        if let Ok(opened) = pfx.open(&pw, limits) {
            let how = if pw.is_empty() {
                PasswordUse::EmptyWorked
            } else {
                PasswordUse::Given(Origin::Prompt)
            };
            return Ok((opened, pw, how));
        }
    }
    if password.can_ask() {
        let purpose = format!("the current certificate {}", display.display());
        for _ in 0..3 {
            let Some((pw, origin)) = password.read(&purpose, false)? else {
                break;
            };
            match pfx.open(&pw, limits) {
                Ok(opened) => return Ok((opened, pw, PasswordUse::Given(origin))),
                Err(P12Error::WrongPassword) => {}
                Err(e) => return Err(from_pkcs12(&shown, &e)),
            }
        }
    }
    Err(Failure::new(
        Exit::Password,
        format!(
            "cannot open the current certificate {} to compare it with the new one",
            display.display()
        ),
    )
    .with_hint("give its password with --current-password-file FILE or --current-password-env VAR"))
}

/// Reads and opens the current certificate through the open service
/// folder. A damaged file or an unknown password is an error unless
/// [`CurrentPolicy::allow_unreadable`]; a missing one unless
/// [`CurrentPolicy::allow_missing`].
///
/// # Errors
/// Exit 3, 4 or 6 (with a hint naming `--allow-unreadable-current`), 8
/// for a hard link to another user's file.
pub fn read_current(
    service: &Service,
    policy: CurrentPolicy,
    password: &dyn PasswordSource,
    try_password: Option<&Password>,
    limits: &Limits,
) -> Result<Current, Failure> {
    let Some((bytes, meta)) = service.current_file.read()? else {
        if policy.allow_missing {
            return Ok(Current {
                meta: None,
                loaded: None,
                unreadable: None,
            });
        }
        return Err(Failure::new(
            Exit::Input,
            format!("the current certificate {} does not exist", service.current.display()),
        )
        .with_hint(
            "check --service-dir and X509CertificatePath; use --allow-missing-current to install anyway",
        ));
    };
    check_hard_link(service.owner, &service.current_file, &meta)?;
    let readable = |f: &Failure| matches!(f.exit, Exit::Input | Exit::Password | Exit::Unsupported);
    match open_current(&service.current, bytes, password, try_password, limits) {
        Ok(loaded) => Ok(Current {
            meta: Some(meta),
            loaded: Some(loaded),
            unreadable: None,
        }),
        Err(f) if policy.allow_unreadable && readable(&f) => Ok(Current {
            meta: Some(meta),
            loaded: None,
            unreadable: Some(f.message),
        }),
        Err(f) if readable(&f) => Err(f.with_hint(
            "if the current file is damaged or its password is lost, --allow-unreadable-current \
             installs the new one anyway (the current file is backed up byte for byte)",
        )),
        Err(f) => Err(f),
    }
}

/// The end-entity certificate and key of an opened file.
#[must_use]
pub fn end_entity(loaded: &Loaded) -> (Option<&Certificate>, Option<&PrivateKey>) {
    let Some(o) = loaded.opened.as_ref() else {
        return (None, None);
    };
    let cert = o
        .end_entity()
        .and_then(|i| o.certificates.get(i))
        .and_then(|c| c.certificate.as_ref().ok());
    let key = o.keys.first().and_then(|k| k.key.as_ref().ok());
    (cert, key)
}
