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
    // The size above is 0 for a pipe or a device (`<(...)`, /dev/zero):
    // the read itself is bounded too, one byte past the limit.
    let max = u64::try_from(limits.max_input_size).unwrap_or(u64::MAX);
    let Some(bytes) = crate::fsutil::read_at_most(path, max).map_err(|e| input_failure(&e))? else {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "{} gives more than {} bytes, the limit for a PFX (it is not a regular \
                 file: reading stopped there)",
                path.display(),
                limits.max_input_size
            ),
        ));
    };
    Ok(bytes)
}

fn is_password_problem(e: &P12Error) -> bool {
    matches!(
        e,
        P12Error::WrongPassword
            | P12Error::MacMismatch
            | P12Error::PasswordRequired
            | P12Error::DecryptionFailed { .. }
            | P12Error::PartlyDecrypted { .. }
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
    let pfx = Pfx::parse(&bytes, limits).map_err(|e| match text_instead_of_pfx(&bytes) {
        Some(what) => Failure::new(Exit::Input, format!("{display}: {what}")),
        None => from_pkcs12(&display, &e),
    })?;

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

/// Certificates read from a file for `jwks` and `audit`: a PFX (only the
/// certificate contents are decrypted; no key is ever decrypted), or a DER
/// or PEM certificate.
#[derive(Debug)]
pub struct CertificateFile {
    /// The raw bytes.
    pub bytes: Vec<u8>,
    /// The certificates.
    pub certificates: Vec<pfxgen_pkcs12::CertEntry>,
    /// Index of the end-entity certificate.
    pub end_entity: Option<usize>,
    /// Whether the certificates are known to be the producer's.
    pub integrity: Integrity,
}

/// How far the certificates of a file can be trusted to be the ones its
/// producer put there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Integrity {
    /// A certificate file (`.crt`, `.pem`): nothing to check beyond the
    /// certificate itself.
    CertificateFile,
    /// A PFX whose MAC verified.
    MacVerified,
    /// A PFX without a MAC: anyone could have changed it.
    NoMac,
    /// A PFX read without its password: only unencrypted certificates, and
    /// the MAC was not checked.
    NotChecked,
}

/// Why a certificate file could not be read (for reports that go on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateProblem {
    /// The password is wrong or missing.
    Password(String),
    /// The file is damaged, unsupported or unreadable.
    Input(String),
}

impl core::fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Password(m) | Self::Input(m) => f.write_str(m),
        }
    }
}

/// The DER of every PEM certificate block in `text`; `Ok(None)` when there
/// is none, an error naming the block when one is damaged (a bundle is
/// never read in part).
fn pem_certificates(text: &str) -> Result<Option<Vec<Vec<u8>>>, String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let number = out.len() + 1;
        let damaged = || format!("PEM certificate block {number} is damaged");
        let after = rest.get(start + BEGIN.len()..).ok_or_else(damaged)?;
        let end = after.find(END).ok_or_else(damaged)?;
        let der = after
            .get(..end)
            .and_then(crate::b64::decode_standard)
            .ok_or_else(damaged)?;
        out.push(der);
        rest = after.get(end + END.len()..).ok_or_else(damaged)?;
    }
    Ok((!out.is_empty()).then_some(out))
}

/// When `bytes` that failed to parse as a PFX are text a person may have
/// given by mistake (PEM, base64), says what they are.
#[must_use]
pub fn text_instead_of_pfx(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if let Some(label) = trimmed
        .find("-----BEGIN ")
        .and_then(|i| trimmed.get(i + 11..))
        .and_then(|rest| rest.split("-----").next())
    {
        return Some(format!(
            "it is PEM text ({label}), not a PKCS#12 file: give a binary .pfx/.p12 file \
             (jwks and audit also read PEM blocks labelled CERTIFICATE)"
        ));
    }
    let base64ish = !trimmed.is_empty()
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=\r\n \t-_".contains(&b));
    if base64ish && trimmed.starts_with("MI") {
        return Some(
            "it is base64 text, not a binary PKCS#12 file; decode it first (for example \
             base64 -d FILE > FILE.pfx)"
                .to_owned(),
        );
    }
    None
}

/// Reads the certificates of `bytes`: a PEM or DER certificate, or a PFX
/// opened with the first of `passwords` that verifies its MAC (only the
/// certificate contents are decrypted). When `passwords_known` is false and
/// none works, the unencrypted certificates of the PFX are returned marked
/// [`Integrity::NotChecked`]; when a password was known and fails, that is
/// an error: certificates are never taken from a file that failed its check.
///
/// # Errors
/// A [`CertificateProblem`] saying why nothing could be read.
pub fn read_certificates(
    bytes: Vec<u8>,
    passwords: &[Password],
    passwords_known: bool,
    limits: &Limits,
) -> Result<CertificateFile, CertificateProblem> {
    let standalone = |certificates: Vec<pfxgen_pkcs12::CertEntry>, bytes: Vec<u8>| {
        let end_entity = pfxgen_pkcs12::end_entity_of(&certificates);
        CertificateFile {
            bytes,
            certificates,
            end_entity,
            integrity: Integrity::CertificateFile,
        }
    };
    if let Ok(text) = std::str::from_utf8(&bytes) {
        if let Some(ders) = pem_certificates(text).map_err(CertificateProblem::Input)? {
            let certs = ders
                .iter()
                .map(|d| {
                    pfxgen_pkcs12::CertEntry::standalone(pfxgen_x509::Certificate::from_der(d))
                })
                .collect();
            return Ok(standalone(certs, bytes));
        }
    }
    let pfx = match Pfx::parse(&bytes, limits) {
        Ok(p) => p,
        Err(e) => {
            // Perhaps a bare DER certificate.
            if let Ok(c) = pfxgen_x509::Certificate::from_der(&bytes) {
                return Ok(standalone(
                    vec![pfxgen_pkcs12::CertEntry::standalone(Ok(c))],
                    bytes,
                ));
            }
            return Err(CertificateProblem::Input(
                text_instead_of_pfx(&bytes).unwrap_or_else(|| e.to_string()),
            ));
        }
    };
    let mut last = None;
    for pw in passwords {
        match pfx.open_certificates(pw, limits) {
            Ok((mac, certificates)) if !certificates.is_empty() => {
                let end_entity = pfxgen_pkcs12::end_entity_of(&certificates);
                let integrity = if matches!(mac, pfxgen_pkcs12::MacStatus::Verified(_)) {
                    Integrity::MacVerified
                } else {
                    Integrity::NoMac
                };
                return Ok(CertificateFile {
                    bytes,
                    certificates,
                    end_entity,
                    integrity,
                });
            }
            Ok(_) => {
                last = Some(CertificateProblem::Input(
                    "the file holds no certificate".to_owned(),
                ))
            }
            Err(e) if is_password_problem(&e) => {
                last = Some(CertificateProblem::Password(format!(
                    "wrong or missing password ({e})"
                )));
            }
            Err(e) => return Err(CertificateProblem::Input(e.to_string())),
        }
    }
    if !passwords_known {
        let visible: Vec<pfxgen_pkcs12::CertEntry> = pfx
            .unencrypted_certificates()
            .into_iter()
            .map(pfxgen_pkcs12::CertEntry::standalone)
            .collect();
        if !visible.is_empty() {
            let end_entity = pfxgen_pkcs12::end_entity_of(&visible);
            return Ok(CertificateFile {
                bytes,
                certificates: visible,
                end_entity,
                integrity: Integrity::NotChecked,
            });
        }
    }
    Err(last.unwrap_or_else(|| {
        CertificateProblem::Password(
            "the certificates are encrypted and no password is known for this file".to_owned(),
        )
    }))
}
