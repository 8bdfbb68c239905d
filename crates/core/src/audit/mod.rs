//! `audit`: one certificate per instance, proven across environments, and
//! what expires when.
//!
//! [`audit`] reads PFX files, service folders (the certificate their
//! settings name) and folders to search ([`collect`]), decrypting only
//! certificates (never keys) with passwords from a [`PasswordMap`]
//! ([`map`]), on all cores within a work budget ([`analyse`]), and returns
//! an [`AuditReport`]: every instance with what was read, and the
//! [`Finding`]s ([`finding`]).

pub mod analyse;
pub mod collect;
pub mod finding;
pub mod map;

use std::path::PathBuf;

use pfxgen_pkcs12::Limits;
use pfxgen_x509::UtcTime;

pub use self::{
    analyse::{Facts, NotRead},
    collect::{AsRotate, Instance, ServiceFolders},
    finding::{Finding, Member},
    map::{MapSecrets, MapSource, PasswordMap},
};
use crate::error::{Exit, Failure};

/// Default `--warn-days`.
pub const DEFAULT_WARN_DAYS: u32 = 30;
/// Largest `--warn-days` (100 years).
pub const MAX_WARN_DAYS: u32 = 36_500;

/// What to audit and how.
pub struct AuditRequest<'a> {
    /// Files, service folders and folders to search.
    pub paths: &'a [PathBuf],
    /// Which password opens which file.
    pub map: &'a PasswordMap,
    /// Resolves the map's `env:` and `file:` sources.
    pub secrets: &'a dyn MapSecrets,
    /// Finds a service folder's certificate.
    pub services: &'a dyn ServiceFolders,
    /// Certificates expiring within this many days are findings.
    pub warn_days: u32,
    /// Decoding limits; `max_work` is one file's budget.
    pub limits: &'a Limits,
    /// The whole run's work budget.
    pub max_run_work: u64,
    /// The time to judge expiry against.
    pub now: UtcTime,
}

/// One instance and what was read from it.
#[derive(Clone, Debug)]
pub struct InstanceReport {
    /// Where it lives.
    pub instance: Instance,
    /// What was read, why nothing was, or `None` if it was not read.
    pub read: Option<Result<Facts, NotRead>>,
}

/// The result of an audit.
#[derive(Clone, Debug)]
pub struct AuditReport {
    /// Every instance, sorted by label.
    pub instances: Vec<InstanceReport>,
    /// The findings, identical ones grouped.
    pub findings: Vec<Finding>,
    /// The time expiry was judged against.
    pub now: UtcTime,
}

impl AuditReport {
    /// No findings.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Whether no instance at all could be read (then the operator most
    /// likely needs to give the passwords).
    #[must_use]
    pub fn none_readable(&self) -> bool {
        !self.instances.is_empty()
            && self
                .instances
                .iter()
                .all(|i| !matches!(i.read, Some(Ok(_))))
    }
}

/// Runs an audit.
///
/// # Errors
/// Exit 2 when it cannot run: a path named does not exist, or nothing to
/// audit was found.
pub fn audit(request: &AuditRequest<'_>) -> Result<AuditReport, Failure> {
    let (instances, problems) = collect::collect(request.paths, request.services)?;
    if instances.is_empty() && problems.is_empty() {
        // An empty result is not a clean audit.
        return Err(Failure::new(
            Exit::Usage,
            "nothing to audit: no service folder (appsettings.json) and no \
             .pfx/.p12/.crt/.cer/.der/.pem file was found",
        )
        .with_hint("name the service folders, the files, or a folder above them"));
    }
    let results = analyse::analyse_all(
        &instances,
        request.map,
        request.secrets,
        request.limits,
        request.max_run_work,
    );
    let findings = finding::findings(
        &instances,
        &results,
        &problems,
        request.now,
        request.warn_days,
    );
    let instances = instances
        .into_iter()
        .zip(results)
        .map(|(instance, r)| InstanceReport {
            instance,
            read: r.read,
        })
        .collect();
    Ok(AuditReport {
        instances,
        findings,
        now: request.now,
    })
}
