//! Failures, their exit codes, and how they are printed.

use core::fmt;

/// Exit statuses, documented in `pfxgen --help` and the README.
///
/// A script can rely on these numbers; they will not be reused for other
/// meanings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// 0: success.
    Success = 0,
    /// 1: a check did not pass (`verify` found a problem, `audit` has
    /// findings). The tool ran correctly.
    CheckFailed = 1,
    /// 2: usage error: unknown option, bad value, missing argument.
    Usage = 2,
    /// 3: password problem: wrong password, no password source, password
    /// refused by the policy.
    Password = 3,
    /// 4: input problem: a file is missing or unreadable, not a PFX,
    /// damaged, hostile, or beyond a limit.
    Input = 4,
    /// 5: output problem: the output exists (without `--force`), the folder
    /// is missing or read-only, the disk is full. Nothing was changed.
    Output = 5,
    /// 6: unsupported: the input uses something pfxgen does not implement.
    Unsupported = 6,
    /// 7: another pfxgen holds the lock on the service folder.
    Locked = 7,
    /// 8: refused: pfxgen will not act on a file or folder that another
    /// user controls (a link it cannot trust, a configuration or backup
    /// another user can write, a path leaving the service folder). Nothing
    /// was changed.
    Unsafe = 8,
    /// 70: internal error (a bug: please report it).
    Internal = 70,
}

impl Exit {
    /// The numeric status.
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// A failure to report: what happened, the exit status, and optional hints.
#[derive(Debug)]
pub struct Failure {
    /// Exit status.
    pub exit: Exit,
    /// One-line description of what went wrong.
    pub message: String,
    /// Causes, outermost first.
    pub causes: Vec<String>,
    /// What the operator can do about it.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with a message.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            causes: Vec::new(),
            hint: None,
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message).with_hint("run `pfxgen help` for usage")
    }

    /// The same failure, as an input problem (exit 4).
    #[must_use]
    pub fn input(mut self) -> Self {
        self.exit = Exit::Input;
        self
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Appends the chain of an error as causes.
    #[must_use]
    pub fn caused_by(mut self, error: &(dyn std::error::Error + 'static)) -> Self {
        self.causes.push(error.to_string());
        let mut source = error.source();
        while let Some(e) = source {
            let text = e.to_string();
            if self.causes.last() != Some(&text) && !self.message.contains(&text) {
                self.causes.push(text);
            }
            source = e.source();
        }
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        for cause in &self.causes {
            if !self.message.contains(cause.as_str()) {
                write!(f, "\n  caused by: {cause}")?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Maps a PKCS#12 error to an exit status and a hint.
pub fn from_pkcs12(context: &str, e: &pfxgen_pkcs12::Error) -> Failure {
    use pfxgen_pkcs12::Error as E;
    let (exit, hint) = match e {
        E::WrongPassword | E::MacMismatch => (
            Exit::Password,
            Some("check the password (it is case-sensitive)"),
        ),
        E::PasswordRequired => (
            Exit::Password,
            Some(
                "give the password with --password-file, --password-env, --password-stdin or at the prompt",
            ),
        ),
        E::IntegrityCheckFailed => (
            Exit::Input,
            Some("the file was modified or damaged; get a fresh copy"),
        ),
        E::DecryptionFailed {
            mac_verified: false,
            ..
        } => (
            Exit::Password,
            Some("check the password; the file has no MAC to tell a wrong password from damage"),
        ),
        E::DecryptionFailed {
            mac_verified: true, ..
        } => (
            Exit::Password,
            Some(
                "pfxgen takes one password per file (as OpenSSL and today's keytool do): have \
                 the file exported again with one password; a password the producer took as \
                 ISO-8859-1 bytes opens when given as those bytes (--password-file)",
            ),
        ),
        E::PartlyDecrypted { .. } => (
            Exit::Password,
            Some(
                "if the file has a store password and a key password, give the store password \
                 (it verifies the MAC); otherwise get a fresh copy of the file",
            ),
        ),
        E::Unsupported { .. } => (Exit::Unsupported, None),
        E::KeyCertificateMismatch | E::InvalidOptions { .. } | E::Crypto(_) => {
            (Exit::Internal, None)
        }
        _ => (Exit::Input, None),
    };
    let mut failure = Failure::new(exit, format!("{context}: {e}"));
    if let Some(hint) = hint {
        failure = failure.with_hint(hint);
    }
    failure
}
