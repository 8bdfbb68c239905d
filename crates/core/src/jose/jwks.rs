//! `jwks`: the JWK Set the identity server publishes for these
//! certificates, so integrators can pre-load the next key.
//!
//! Only certificates are read (no private key is ever decrypted), and only
//! from files whose integrity was checked: a PFX whose MAC verified with its
//! password, or a certificate file. Each file's password comes from the
//! password map (`--passwords`, the map `audit` reads) when a rule selects
//! it, else from the password option given, else the empty password is
//! tried and, at a terminal, the operator is asked for that file's.

use std::path::{Path, PathBuf};

use pfxgen_pkcs12::{Limits, Password};
use pfxgen_x509::Certificate;

use crate::{
    audit::map::{MapSecrets, PasswordMap, Target},
    error::{Exit, Failure},
    files::open::{self, CertificateFile, CertificateProblem, CertificateRead, Integrity},
    jose::{
        jwk::{Jwk, Jwks},
        jwt,
    },
    secret::PasswordSource,
};

/// Most certificates `jwks` takes from one certificate file (a bundle of
/// the current and next certificates, perhaps with their chains).
pub const MAX_BUNDLE: usize = 64;

/// The hint of a password failure.
const PASSWORD_HINT: &str = "give the password with --password-file, --password-env or \
     --password-stdin, a password map with --passwords MAP, or run at a terminal to be asked";

/// What to publish and how to open it.
pub struct JwksRequest<'a> {
    /// PFX or certificate files, in the order their keys are published.
    pub files: &'a [PathBuf],
    /// Passwords per file (empty when no map was given).
    pub map: &'a PasswordMap,
    /// Resolves the map's `env:` and `file:` sources.
    pub secrets: &'a dyn MapSecrets,
    /// The password option given, and the prompt.
    pub password: &'a dyn PasswordSource,
    /// Decoding limits; `max_work` is one file's budget.
    pub limits: &'a Limits,
    /// The whole run's work budget.
    pub max_run_work: u64,
    /// Add each key's RFC 7638 thumbprint.
    pub thumbprints: bool,
}

/// Something the operator should know that does not stop publishing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksNote {
    /// The file's MAC is keyed with the empty password: anyone can
    /// recompute it after changing the file.
    EmptyPasswordMac {
        /// The file.
        file: String,
    },
    /// A certificate of a bundle issued another one in it: as a CA it is
    /// not published.
    IssuerNotPublished {
        /// The file.
        file: String,
        /// The certificate's place in the file (0-based).
        index: usize,
        /// Its subject.
        subject: String,
    },
    /// The key is already in the set (the same certificate named twice).
    Repeated {
        /// The file.
        file: String,
        /// The `kid`.
        kid: String,
    },
}

/// The set and the notes met on the way.
#[derive(Clone, Debug, Default)]
pub struct JwksReport {
    /// The JWK Set.
    pub jwks: Jwks,
    /// Notes, in the order met.
    pub notes: Vec<JwksNote>,
}

/// The state of one run.
struct Builder<'a> {
    request: &'a JwksRequest<'a>,
    /// The password option's password, read once (standard input cannot be
    /// read twice).
    given: Option<Password>,
    run_spent: u64,
    report: JwksReport,
}

/// Builds the JWK Set of `request.files`.
///
/// # Errors
/// Exit 3 when a file's certificates cannot be decrypted or its integrity
/// checked for lack of a password, 4 when a file is unreadable, damaged or
/// holds nothing to publish, 6 for key types the identity server does not
/// use.
pub fn build(request: &JwksRequest<'_>) -> Result<JwksReport, Failure> {
    let given = if request.password.given() {
        request
            .password
            .read("the certificate files", false)?
            .map(|(pw, _)| pw)
    } else {
        None
    };
    let mut b = Builder {
        request,
        given,
        run_spent: 0,
        report: JwksReport::default(),
    };
    for file in request.files {
        b.file(file)?;
    }
    Ok(b.report)
}

impl Builder<'_> {
    /// One file: read, checked, its certificates chosen and published.
    fn file(&mut self, file: &Path) -> Result<(), Failure> {
        let display = file.display().to_string();
        let read = self.read(file, &display)?;
        self.check_integrity(&read, &display)?;
        for cert in chosen(&read, &display, &mut self.report.notes)? {
            let kid = jwt::key_ids(cert).kid;
            if self.report.jwks.keys.iter().any(|k| k.kid == kid) {
                let file = display.clone();
                self.report.notes.push(JwksNote::Repeated { file, kid });
                continue;
            }
            let key = Jwk::of(cert, self.request.thumbprints)
                .map_err(|e| Failure::new(Exit::Unsupported, format!("{display}: {e}")))?;
            self.report.jwks.keys.push(key);
        }
        Ok(())
    }

    /// The passwords to try first, and whether they are known.
    fn first_passwords(
        &self,
        file: &Path,
        display: &str,
    ) -> Result<(Vec<Password>, bool), Failure> {
        let names = [display];
        let target = Target {
            names: &names,
            path: file,
            service_dir: None,
        };
        if self.request.map.source_for(&target).is_some() {
            let c = self
                .request
                .map
                .candidates(&target, self.request.secrets)
                .map_err(|m| Failure::new(Exit::Password, format!("{display}: {m}")))?;
            return Ok((c.passwords, c.known));
        }
        Ok(match &self.given {
            Some(pw) => (vec![pw.clone()], true),
            None => (vec![Password::empty()], false),
        })
    }

    /// Reads the file's certificates; when no password was known and the
    /// file needs one, asks at the terminal (once per file) and reads again.
    fn read(&mut self, file: &Path, display: &str) -> Result<CertificateFile, Failure> {
        let bytes = open::read_file(file, self.request.limits)?;
        let (passwords, known) = self.first_passwords(file, display)?;
        let first = self.attempt(bytes.clone(), &passwords, known);
        let needs_password = match &first {
            Err(CertificateProblem::Password(_)) => true,
            Ok(read) => read.integrity == Integrity::NotChecked,
            Err(_) => false,
        };
        if known || !needs_password || !self.request.password.can_ask() {
            return first.map_err(|p| self.failure(p, display));
        }
        let Some((pw, _)) = self.request.password.read(display, false)? else {
            return first.map_err(|p| self.failure(p, display));
        };
        self.attempt(bytes, &[pw], true)
            .map_err(|p| self.failure(p, display))
    }

    /// One reading within what is left of the run's budget.
    fn attempt(
        &mut self,
        bytes: Vec<u8>,
        passwords: &[Password],
        known: bool,
    ) -> Result<CertificateFile, CertificateProblem> {
        let limits = self.request.limits;
        // This file may cost --max-work, and no more than the run has left.
        let file_limits = Limits {
            max_work: limits
                .max_work
                .min(self.request.max_run_work.saturating_sub(self.run_spent)),
            ..limits.clone()
        };
        let mut budget = CertificateRead {
            limits: &file_limits,
            max_certificates: MAX_BUNDLE,
            spent: 0,
        };
        let result = open::read_certificates(bytes, passwords, known, &mut budget);
        self.run_spent = self.run_spent.saturating_add(budget.spent);
        result
    }

    fn failure(&self, problem: CertificateProblem, display: &str) -> Failure {
        match problem {
            CertificateProblem::Password(m) => {
                Failure::new(Exit::Password, format!("{display}: {m}")).with_hint(PASSWORD_HINT)
            }
            CertificateProblem::Work(m) => Failure::new(Exit::Input, format!("{display}: {m}"))
                .with_hint(format!(
                    "--max-work raises the budget of one file, --max-run-work that of the run \
                     ({} of {} spent)",
                    self.run_spent, self.request.max_run_work
                )),
            CertificateProblem::TooMany { found, max } => Failure::new(
                Exit::Input,
                format!(
                    "{display} holds {found} certificates; a bundle to publish holds at most \
                     {max} (counted before any was read)"
                ),
            ),
            CertificateProblem::Input(m) => Failure::new(Exit::Input, format!("{display}: {m}")),
        }
    }

    /// Integrators will trust these keys: only from files whose integrity
    /// was checked.
    fn check_integrity(&mut self, read: &CertificateFile, display: &str) -> Result<(), Failure> {
        match read.integrity {
            Integrity::EmptyPasswordMac => {
                let file = display.to_owned();
                self.report.notes.push(JwksNote::EmptyPasswordMac { file });
                Ok(())
            }
            Integrity::NoMac => Err(Failure::new(
                Exit::Input,
                format!("{display} has no MAC, so its certificates cannot be vouched for"),
            )
            .with_hint("export the certificate itself (.crt/.pem) and run jwks on that")),
            Integrity::NotChecked => Err(Failure::new(
                Exit::Password,
                format!(
                    "{display}: the password is needed to check the file's integrity before \
                     publishing its key"
                ),
            )
            .with_hint(PASSWORD_HINT)),
            _ => Ok(()),
        }
    }
}

/// The certificates of a file to publish. A PFX publishes the certificate
/// of its key. A certificate file may be a bundle (the current and the
/// next certificate): every certificate in it is published except those
/// that issued another one in the file (a chain's CAs). Self-signed signing
/// certificates often say CA:TRUE (`openssl req -x509` does), so that flag
/// alone decides nothing.
fn chosen<'f>(
    read: &'f CertificateFile,
    display: &str,
    notes: &mut Vec<JwksNote>,
) -> Result<Vec<&'f Certificate>, Failure> {
    let chosen: Vec<&Certificate> = if read.integrity == Integrity::CertificateFile {
        bundle(read, display, notes)?
    } else {
        read.end_entity
            .and_then(|i| read.certificates.get(i))
            .and_then(|c| c.certificate.as_ref().ok())
            .into_iter()
            .collect()
    };
    if chosen.is_empty() {
        return Err(Failure::new(
            Exit::Input,
            format!("{display}: no certificate to publish"),
        ));
    }
    Ok(chosen)
}

/// A bundle's certificates, without those that issued another one in it.
/// Finding the CAs compares every pair: `read_certificates` has refused a
/// bundle of more than [`MAX_BUNDLE`] before reading any.
fn bundle<'f>(
    read: &'f CertificateFile,
    display: &str,
    notes: &mut Vec<JwksNote>,
) -> Result<Vec<&'f Certificate>, Failure> {
    let mut all = Vec::new();
    for (i, entry) in read.certificates.iter().enumerate() {
        let cert = entry.certificate.as_ref().map_err(|e| {
            Failure::new(
                Exit::Input,
                format!("{display}: certificate {i} cannot be read: {e}"),
            )
        })?;
        all.push(cert);
    }
    let mut chosen = Vec::new();
    for (index, c) in all.iter().enumerate() {
        if issued_another(c, &all) {
            notes.push(JwksNote::IssuerNotPublished {
                file: display.to_owned(),
                index,
                subject: c.subject(),
            });
        } else {
            chosen.push(*c);
        }
    }
    Ok(chosen)
}

/// Names alone prove nothing (two pfxgen certificates share the default
/// subject): `c` issued `o` when `o` is not self-issued, names `c` as
/// issuer, and `c`'s key verifies `o`'s signature (or, for an algorithm
/// pfxgen cannot check, `o`'s authority key id is `c`'s subject key id).
fn issued_another(c: &Certificate, all: &[&Certificate]) -> bool {
    let key = c.public_key().ok();
    let ski = c.extensions().subject_key_id.as_ref();
    all.iter().any(|o| {
        o.der() != c.der()
            && !o.is_self_issued()
            && o.issuer_der() == c.subject_der()
            && match key.as_ref().map(|k| o.verify_signature(k)) {
                Some(Ok(())) => true,
                _ => ski.is_some() && o.extensions().authority_key_id.as_ref() == ski,
            }
    })
}
