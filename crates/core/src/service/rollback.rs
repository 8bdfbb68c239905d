//! Rollback: undo the newest operation recorded in `pfx-backups/` (a
//! rotation, or a rollback, so that a second rollback undoes the first).
//!
//! [`plan`] checks everything before restoring anything: the manifest is
//! the running user's own and was written for this folder, every file is
//! still what the operation installed, and every backup matches its
//! recorded SHA-256 and kind. [`apply`] restores the files as one
//! [file transaction](crate::service::transaction), recorded in a manifest
//! of its own.

use std::{
    ffi::{OsStr, OsString},
    fs,
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::{Limits, Pfx};

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::{
        fsutil::MAX_MANAGED_FILE,
        safefs::{self, Dir},
    },
    service::{
        appsettings,
        locate::{Located, UNCONFINED, clone_dir, input_failure, locate_at, owner_ids, relative},
        lock::{self, Lock},
        manifest::{Backup, CertificateRecord, Change, ChangeKind, MAX_MANIFEST_SIZE, Manifest},
        transaction::{
            BACKUP_DIR, FileChange, Folder, check_own, execute, file_name, open_backup_dir,
            sha256_hex,
        },
    },
};

/// What a rollback does: what a dry run shows and the real run carries out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollbackPlan {
    /// The service folder, as given.
    pub service_dir: PathBuf,
    /// The manifest of the operation it undoes.
    pub undoes: PathBuf,
    /// That operation's id.
    pub undoes_id: String,
    /// The files it restores, the service switch (`appsettings.json`) last.
    pub restore: Vec<PathBuf>,
    /// The `kid` the service uses again afterwards.
    pub restored_kid: Option<String>,
    /// Whether the undone operation changed the password (the service's
    /// setting must change back).
    pub password_changed: Option<bool>,
    /// Files left in place (they did not exist before), and other notes.
    pub notes: Vec<String>,
    /// A stale lock taken over to run (a warning).
    pub lock_taken_over: Option<String>,
}

/// A plan, with what carrying it out needs.
pub struct PreparedRollback {
    /// The plan.
    pub plan: RollbackPlan,
    root: Dir,
    _lock: Option<Lock>,
    changes: Vec<FileChange>,
    undone: Manifest,
}

/// What a rollback did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollbackOutcome {
    /// The plan carried out.
    pub plan: RollbackPlan,
    /// This rollback's id.
    pub id: String,
    /// The manifest this rollback wrote (a later rollback undoes it).
    pub manifest: PathBuf,
    /// The certificate the service uses now, when it can be located.
    pub current: Option<PathBuf>,
    /// Owner or mode changes that could not be made.
    pub warnings: Vec<String>,
}

/// Reads the manifest `name` of `backup_dir`: it must be the running
/// user's own file that nobody else can write, and a complete manifest
/// ([`Manifest::parse`]).
fn read_manifest(backup_dir: &Dir, name: &OsStr) -> Result<Manifest, Failure> {
    let path = backup_dir.display(name);
    let bad = |why: &str| Failure::new(Exit::Input, format!("{}: {why}", path.display()));
    let (bytes, meta) = backup_dir
        .read_regular(name, MAX_MANIFEST_SIZE)
        .map_err(|e| input_failure("read", &path, &e))?
        .ok_or_else(|| bad("larger than any manifest pfxgen writes (1 MiB)"))?;
    check_own(&meta, &path, "rotation manifest")?;
    Manifest::parse(&bytes).map_err(|e| bad(&e.to_string()))
}

/// Opens the service folder `dir`, or says why it is not one.
fn open_service_dir(dir: &Path) -> Result<Dir, Failure> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Dir::open(dir),
        Ok(_) => Err(Failure::new(
            Exit::Input,
            format!("{} is not a folder", dir.display()),
        )),
        Err(e) => Err(input_failure("use the service folder", dir, &e)),
    }
}

/// Takes the lock (not for a dry run), reads the newest manifest and
/// checks every change it recorded, changing nothing.
///
/// # Errors
/// Exit 4 when there is nothing to roll back or a backup is damaged, 7
/// when locked, 8 when the backup folder, manifest or a backup is not the
/// running user's own.
pub fn plan(service_dir: &Path, dry_run: bool) -> Result<PreparedRollback, Failure> {
    let root = open_service_dir(service_dir)?;
    let lock = if dry_run {
        None
    } else {
        Some(lock::acquire(&root)?)
    };
    let folder = Folder {
        dir: service_dir,
        root: &root,
        owner: owner_ids(&root),
    };
    let backup_dir = open_backup_dir(&folder, None)?;
    let manifest_name = latest_manifest(&backup_dir)?;
    let manifest_path = backup_dir.display(&manifest_name);
    let undone = read_manifest(&backup_dir, &manifest_name)?;
    let (changes, notes) = plan_rollback(&root, &backup_dir, &undone, &manifest_path)?;
    let plan = RollbackPlan {
        service_dir: service_dir.to_path_buf(),
        undoes: manifest_path,
        undoes_id: undone.id.clone(),
        restore: changes.iter().map(|c| c.file.path.clone()).collect(),
        restored_kid: undone.old_certificate.kid.clone(),
        password_changed: undone.password_changed,
        notes,
        lock_taken_over: lock
            .as_ref()
            .and_then(|l| l.taken_over().map(str::to_owned)),
    };
    Ok(PreparedRollback {
        plan,
        root,
        _lock: lock,
        changes,
        undone,
    })
}

/// Restores the files of a plan and records the rollback in a manifest of
/// its own, from the `kid` it undid back to the `kid` before.
///
/// # Errors
/// Exit 5 when a file cannot be written; the folder is unchanged.
pub fn apply(prepared: PreparedRollback) -> Result<RollbackOutcome, Failure> {
    let PreparedRollback {
        plan,
        root,
        _lock,
        changes,
        undone,
    } = prepared;
    let dir = plan.service_dir.clone();
    let header = Manifest {
        id: String::new(),
        time: None,
        action: "rollback".to_owned(),
        service_dir: String::new(),
        rolls_back: Some(relative(&dir, &plan.undoes)),
        old_certificate: CertificateRecord {
            kid: undone.new_certificate.kid.clone(),
            ..CertificateRecord::default()
        },
        new_certificate: CertificateRecord {
            kid: undone.old_certificate.kid.clone(),
            ..CertificateRecord::default()
        },
        password_changed: undone.password_changed,
        current_unreadable: false,
        differences: Vec::new(),
        changes: Vec::new(),
    };
    let folder = Folder {
        dir: &dir,
        root: &root,
        owner: owner_ids(&root),
    };
    let record = execute(&folder, header, changes)?;
    let current = locate_at(&dir, clone_dir(&root)?, None, None)
        .ok()
        .map(|s| s.current);
    Ok(RollbackOutcome {
        plan,
        id: record.id,
        manifest: record.manifest,
        current,
        warnings: record.warnings,
    })
}

/// The name of the newest manifest in the backup folder.
fn latest_manifest(backup_dir: &Dir) -> Result<OsString, Failure> {
    let names = backup_dir
        .names()
        .map_err(|e| input_failure("read the backup folder", backup_dir.path(), &e))?;
    let mut manifests: Vec<String> = names
        .into_iter()
        .filter_map(|n| n.into_string().ok())
        .filter(|n| n.ends_with("-manifest.json"))
        .collect();
    manifests.sort_by_key(|name| {
        // `<time>[-n]-manifest.json`: order by time, then by the counter.
        let stem = name.trim_end_matches("-manifest.json").to_owned();
        match stem.split_once('-') {
            Some((t, n)) => (t.to_owned(), n.parse::<u32>().unwrap_or(0)),
            None => (stem, 0),
        }
    });
    manifests.pop().map(OsString::from).ok_or_else(|| {
        Failure::new(
            Exit::Input,
            format!("no rotation manifest in {}", backup_dir.path().display()),
        )
        .with_hint("there is nothing to roll back")
    })
}

/// The backup's name inside `pfx-backups/`, if the recorded path is one of
/// this manifest's own backups (`pfx-backups/<id>-<n>-<name>`).
fn own_backup_name<'a>(id: &str, recorded: &'a str) -> Option<&'a str> {
    let name = recorded.strip_prefix(&format!("{BACKUP_DIR}/"))?;
    let rest = name.strip_prefix(&format!("{id}-"))?;
    let (n, file) = rest.split_once('-')?;
    let ok = !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && !file.is_empty()
        && !file.contains(['/', '\\'])
        && file != "..";
    ok.then_some(name)
}

/// Checks one recorded change and reads its backup: the file must still be
/// what the operation installed, and the backup the running user's own,
/// with the recorded hash and the right kind of content.
fn plan_restore(
    root: &Dir,
    backup_dir: &Dir,
    manifest: &Manifest,
    manifest_path: &Path,
    r: &Change,
) -> Result<Option<FileChange>, Failure> {
    let refuse = |why: String| {
        Failure::new(
            Exit::Input,
            format!("{}: {why}; refusing to roll back", manifest_path.display()),
        )
    };
    let settings_name = r.path == appsettings::FILE_NAME
        || (r.path.starts_with("appsettings.")
            && r.path.ends_with(".json")
            && !r.path.contains(['/', '\\']));
    if r.kind == ChangeKind::Appsettings && !settings_name {
        return Err(refuse(format!("it names {} as appsettings.json", r.path)));
    }
    // The path comes from the manifest alone; links on the way are
    // followed only where trustworthy.
    let target = Located::resolve(root, Path::new(&r.path), UNCONFINED)?;
    let now = target
        .read()?
        .map(|(b, _)| sha256_hex(&b))
        .unwrap_or_default();
    if now != r.after {
        return Err(refuse(format!(
            "{} has changed since that operation",
            target.path.display()
        ))
        .with_hint("roll back by hand from pfx-backups/, or rotate again"));
    }
    let Some(Backup {
        path: backup,
        sha256: sha,
    }) = &r.before
    else {
        return Ok(None);
    };
    let backup_name = own_backup_name(&manifest.id, backup).ok_or_else(|| {
        refuse(format!(
            "the backup {backup:?} is not one of its own backups"
        ))
    })?;
    let backup_path = backup_dir.display(OsStr::new(backup_name));
    let (bytes, meta) = backup_dir
        .read_regular(OsStr::new(backup_name), MAX_MANAGED_FILE)
        .map_err(|e| {
            refuse(format!(
                "the backup {} is missing or not a plain file ({e})",
                backup_path.display()
            ))
        })?
        .ok_or_else(|| refuse(format!("the backup {} is too large", backup_path.display())))?;
    check_own(&meta, &backup_path, "backup")?;
    if sha256_hex(&bytes) != *sha {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "the backup {} does not match its manifest (SHA-256 differs); refusing to restore it",
                backup_path.display()
            ),
        ));
    }
    if !(manifest.current_unreadable && r.kind == ChangeKind::Certificate) {
        check_backup_content(r.kind, &bytes, &backup_path)?;
    }
    Ok(Some(FileChange {
        file: target,
        kind: r.kind,
        contents: bytes,
        check: None,
        takes_over: None,
    }))
}

/// A certificate backup must be a PFX; an appsettings backup valid JSON
/// with at most one certificate path.
fn check_backup_content(kind: ChangeKind, bytes: &[u8], path: &Path) -> Result<(), Failure> {
    if kind == ChangeKind::Appsettings {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Failure::new(
                Exit::Input,
                format!("the backup {} is not UTF-8", path.display()),
            )
        })?;
        appsettings::find(text).map_err(|e| {
            Failure::new(Exit::Input, format!("the backup {}: {e}", path.display()))
        })?;
    } else {
        Pfx::parse(bytes, &Limits::default())
            .map_err(|e| from_pkcs12(&format!("the backup {}", path.display()), &e))?;
    }
    Ok(())
}

/// Verifies everything before restoring anything: the manifest was written
/// for this folder, and every change checks out ([`plan_restore`]).
/// Returns the files to restore (the service switch, appsettings.json,
/// last) and notes about files left in place.
fn plan_rollback(
    root: &Dir,
    backup_dir: &Dir,
    manifest: &Manifest,
    manifest_path: &Path,
) -> Result<(Vec<FileChange>, Vec<String>), Failure> {
    if file_name(manifest_path) != format!("{}-manifest.json", manifest.id) {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "{}: its id {:?} does not match its name",
                manifest_path.display(),
                manifest.id
            ),
        ));
    }
    let real = root.real_path().map(|p| p.display().to_string());
    if real.as_deref().ok() != Some(manifest.service_dir.as_str()) {
        return Err(safefs::unsafe_failure(
            manifest_path,
            format!(
                "it was written for the folder {}, not this one",
                manifest.service_dir
            ),
        ));
    }
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    for r in &manifest.changes {
        match plan_restore(root, backup_dir, manifest, manifest_path, r)? {
            Some(change) => changes.push(change),
            None => skipped.push(format!(
                "{} did not exist before; it is left in place",
                root.display(OsStr::new(&r.path)).display()
            )),
        }
    }
    // The certificate first, the service switch (appsettings.json) last.
    changes.sort_by_key(|c| c.kind == ChangeKind::Appsettings);
    if changes.is_empty() {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "the manifest {} records no backups to restore",
                manifest_path.display()
            ),
        ));
    }
    Ok((changes, skipped))
}
