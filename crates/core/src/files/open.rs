//! Reading a PFX from disk and opening it the way .NET would: with the
//! given password, or, when none is given, first with the empty password
//! (a password-less file is common), then by asking at the terminal.

use std::path::Path;

use pfxgen_pkcs12::{CertEntry, Error as P12Error, Limits, Opened, Password, Pfx};
use pfxgen_x509::Certificate;

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::{fsutil::io_failure, readfile::ReadError},
    secret::{Origin, PasswordSource},
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

/// Reads `path`: only a regular file (a FIFO or device is refused at once,
/// without waiting on it), at most the size limit for a PFX.
///
/// # Errors
/// An exit-4 failure naming the file and the reason.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, Failure> {
    let max = u64::try_from(limits.max_input_size).unwrap_or(u64::MAX);
    crate::files::readfile::read_regular(path, max).map_err(|e| match e {
        ReadError::Io(e) => {
            let mut f = io_failure("read", path, &e);
            f.exit = Exit::Input;
            f
        }
        ReadError::TooLarge(_) => Failure::new(
            Exit::Input,
            format!(
                "{} is larger than the {}-byte limit for a PFX",
                path.display(),
                limits.max_input_size
            ),
        ),
        other => Failure::new(Exit::Input, format!("{}: {other}", path.display())),
    })
}

/// Whether a MAC that verified was keyed with the empty or the absent
/// password (anyone can recompute it, so it proves nothing).
#[must_use]
pub fn mac_keyed_with_empty_password(mac: pfxgen_pkcs12::MacStatus, password: &Password) -> bool {
    use pfxgen_pkcs12::{MacStatus, PasswordForm};
    match mac {
        MacStatus::Verified(PasswordForm::Absent | PasswordForm::Empty) => true,
        MacStatus::Verified(_) => password.is_empty(),
        _ => false,
    }
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
    password: &dyn PasswordSource,
    require_open: bool,
    limits: &Limits,
) -> Result<Loaded, Failure> {
    let (loaded, _) = load_with(path, password, require_open, false, limits)?;
    Ok(loaded)
}

/// Reads `path` and opens it if it can, for `inspect`: like [`load`] with
/// `require_open` false, but a file whose contents cannot be decrypted for
/// a reason other than the password (an unsupported cipher or scheme, a
/// damaged encrypted part) still yields its structure, with the failure
/// that stopped the decryption beside it.
///
/// # Errors
/// Exit 3 (password), 4 (input) or 6 (unsupported) failures from reading
/// and parsing the file, or from a wrong password.
pub fn load_readable(
    path: &Path,
    password: &dyn PasswordSource,
    limits: &Limits,
) -> Result<(Loaded, Option<Failure>), Failure> {
    load_with(path, password, false, true, limits)
}

/// Reads `path` and parses it as a PFX, with a precise message for an
/// empty file and for text given instead of a PFX.
///
/// # Errors
/// Exit 4 (input) or 6 (unsupported) failures.
pub fn read_pfx(path: &Path, limits: &Limits) -> Result<(Vec<u8>, Pfx), Failure> {
    let bytes = read_file(path, limits)?;
    let pfx = parse_pfx(&bytes, limits, &path.display().to_string())?;
    Ok((bytes, pfx))
}

/// Parses `bytes` (read from the file shown as `display`) as a PFX: an
/// empty file, or text given instead of a PFX, is named as such rather than
/// reported as malformed ASN.1.
///
/// # Errors
/// Exit 4 (input) or 6 (unsupported) failures naming `display`.
pub fn parse_pfx(bytes: &[u8], limits: &Limits, display: &str) -> Result<Pfx, Failure> {
    Pfx::parse(bytes, limits).map_err(|e| match not_a_pfx(bytes) {
        Some(what) => Failure::new(Exit::Input, format!("{display}: {what}")),
        None => from_pkcs12(display, &e),
    })
}

fn load_with(
    path: &Path,
    password: &dyn PasswordSource,
    require_open: bool,
    keep_structure: bool,
    limits: &Limits,
) -> Result<(Loaded, Option<Failure>), Failure> {
    let display = path.display().to_string();
    let (bytes, pfx) = read_pfx(path, limits)?;
    let mut loaded = Loaded {
        bytes,
        pfx,
        opened: None,
        password: None,
        password_use: PasswordUse::NotGiven,
    };
    let opening = Opening {
        display: &display,
        keep_structure,
        limits,
    };
    if password.given() {
        let (pw, origin) = password
            .read(&display, false)?
            .ok_or_else(|| Failure::new(Exit::Password, "no password given"))?;
        let unreadable = opening.open(&mut loaded, pw, PasswordUse::Given(origin))?;
        return Ok((loaded, unreadable));
    }
    // No password given: try the empty one (and, inside open, the absent one).
    match loaded.pfx.open(&Password::empty(), limits) {
        Ok(opened) => {
            loaded.opened = Some(opened);
            loaded.password = Some(Password::empty());
            loaded.password_use = PasswordUse::EmptyWorked;
            return Ok((loaded, None));
        }
        Err(e) if is_password_problem(&e) => {}
        Err(e) if keep_structure => return Ok((loaded, Some(from_pkcs12(&display, &e)))),
        Err(e) => return Err(from_pkcs12(&display, &e)),
    }
    if password.can_ask() {
        if let Some((pw, origin)) = password.read(&display, false)? {
            let unreadable = opening.open(&mut loaded, pw, PasswordUse::Given(origin))?;
            return Ok((loaded, unreadable));
        }
    }
    if require_open {
        return Err(Failure::new(Exit::Password, format!("{display} is protected by a password and none was given"))
            .with_hint("use --password-file FILE, --password-env VAR, --password-stdin, or run at a terminal to be asked"));
    }
    Ok((loaded, None))
}

/// How [`load_with`] opens a file with a password it was given.
struct Opening<'a> {
    display: &'a str,
    keep_structure: bool,
    limits: &'a Limits,
}

impl Opening<'_> {
    /// Opens `loaded` with `pw`. A wrong password is an error; any other
    /// failure is too, unless the structure is kept: then it is returned.
    fn open(
        &self,
        loaded: &mut Loaded,
        pw: Password,
        how: PasswordUse,
    ) -> Result<Option<Failure>, Failure> {
        loaded.password_use = how;
        match loaded.pfx.open(&pw, self.limits) {
            Ok(opened) => {
                loaded.opened = Some(opened);
                loaded.password = Some(pw);
                Ok(None)
            }
            Err(e) if self.keep_structure && !is_password_problem(&e) => {
                Ok(Some(from_pkcs12(self.display, &e)))
            }
            Err(e) => Err(from_pkcs12(self.display, &e)),
        }
    }
}

/// Certificates read from a file for `jwks` and `audit`: a PFX (only the
/// certificate contents are decrypted; no key is ever decrypted), or a DER
/// or PEM certificate.
#[derive(Debug)]
pub struct CertificateFile {
    /// The raw bytes.
    pub bytes: Vec<u8>,
    /// The certificates.
    pub certificates: Vec<CertEntry>,
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
    /// A PFX whose MAC verified with a real password.
    MacVerified,
    /// A PFX whose MAC verified with the empty (or absent) password: anyone
    /// can recompute such a MAC after changing the file, so it proves
    /// nothing about who made it.
    EmptyPasswordMac,
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
    /// Opening it needs more work than the budget left for it.
    Work(String),
    /// It holds more certificates than the caller takes (counted before
    /// any of them is analysed).
    TooMany {
        /// How many it holds (at least).
        found: usize,
        /// The caller's limit.
        max: usize,
    },
}

impl core::fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Password(m) | Self::Input(m) | Self::Work(m) => f.write_str(m),
            Self::TooMany { found, max } => write!(
                f,
                "it holds {found} certificates; at most {max} are read from one file"
            ),
        }
    }
}

/// Work limits for reading certificates: `limits.max_work` is what one
/// file may cost (all the passwords tried on it together), `spent` grows by
/// what it did cost, success or not.
#[derive(Debug)]
pub struct CertificateRead<'a> {
    /// Decoding limits; `max_work` is this file's budget.
    pub limits: &'a Limits,
    /// Most certificates taken from one file.
    pub max_certificates: usize,
    /// Work done so far (added to).
    pub spent: u64,
}

/// The line that starts a PEM certificate block.
const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// The DER of every PEM certificate block in `text`; `Ok(None)` when there
/// is none, an error naming the block when one is damaged (a bundle is
/// never read in part). Each block is decoded by `pem-rfc7468` (constant
/// time, any line width, CRLF or LF); other blocks are ignored.
fn pem_certificates(text: &str) -> Result<Option<Vec<Vec<u8>>>, String> {
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(PEM_BEGIN) {
        let number = out.len() + 1;
        let block = rest.get(start..).unwrap_or_default();
        let end = block
            .find(END)
            .ok_or_else(|| format!("PEM certificate block {number} is damaged (no END line)"))?;
        let whole = block.get(..end + END.len()).unwrap_or_default();
        let der = decode_pem_block(whole)
            .map_err(|e| format!("PEM certificate block {number} is damaged ({e})"))?;
        out.push(der);
        rest = block.get(end + END.len()..).unwrap_or_default();
    }
    Ok((!out.is_empty()).then_some(out))
}

/// Decodes one PEM block, from its BEGIN line to the end of its END line.
fn decode_pem_block(block: &str) -> Result<Vec<u8>, pem_rfc7468::Error> {
    let normalised = block.replace('\r', "");
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(normalised.as_bytes())?;
    let mut buf = vec![0u8; decoder.remaining_len()];
    let len = decoder.decode(&mut buf)?.len();
    buf.truncate(len);
    Ok(buf)
}

/// When `bytes` that failed to parse as a PFX are something a person may
/// have given by mistake (an empty file, PEM or base64 text), says what
/// they are.
#[must_use]
pub fn not_a_pfx(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("the file is empty (0 bytes), not a PKCS#12 file".to_owned());
    }
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

/// When `bytes` that are neither a PFX nor a certificate are plain text
/// (no PEM block at all; an empty file is named by [`not_a_pfx`]), says
/// so: "malformed PFX" would send the operator looking for damage in a file
/// that was never one.
fn plain_text(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let printable = text
        .chars()
        .all(|c| !c.is_control() || c.is_ascii_whitespace() || c == '\u{feff}');
    printable.then(|| {
        "it is text with no PEM block (no -----BEGIN CERTIFICATE----- line): give a \
         PFX/PKCS#12 file, a DER certificate or PEM certificates"
            .to_owned()
    })
}

/// Reads the certificates of `bytes`: a PEM or DER certificate, or a PFX
/// opened with the first of `passwords` that verifies its MAC (only the
/// certificate contents are decrypted). When `passwords_known` is false and
/// none works, the unencrypted certificates of the PFX are returned marked
/// [`Integrity::NotChecked`]; when a password was known and fails, that is
/// an error: certificates are never taken from a file that failed its check.
/// The number of certificates is checked against `read.max_certificates`
/// before any is analysed, and the key derivations of all passwords together
/// against `read.limits.max_work`.
///
/// # Errors
/// A [`CertificateProblem`] saying why nothing could be read.
pub fn read_certificates(
    bytes: Vec<u8>,
    passwords: &[Password],
    passwords_known: bool,
    read: &mut CertificateRead<'_>,
) -> Result<CertificateFile, CertificateProblem> {
    let max = read.max_certificates;
    if let Ok(text) = std::str::from_utf8(&bytes) {
        // Counted before a single block is decoded.
        too_many(text.matches(PEM_BEGIN).count(), max)?;
        if let Some(ders) = pem_certificates(text).map_err(CertificateProblem::Input)? {
            let certs = ders
                .iter()
                .map(|d| CertEntry::standalone(Certificate::from_der(d)))
                .collect();
            return found(certs, bytes, Integrity::CertificateFile, max);
        }
    }
    let pfx = match Pfx::parse(&bytes, read.limits) {
        Ok(p) => p,
        Err(e) => {
            // Perhaps a bare DER certificate.
            if let Ok(c) = Certificate::from_der(&bytes) {
                let certs = vec![CertEntry::standalone(Ok(c))];
                return found(certs, bytes, Integrity::CertificateFile, max);
            }
            return Err(CertificateProblem::Input(
                not_a_pfx(&bytes)
                    .or_else(|| plain_text(&bytes))
                    .unwrap_or_else(|| e.to_string()),
            ));
        }
    };
    let (certificates, integrity) = pfx_certificates(&pfx, passwords, passwords_known, read)?;
    found(certificates, bytes, integrity, max)
}

/// Refuses more than `max` certificates.
fn too_many(found: usize, max: usize) -> Result<(), CertificateProblem> {
    if found > max {
        return Err(CertificateProblem::TooMany { found, max });
    }
    Ok(())
}

/// The file read: its certificates (at most `max`) and their end entity.
fn found(
    certificates: Vec<CertEntry>,
    bytes: Vec<u8>,
    integrity: Integrity,
    max: usize,
) -> Result<CertificateFile, CertificateProblem> {
    too_many(certificates.len(), max)?;
    let end_entity = pfxgen_pkcs12::end_entity_of(&certificates);
    Ok(CertificateFile {
        bytes,
        certificates,
        end_entity,
        integrity,
    })
}

/// The certificates of a PFX, opened with the first of `passwords` that
/// verifies its MAC; see [`read_certificates`].
fn pfx_certificates(
    pfx: &Pfx,
    passwords: &[Password],
    passwords_known: bool,
    read: &mut CertificateRead<'_>,
) -> Result<(Vec<CertEntry>, Integrity), CertificateProblem> {
    let limits = read.limits;
    let mut last = None;
    for pw in passwords {
        let left = Limits {
            max_work: limits.max_work.saturating_sub(read.spent),
            ..limits.clone()
        };
        match pfx.open_certificates_metered(pw, &left, &mut read.spent) {
            Ok((mac, certificates)) if !certificates.is_empty() => {
                let integrity = match mac {
                    _ if mac_keyed_with_empty_password(mac, pw) => Integrity::EmptyPasswordMac,
                    pfxgen_pkcs12::MacStatus::Verified(_) => Integrity::MacVerified,
                    _ => Integrity::NoMac,
                };
                return Ok((certificates, integrity));
            }
            Ok(_) => {
                last = Some(CertificateProblem::Input(
                    "the file holds no certificate".to_owned(),
                ));
            }
            Err(e) if is_password_problem(&e) => {
                last = Some(CertificateProblem::Password(format!(
                    "wrong or missing password ({e})"
                )));
            }
            Err(e @ P12Error::WorkLimit { .. }) => {
                return Err(CertificateProblem::Work(e.to_string()));
            }
            Err(e) => return Err(CertificateProblem::Input(e.to_string())),
        }
    }
    if !passwords_known {
        let visible: Vec<CertEntry> = pfx
            .unencrypted_certificates()
            .into_iter()
            .map(CertEntry::standalone)
            .collect();
        if !visible.is_empty() {
            return Ok((visible, Integrity::NotChecked));
        }
    }
    Err(last.unwrap_or_else(|| {
        CertificateProblem::Password(
            "the certificates are encrypted and no password is known for this file".to_owned(),
        )
    }))
}
