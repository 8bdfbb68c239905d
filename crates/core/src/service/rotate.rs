//! Rotation: replace the certificate of an installed identity service as
//! one safe, reversible step.
//!
//! [`plan`] takes the lock (except for a dry run), locates the current
//! certificate, reads it, makes or reads the new one, checks it and works
//! out where it goes; its [`RotationPlan`] is what a dry run shows. [`apply`]
//! then runs the [file transaction](crate::service::transaction) and
//! returns the [`RotationOutcome`]: the same plan and what was done, so that
//! the dry run and the real run report the same facts.

use std::path::{Path, PathBuf};

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{Limits, Password, Pfx};
use pfxgen_x509::{Certificate, UtcTime};

use crate::{
    error::{Exit, Failure, from_pkcs12},
    fault,
    files::{
        fsutil::io_failure,
        open::{Loaded, PasswordUse, load},
        safefs::Dir,
    },
    jose::jwt::key_ids,
    lifecycle::output::write_password_file,
    make::{
        CertificateSpec, check_password_file_target,
        likeness::{describe_kind, differences, inherit},
    },
    secret::{Origin, PasswordSource},
    service::{
        appsettings,
        current::{Current, CurrentPolicy, end_entity, read_current},
        locate::{
            Located, Service, UNCONFINED, clone_dir, input_failure, locate_at, locate_with,
            relative,
        },
        lock::{self, Lock},
        manifest::{CertificateRecord, ChangeKind, Manifest},
        transaction::{BACKUP_DIR, FileChange, Record, execute, open_backup_dir},
    },
    verify,
};

/// Where the new certificate comes from.
#[derive(Debug)]
#[non_exhaustive]
pub enum NewSource {
    /// An existing PFX (`--from`), opened with the request's new password.
    From(PathBuf),
    /// Made from a spec, like the current certificate for every option the
    /// spec leaves open; the generated password (if any) is written to
    /// `password_file`.
    Generate {
        /// What to make.
        spec: Box<CertificateSpec>,
        /// `--generate-password FILE`.
        password_file: Option<PathBuf>,
    },
}

/// What to rotate, and how.
pub struct RotateRequest<'a> {
    /// The service folder.
    pub service_dir: PathBuf,
    /// `--certificate`: the file the operator says the service uses.
    pub certificate: Option<PathBuf>,
    /// `--environment`: which `appsettings.{Environment}.json` applies.
    pub environment: Option<String>,
    /// The new certificate.
    pub source: NewSource,
    /// The new file's password (for a generated file: the new password,
    /// generated or checked against the policy by the source).
    pub new_password: &'a dyn PasswordSource,
    /// The current file's password, when it differs.
    pub current_password: &'a dyn PasswordSource,
    /// `--install-path`: install beside, and point `appsettings.json` there.
    pub install_path: Option<String>,
    /// Plan only: no lock, nothing written.
    pub dry_run: bool,
    /// How to treat a missing or unreadable current certificate.
    pub current_policy: CurrentPolicy,
    /// Decoding limits.
    pub limits: Limits,
    /// `--min-days`: how long the new certificate must stay valid (the
    /// `verify` checks it must pass).
    pub min_days: u32,
}

/// A certificate as a plan shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Its `kid` (SHA-1 thumbprint, upper-case hex).
    pub kid: String,
    /// Its subject.
    pub subject: String,
    /// Its key ("ECDSA P-384", "RSA 2048").
    pub key: String,
    /// Its validity length in days.
    pub days: i64,
    /// Its `notAfter`.
    pub not_after: UtcTime,
}

impl CertificateFacts {
    fn of(cert: &Certificate) -> Self {
        Self {
            kid: key_ids(cert).kid,
            subject: cert.subject(),
            key: cert
                .public_key()
                .map_or_else(|_| "?".to_owned(), |k| describe_kind(k.kind())),
            days: cert.not_before().days_until(cert.not_after()),
            not_after: cert.not_after(),
        }
    }
}

/// What a rotation does: what a dry run shows and the real run carries out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationPlan {
    /// The service folder, as given.
    pub service_dir: PathBuf,
    /// The certificate the service uses now.
    pub current: PathBuf,
    /// It, when it could be read.
    pub current_certificate: Option<CertificateFacts>,
    /// The new certificate. When it is generated, a dry run shows a trial
    /// certificate: the real run makes a fresh key, so its `kid` differs.
    pub new_certificate: CertificateFacts,
    /// Whether the new certificate is generated (not `--from`).
    pub new_generated: bool,
    /// Where the new certificate goes.
    pub target: PathBuf,
    /// Whether a file is there already (replaced atomically).
    pub target_exists: bool,
    /// The settings file whose `X509CertificatePath` changes, if any.
    pub settings_change: Option<PathBuf>,
    /// How many `verify` checks the new certificate passed (all of them).
    pub checks_passed: usize,
    /// How the new certificate differs from the current one, one line each
    /// ("algorithm: ECDSA P-384 → RSA 2048").
    pub changes: Vec<String>,
    /// What could not be kept, and other notes.
    pub notes: Vec<String>,
    /// Whether the new file's password differs from the current one's
    /// (`None`: unknown).
    pub password_changed: Option<bool>,
    /// Whether the current file could not be read.
    pub current_unreadable: bool,
    /// The backup folder.
    pub backup_dir: PathBuf,
    /// Where a generated password goes.
    pub password_file: Option<PathBuf>,
    /// A stale lock taken over to run (a warning).
    pub lock_taken_over: Option<String>,
}

/// A plan, with what carrying it out needs (the lock, the open folders,
/// the new file).
pub struct PreparedRotation {
    /// The plan.
    pub plan: RotationPlan,
    service: Service,
    _lock: Option<Lock>,
    target: Located,
    settings_change: Option<(Located, String)>,
    new_loaded: Loaded,
    current_meta: Option<std::fs::Metadata>,
    old_not_after: Option<String>,
}

/// What a rotation did: its plan and the record of the transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationOutcome {
    /// The plan carried out.
    pub plan: RotationPlan,
    /// The operation's id (the manifest's name is `<id>-manifest.json`).
    pub id: String,
    /// The manifest written.
    pub manifest: PathBuf,
    /// `(file as recorded, its backup relative to the service folder)`.
    pub backups: Vec<(String, String)>,
    /// The password file written (mode 0600), if any.
    pub password_file: Option<PathBuf>,
    /// Owner or mode changes that could not be made.
    pub warnings: Vec<String>,
}

/// Locates the service, takes the lock (not for a dry run), reads the
/// current certificate, makes or reads the new one and checks everything
/// the real run needs, changing nothing.
///
/// # Errors
/// Exit 1 when the new certificate fails a check or is the current one;
/// 2, 3, 4, 5, 6, 7, 8 as documented.
pub fn plan(request: RotateRequest<'_>) -> Result<PreparedRotation, Failure> {
    let r = &request;
    // A clear error for a wrong folder before locking it.
    let early = locate_with(
        &r.service_dir,
        r.certificate.as_deref(),
        r.environment.as_deref(),
    )?;
    check_password_file_early(r, &early)?;
    let lock = if r.dry_run {
        None
    } else {
        Some(lock::acquire(&early.root)?)
    };
    // Read again under the lock, in the folder already open.
    let service = locate_at(
        &r.service_dir,
        clone_dir(&early.root)?,
        r.certificate.as_deref(),
        r.environment.as_deref(),
    )?;
    if r.dry_run {
        preflight(&service)?;
    }
    fault::inject("read-current").map_err(|e| input_failure("read", &service.current, &e))?;
    // The new password (or file) first: it is tried on the current file.
    let (from, new_password) = match &r.source {
        NewSource::From(path) => (Some(load(path, r.new_password, true, &r.limits)?), None),
        NewSource::Generate { .. } => (None, Some(read_new_password(r.new_password)?)),
    };
    let try_password = from
        .as_ref()
        .and_then(|l| l.password.clone())
        .or_else(|| new_password.clone());
    let current = read_current(
        &service,
        r.current_policy,
        r.current_password,
        try_password.as_ref(),
        &r.limits,
    )?;
    let old_cert = current.loaded.as_ref().and_then(|l| end_entity(l).0);
    let (new_loaded, mut notes) = new_certificate(r, from, new_password, old_cert)?;
    if let Some(why) = &current.unreadable {
        notes.push(format!(
            "the current certificate could not be read ({why}); it is backed up as it is"
        ));
    }
    let checks_passed = check_new(&new_loaded, r.min_days)?;
    if let (Some(new_cert), Some(new_key)) = end_entity(&new_loaded) {
        let old_key = current.loaded.as_ref().and_then(|l| end_entity(l).1);
        refuse_same((old_cert, old_key), new_cert, new_key)?;
    }
    let (target, settings_change) = install_target(&service, r.install_path.as_deref())?;
    let plan = make_plan(
        r,
        &service,
        &current,
        &new_loaded,
        (&target, settings_change.as_ref()),
    )?;
    let plan = RotationPlan {
        checks_passed,
        notes,
        lock_taken_over: lock
            .as_ref()
            .and_then(|l| l.taken_over().map(str::to_owned)),
        ..plan
    };
    Ok(PreparedRotation {
        plan,
        old_not_after: old_cert.map(|c| c.not_after().to_string()),
        current_meta: current.meta,
        service,
        _lock: lock,
        target,
        settings_change,
        new_loaded,
    })
}

/// Refuses a new certificate that fails a `verify` check; returns how many
/// passed.
fn check_new(new_loaded: &Loaded, min_days: u32) -> Result<usize, Failure> {
    // The clock is read after the new certificate exists: generating an RSA
    // key takes long enough for "now" to fall before its notBefore.
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let report = verify::evaluate(new_loaded, min_days, now);
    if report.ok() {
        return Ok(report.checks.len());
    }
    let failed: Vec<String> = report
        .failed()
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    Err(Failure::new(
        Exit::CheckFailed,
        format!("refusing the new certificate: {}", failed.join("; ")),
    )
    .with_hint("nothing was changed; `pfxgen verify` shows every check"))
}

/// The new password of a generated file.
fn read_new_password(source: &dyn PasswordSource) -> Result<Password, Failure> {
    source
        .read("the new PFX", true)?
        .map(|(pw, _)| pw)
        .ok_or_else(|| Failure::new(Exit::Password, "no password given for the new PFX"))
}

/// The plan's facts; checks that a generated password lands on no file
/// the rotation reads or writes.
fn make_plan(
    r: &RotateRequest<'_>,
    service: &Service,
    current: &Current,
    new_loaded: &Loaded,
    (target, settings_change): (&Located, Option<&(Located, String)>),
) -> Result<RotationPlan, Failure> {
    let old_cert = current.loaded.as_ref().and_then(|l| end_entity(l).0);
    let (Some(new_cert), Some(_)) = end_entity(new_loaded) else {
        return Err(Failure::new(
            Exit::Internal,
            "the new file passed the checks but has no key or certificate",
        ));
    };
    let password_file = match &r.source {
        NewSource::Generate { password_file, .. } => password_file.clone(),
        NewSource::From(_) => None,
    };
    if let Some(pw_path) = &password_file {
        check_password_file_target(
            pw_path,
            &[
                (&target.path, "the certificate it installs"),
                (&service.current, "the current certificate"),
                (&service.settings_path(), "appsettings.json"),
            ],
        )?;
    }
    // Whoever configures the service's PFX password must hear of a change.
    let password_changed = current
        .loaded
        .as_ref()
        .and_then(|c| c.password.as_ref())
        .zip(new_loaded.password.as_ref())
        .map(|(old, new)| old.utf8() != new.utf8());
    Ok(RotationPlan {
        service_dir: service.dir.clone(),
        current: service.current.clone(),
        current_certificate: old_cert.map(CertificateFacts::of),
        new_certificate: CertificateFacts::of(new_cert),
        new_generated: matches!(r.source, NewSource::Generate { .. }),
        target: target.path.clone(),
        target_exists: target.dir.entry_metadata(&target.name).is_ok(),
        settings_change: settings_change.map(|(l, _)| l.path.clone()),
        checks_passed: 0,
        changes: old_cert
            .map(|o| differences(o, new_cert))
            .unwrap_or_default(),
        notes: Vec::new(),
        password_changed,
        current_unreadable: current.unreadable.is_some(),
        backup_dir: service.dir.join(BACKUP_DIR),
        password_file,
        lock_taken_over: None,
    })
}

/// The new certificate: the `--from` file, or one made like the current
/// certificate ([`crate::make::likeness`]), with notes on what could not
/// be kept.
fn new_certificate(
    r: &RotateRequest<'_>,
    from: Option<Loaded>,
    password: Option<Password>,
    old: Option<&Certificate>,
) -> Result<(Loaded, Vec<String>), Failure> {
    if let Some(loaded) = from {
        return Ok((loaded, Vec::new()));
    }
    let NewSource::Generate { spec, .. } = &r.source else {
        return Err(Failure::new(Exit::Internal, "no new certificate"));
    };
    let password =
        password.ok_or_else(|| Failure::new(Exit::Internal, "no password for the new file"))?;
    let mut spec = spec.as_ref().clone();
    let notes = old.map(|o| inherit(&mut spec, o)).unwrap_or_default();
    let built = spec.build(&password)?;
    let limits = &r.limits;
    let pfx = Pfx::parse(&built.pfx, limits).map_err(|e| from_pkcs12("the generated file", &e))?;
    let opened = pfx
        .open(&password, limits)
        .map_err(|e| from_pkcs12("the generated file", &e))?;
    let loaded = Loaded {
        bytes: built.pfx,
        pfx,
        opened: Some(opened),
        password: Some(password),
        password_use: PasswordUse::Given(Origin::Generated),
    };
    Ok((loaded, notes))
}

/// Refuses, before a key is made, a `--generate-password` file that would
/// land on the current certificate or appsettings.json (checked again once
/// the install target is known).
fn check_password_file_early(r: &RotateRequest<'_>, early: &Service) -> Result<(), Failure> {
    if let NewSource::Generate {
        password_file: Some(pw_path),
        ..
    } = &r.source
    {
        check_password_file_target(
            pw_path,
            &[
                (&early.current, "the current certificate"),
                (&early.settings_path(), "appsettings.json"),
            ],
        )?;
    }
    Ok(())
}

/// What a dry run checks besides the certificates, so that it exits as the
/// real run would: the lock is free, `pfx-backups` can be used (or made),
/// and every folder the run writes is writable.
fn preflight(service: &Service) -> Result<(), Failure> {
    lock::check_free(&service.root)?;
    if service
        .root
        .entry_metadata(std::ffi::OsStr::new(BACKUP_DIR))
        .is_ok()
    {
        open_backup_dir(&service.folder(), None)?;
    }
    probe_writable(&service.root, &service.dir)?;
    probe_writable(&service.current_file.dir, service.current_file.dir.path())
}

/// Creates and removes a probe file in `dir`: the only sure test that the
/// real run can write there (permissions, read-only mounts, full disks).
fn probe_writable(dir: &Dir, shown: &Path) -> Result<(), Failure> {
    let name = std::ffi::OsString::from(format!(".pfxgen-probe-{}", std::process::id()));
    match dir.create_new(&name) {
        Ok(file) => {
            if dir.still_is(&name, &file) {
                let _ = dir.remove_file(&name);
            }
            Ok(())
        }
        Err(e) => Err(io_failure("write in", shown, &e)
            .with_hint("the real run would fail here; nothing was changed")),
    }
}

/// Refuses a "rotation" to the installed certificate or its key.
fn refuse_same(
    (old_cert, old_key): (Option<&Certificate>, Option<&PrivateKey>),
    new_cert: &Certificate,
    new_key: &PrivateKey,
) -> Result<(), Failure> {
    if old_cert.is_some_and(|old| old.sha1_thumbprint() == new_cert.sha1_thumbprint()) {
        return Err(Failure::new(
            Exit::CheckFailed,
            "refusing: the new certificate is the one already installed",
        ));
    }
    if old_key.is_some_and(|old| old.matches(&new_key.public_key())) {
        return Err(Failure::new(
            Exit::CheckFailed,
            "refusing: the new certificate reuses the current private key; every rotation needs a new key",
        ));
    }
    Ok(())
}

/// Where `rotate` installs the new file (operator-named with
/// `--install-path`, else the current certificate's place) and the new
/// appsettings.json text when the path changes. A link at the target stays
/// a link (the file it points to is replaced) when it is trustworthy; any
/// other link is refused.
fn install_target(
    service: &Service,
    install_path: Option<&str>,
) -> Result<(Located, Option<(Located, String)>), Failure> {
    let Some(value) = install_path else {
        return Ok((service.current_file.try_clone()?, None));
    };
    let rel = appsettings::resolve(Path::new(""), value).map_err(Failure::usage)?;
    let target = Located::resolve(&service.root, &rel, UNCONFINED).map_err(|mut f| {
        if f.exit == Exit::Input {
            f.exit = Exit::Output;
        }
        f
    })?;
    if target.path == service.current {
        return Ok((target, None));
    }
    let Some(settings) = &service.settings else {
        return Err(Failure::usage(format!(
            "--install-path needs {} to record the new path, and there is none",
            service.dir.join(appsettings::FILE_NAME).display()
        )));
    };
    if target.dir.entry_metadata(&target.name).is_ok() {
        return Err(Failure::new(
            Exit::Output,
            format!(
                "{} already exists; choose another --install-path",
                target.path.display()
            ),
        ));
    }
    let new_text = appsettings::with_certificate_path(&settings.text, value)
        .map_err(|e| Failure::new(Exit::Input, e))?;
    Ok((target, Some((settings.file.try_clone()?, new_text))))
}

fn clone_key(key: &PrivateKey) -> Result<PrivateKey, Failure> {
    let der = key
        .to_pkcs8_der()
        .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?;
    PrivateKey::from_pkcs8_der(&der).map_err(|e| Failure::new(Exit::Internal, e.to_string()))
}

/// The manifest of a rotation, before the transaction fills in its id and
/// changes (never a password: only whether it changed).
fn manifest_header(prepared: &PreparedRotation) -> Manifest {
    let plan = &prepared.plan;
    let dir = &plan.service_dir;
    Manifest {
        id: String::new(),
        time: None,
        action: "rotate".to_owned(),
        service_dir: String::new(),
        rolls_back: None,
        old_certificate: CertificateRecord {
            path: Some(relative(dir, &plan.current)),
            kid: plan.current_certificate.as_ref().map(|c| c.kid.clone()),
            not_after: prepared.old_not_after.clone(),
        },
        new_certificate: CertificateRecord {
            path: Some(relative(dir, &plan.target)),
            kid: Some(plan.new_certificate.kid.clone()),
            not_after: Some(plan.new_certificate.not_after.to_string()),
        },
        password_changed: plan.password_changed,
        current_unreadable: plan.current_unreadable,
        differences: plan.changes.clone(),
        changes: Vec::new(),
    }
}

/// Carries out a plan: backs up, records and installs, and writes the
/// generated password (if any) just before the switch. On failure the
/// service folder is left byte-identical and the password file removed.
///
/// # Errors
/// Exit 4, 5 or 8; the folder is unchanged.
pub fn apply(prepared: PreparedRotation) -> Result<RotationOutcome, Failure> {
    let header = manifest_header(&prepared);
    let (Some(cert), Some(key)) = end_entity(&prepared.new_loaded) else {
        return Err(Failure::new(
            Exit::Internal,
            "the new file has no key or certificate",
        ));
    };
    let password = prepared
        .new_loaded
        .password
        .clone()
        .unwrap_or_else(Password::empty);
    let check = (password.clone(), clone_key(key)?, cert.clone());
    let PreparedRotation {
        plan,
        service,
        _lock,
        target,
        settings_change,
        new_loaded,
        current_meta,
        ..
    } = prepared;
    let mut changes = vec![FileChange {
        file: target,
        kind: ChangeKind::Certificate,
        contents: new_loaded.bytes,
        check: Some(check),
        takes_over: current_meta,
    }];
    if let Some((file, text)) = settings_change {
        changes.push(FileChange {
            file,
            kind: ChangeKind::Appsettings,
            contents: text.into_bytes(),
            check: None,
            takes_over: None,
        });
    }
    let pw_file = plan.password_file.as_deref().map(|p| (p, &password));
    let (record, password_file) = install(&service, header, changes, pw_file)?;
    Ok(RotationOutcome {
        plan,
        id: record.id,
        manifest: record.manifest,
        backups: record.backups,
        password_file,
        warnings: record.warnings,
    })
}

/// Writes the generated password (if any), then runs the transaction; on
/// failure the password file is removed again.
fn install(
    service: &Service,
    header: Manifest,
    changes: Vec<FileChange>,
    password_file: Option<(&Path, &Password)>,
) -> Result<(Record, Option<PathBuf>), Failure> {
    let written = match password_file {
        Some((path, password)) => Some(write_password_file(path, password)?),
        None => None,
    };
    match execute(&service.folder(), header, changes) {
        Ok(record) => Ok((record, written.map(|w| w.path))),
        Err(f) => {
            if let Some(w) = &written {
                w.undo();
            }
            Err(f)
        }
    }
}
