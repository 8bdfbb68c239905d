//! Making a token-signing certificate: a key, its self-signed certificate
//! and the PFX, from a [`CertificateSpec`] (what `generate` and `rotate`
//! accept as options), and the check that a written PFX holds exactly what
//! was made. [`likeness`] fills a spec from the certificate it replaces.

pub mod likeness;
pub mod output;

use std::path::Path;

use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{DotNetLimits, Password, Profile, WriteOptions, write_pfx};
use pfxgen_x509::{Certificate, CertificateParams, DistinguishedName, ExtendedKeyUsage, SanEntry};

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::fsutil::{PreparedFile, same_location},
    lifecycle::output::verify_pfx,
};

/// Longest validity accepted, in days (20 years). A token-signing key has
/// no reason to outlive this; rotate instead.
pub const MAX_DAYS: u32 = 7305;
/// Default validity, as in the vendor's scripts.
pub const DEFAULT_DAYS: u32 = 365;

/// What certificate to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateSpec {
    /// Validity in days ([`DEFAULT_DAYS`] when `None`).
    pub days: Option<u32>,
    /// The key algorithm.
    pub algorithm: KeyAlgorithm,
    /// Whether the algorithm was chosen (else `rotate` keeps the current
    /// certificate's algorithm).
    pub algorithm_given: bool,
    /// The subject (`CN=<host> token signing` when `None`).
    pub subject: Option<DistinguishedName>,
    /// Subject alternative names.
    pub sans: Vec<SanEntry>,
    /// Extended key usages.
    pub ekus: Vec<ExtendedKeyUsage>,
    /// The PFX layout and algorithms.
    pub profile: Profile,
    /// Iterations of the MAC and of each encryption (the profile's default
    /// when `None`).
    pub iterations: Option<u32>,
    /// `friendlyName` of the key and certificate bags.
    pub friendly_name: Option<String>,
}

impl Default for CertificateSpec {
    fn default() -> Self {
        Self {
            days: None,
            algorithm: KeyAlgorithm::Rsa2048,
            algorithm_given: false,
            subject: None,
            sans: Vec::new(),
            ekus: Vec::new(),
            profile: Profile::Modern,
            iterations: None,
            friendly_name: None,
        }
    }
}

/// A freshly made key, certificate and PFX.
#[derive(Debug)]
pub struct Built {
    /// The private key.
    pub key: PrivateKey,
    /// Its self-signed certificate.
    pub certificate: Certificate,
    /// The PFX bytes.
    pub pfx: Vec<u8>,
    /// Iterations used.
    pub iterations: u32,
    /// Profile used.
    pub profile: Profile,
}

impl CertificateSpec {
    /// What would make `verify` (which wants `min_days` of validity) or
    /// `rotate` refuse the file this spec makes, or the identity server's
    /// loader refuse it: said before any work, so that the operator can
    /// choose again. `passwordless`: the file has no password.
    #[must_use]
    pub fn usability_warnings(&self, passwordless: bool, min_days: u32) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(days) = self.days.filter(|d| *d < min_days) {
            out.push(format!(
                "the certificate will be valid for {days} days: `pfxgen verify` and `pfxgen rotate` \
                 refuse certificates valid for less than {min_days} more days unless given --min-days"
            ));
        }
        let limit = DotNetLimits::MAX_PASSWORDLESS_TOTAL_ITERATIONS;
        if let (true, Some(n)) = (passwordless, self.iterations) {
            // The MAC and the two encryptions each derive with n iterations.
            if u64::from(n) * 3 > limit {
                out.push(format!(
                    "a password-less file with {n} iterations ({} in total) exceeds the {limit} \
                     that older .NET runtimes accept for password-less files; `pfxgen verify` \
                     will fail its dotnet-loader-limits check (iterations add nothing without a password)",
                    u64::from(n) * 3
                ));
            }
        }
        out
    }

    /// Makes the key, the certificate and the PFX bytes.
    ///
    /// # Errors
    /// Internal failures (RNG, encoding); exit 2 when the certificate
    /// cannot be made from the spec.
    pub fn build(&self, password: &Password) -> Result<Built, Failure> {
        let key = PrivateKey::generate(self.algorithm)
            .map_err(|e| Failure::new(Exit::Internal, format!("cannot generate the key: {e}")))?;
        let subject = match &self.subject {
            Some(s) => s.clone(),
            None => default_subject(),
        };
        let params = CertificateParams {
            subject,
            subject_alt_names: self.sans.clone(),
            extended_key_usages: self.ekus.clone(),
            not_before: None,
            validity_days: self.days.unwrap_or(DEFAULT_DAYS),
        };
        let certificate = params
            .self_signed(&key)
            .map_err(|e| Failure::new(Exit::Usage, format!("cannot make the certificate: {e}")))?;
        let mut options = WriteOptions::for_password(self.profile, password);
        if let Some(n) = self.iterations {
            options.iterations = n;
        }
        options.friendly_name.clone_from(&self.friendly_name);
        let pfx = write_pfx(&key, &certificate, &[], password, &options)
            .map_err(|e| from_pkcs12("cannot write the PFX", &e))?;
        Ok(Built {
            key,
            certificate,
            pfx,
            iterations: options.iterations,
            profile: self.profile,
        })
    }
}

/// `CN=<hostname> token signing`, or `CN=pfxgen token signing`: a name that
/// tells instances apart (each must have its own certificate).
fn default_subject() -> DistinguishedName {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        });
    host.and_then(|h| DistinguishedName::common_name(&format!("{h} token signing")).ok())
        .or_else(|| DistinguishedName::common_name("pfxgen token signing").ok())
        .unwrap_or_else(DistinguishedName::empty)
}

/// Reads a prepared file back from disk through its own descriptor and
/// checks that it opens with `password` and holds exactly `key` and
/// `certificate` ([`verify_pfx`] with no chain).
///
/// # Errors
/// An internal failure if it does not: the file must not be installed.
pub fn verify_written(
    prepared: &mut PreparedFile,
    password: &Password,
    key: &PrivateKey,
    certificate: &Certificate,
) -> Result<(), Failure> {
    let bytes = prepared.read_back()?;
    verify_pfx(&bytes, password, key, certificate, &[])
}

/// Refuses, before any work, a `--generate-password` file that would land
/// on one of `taken` (the files the command writes or reads: exit 2), on
/// anything that already exists, a dangling link included, or in a folder
/// that does not exist (exit 5): a password file is never written over
/// anything, and a key is never made only to fail on its password file.
///
/// # Errors
/// The failure to report.
pub fn check_password_file_target(pw_file: &Path, taken: &[(&Path, &str)]) -> Result<(), Failure> {
    for (path, what) in taken {
        if same_location(pw_file, path) {
            return Err(Failure::usage(format!(
                "--generate-password {} is {what}; the password must go to another file",
                pw_file.display()
            )));
        }
    }
    if std::fs::symlink_metadata(pw_file).is_ok() {
        return Err(Failure::new(
            Exit::Output,
            format!(
                "{} already exists; pfxgen will not overwrite a password file",
                pw_file.display()
            ),
        )
        .with_hint("name a new file for --generate-password"));
    }
    let folder = match pw_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let why = match std::fs::metadata(folder) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => "is not a folder",
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist",
        // Anything else (no permission) is reported precisely when the
        // folder is opened to write the file.
        Err(_) => return Ok(()),
    };
    Err(Failure::new(
        Exit::Output,
        format!(
            "cannot write the password file {}: its folder {} {why}",
            pw_file.display(),
            folder.display()
        ),
    )
    .with_hint("create that folder, or name a password file in an existing one"))
}
