//! The file transaction every change of a service folder runs as (at most
//! two files: the PFX and `appsettings.json`):
//!
//! 1. copy each file that will change into `DIR/pfx-backups/` (mode 0600,
//!    synced) and write a manifest saying what is about to happen;
//! 2. write each new file to a temporary file beside its target (synced,
//!    re-read and checked, with the old file's mode and owner);
//! 3. rename the new files into place, the switch of the service last
//!    (`appsettings.json` when the path changes, else the PFX), and sync the
//!    folders.
//!
//! A failure removes what the transaction created, so the folder is
//! byte-identical to before. A crash at any point leaves the old or the new
//! file in place (renames are atomic), and the backup is complete before the
//! first rename.

use std::{
    ffi::{OsStr, OsString},
    fs,
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::Password;
use pfxgen_x509::{Certificate, UtcTime, hex_lower};
use sha2::{Digest as _, Sha256};

use crate::{
    error::{Exit, Failure},
    fault,
    files::{
        fsutil::{Install, PreparedFile, io_failure, write_new_private},
        safefs::{self, Dir},
    },
    make::verify_written,
    service::{
        locate::{Located, Service, clone_dir, input_failure, relative},
        manifest::{Backup, Change, ChangeKind, Manifest},
    },
};

/// The backup folder, inside the service folder.
pub const BACKUP_DIR: &str = "pfx-backups";

/// SHA-256, lower-case hex (manifests).
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

/// One file a transaction writes.
pub(crate) struct FileChange {
    pub(crate) file: Located,
    pub(crate) kind: ChangeKind,
    pub(crate) contents: Vec<u8>,
    /// Re-read check for PFX contents: the password, key and certificate.
    pub(crate) check: Option<(Password, pfxgen_keygen::PrivateKey, Certificate)>,
    /// When the file does not exist yet: the file it takes over from (as
    /// read from that file's descriptor), whose owner (and mode, within
    /// [`NEW_FILE_MODE_MASK`]) it gets.
    pub(crate) takes_over: Option<fs::Metadata>,
}

/// The most a new certificate file takes over of the current one's mode:
/// owner read/write, group read.
const NEW_FILE_MODE_MASK: u32 = 0o640;

/// What a finished transaction recorded.
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) manifest: PathBuf,
    /// `(file as recorded, backup relative to the service folder)`.
    pub(crate) backups: Vec<(String, String)>,
    pub(crate) warnings: Vec<String>,
}

/// Things created so far, removed again if the transaction fails.
#[derive(Default)]
pub(crate) struct Undo {
    files: Vec<(Dir, OsString)>,
    dirs: Vec<(Dir, OsString)>,
    committed: bool,
}

impl Drop for Undo {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for (dir, name) in self.files.iter().rev() {
            let _ = dir.remove_file(name);
        }
        for (dir, name) in self.dirs.iter().rev() {
            let _ = dir.remove_dir(name);
        }
    }
}

fn new_id(backup_dir: &Dir) -> String {
    let base = UtcTime::now().map_or_else(|| "unknown-time".to_owned(), UtcTime::to_compact_string);
    let names: Vec<String> = backup_dir
        .names()
        .unwrap_or_default()
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    // Unique even after a crash within the same second left backups
    // without a manifest: no file may already start with `<id>-`.
    let taken = |id: &str| names.iter().any(|n| n.starts_with(&format!("{id}-")));
    let mut id = base.clone();
    let mut n = 2;
    while taken(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Refuses a backup folder, manifest or backup that is not the running
/// user's own or that someone else can write: it would be instructions
/// (or data to restore) from another user.
pub(crate) fn check_own(meta: &fs::Metadata, path: &Path, what: &str) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let euid = safefs::effective_uid();
        if meta.uid() != euid || meta.mode() & 0o022 != 0 {
            return Err(safefs::unsafe_failure(
                path,
                format!(
                    "the {what} belongs to uid {} with mode {:o}; pfxgen uses only a {what} of the user \
                     running it (uid {euid}) that nobody else can write",
                    meta.uid(),
                    meta.mode() & 0o7777
                ),
            )
            .with_hint(format!(
                "if it is genuine, move it aside (or fix its owner and mode) and run again; \
                 {BACKUP_DIR}/ is made mode 0700 by pfxgen"
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = (meta, path, what);
    Ok(())
}

/// Opens the backup folder of the service, making it (mode 0700, in one
/// step) when `undo` is given and it does not exist.
pub(crate) fn open_backup_dir(
    service: &Folder<'_>,
    undo: Option<&mut Undo>,
) -> Result<Dir, Failure> {
    let name = OsStr::new(BACKUP_DIR);
    let path = service.root.display(name);
    let exists = match service.root.entry_metadata(name) {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(input_failure("use the backup folder", &path, &e)),
    };
    if !exists {
        let Some(undo) = undo else {
            return Err(Failure::new(
                Exit::Input,
                format!("there is no backup folder {}", path.display()),
            )
            .with_hint("there is nothing to roll back"));
        };
        fault::inject("backup-dir")
            .map_err(|e| io_failure("create the backup folder", &path, &e))?;
        service
            .root
            .create_dir_private(name)
            .map_err(|e| io_failure("create the backup folder", &path, &e))?;
        undo.dirs
            .push((clone_dir(service.root)?, name.to_os_string()));
    }
    let dir = service.root.open_subdir(name).map_err(|e| {
        if service
            .root
            .entry_metadata(name)
            .is_ok_and(|m| !m.file_type().is_dir())
        {
            safefs::unsafe_failure(
                &path,
                "it is not a folder (a link or a file is in its place)",
            )
        } else {
            io_failure("use the backup folder", &path, &e)
        }
    })?;
    let meta = dir
        .metadata()
        .map_err(|e| io_failure("use the backup folder", &path, &e))?;
    check_own(&meta, &path, "backup folder")?;
    Ok(dir)
}

/// Refuses to copy a file that has other names and belongs to someone
/// other than the service folder's owner, in a folder others can write: a
/// hard link planted there could make pfxgen copy another user's file
/// into a backup that a rollback would put where the account can read it.
pub(crate) fn check_hard_link(
    owner: Option<(u32, u32)>,
    file: &Located,
    meta: &fs::Metadata,
) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if meta.nlink() > 1 {
            let owners = owner.is_some_and(|(uid, _)| uid == meta.uid());
            let protected = file
                .dir
                .metadata()
                .is_ok_and(|d| safefs::entry_protected(&d, meta.uid()));
            if !owners && !protected {
                return Err(safefs::unsafe_failure(
                    &file.path,
                    format!(
                        "it has {} names (hard links) and belongs to uid {}, not to the owner of the \
                         service folder, in a folder others can write",
                        meta.nlink(),
                        meta.uid()
                    ),
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (owner, file, meta);
    Ok(())
}

/// The service folder as a transaction sees it.
pub(crate) struct Folder<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) root: &'a Dir,
    pub(crate) owner: Option<(u32, u32)>,
}

impl Service {
    pub(crate) fn folder(&self) -> Folder<'_> {
        Folder {
            dir: &self.dir,
            root: &self.root,
            owner: self.owner,
        }
    }
}

/// Backs up, records and installs `changes`, the last one last. `header`
/// is the manifest to write without its id, service folder and changes,
/// which this fills in.
pub(crate) fn execute(
    service: &Folder<'_>,
    mut header: Manifest,
    changes: Vec<FileChange>,
) -> Result<Record, Failure> {
    let mut undo = Undo::default();
    let backup_dir = open_backup_dir(service, Some(&mut undo))?;
    let id = new_id(&backup_dir);
    let mut backups = Vec::new();
    let mut templates = Vec::new();
    for (n, change) in changes.iter().enumerate() {
        let shown = change.file.recorded.display().to_string();
        let before = change.file.read()?;
        let mut recorded = None;
        if let Some((bytes, meta)) = &before {
            check_hard_link(service.owner, &change.file, meta)?;
            let name = OsString::from(format!("{id}-{n}-{}", file_name(&change.file.path)));
            let backup = backup_dir.display(&name);
            // The bytes just hashed, not a second read that could differ.
            write_new_private(&backup_dir, &name, bytes)
                .map_err(|e| io_failure("write the backup", &backup, &e))?;
            undo.files.push((clone_dir(&backup_dir)?, name));
            backups.push((shown.clone(), relative(service.dir, &backup)));
            recorded = Some(Backup {
                path: relative(service.dir, &backup),
                sha256: sha256_hex(bytes),
            });
        }
        header.changes.push(Change {
            path: shown,
            kind: change.kind,
            before: recorded,
            after: sha256_hex(&change.contents),
        });
        templates.push(before.map(|(_, meta)| meta));
    }
    header.id.clone_from(&id);
    header.time = UtcTime::now().map(|t| t.to_string());
    header.service_dir = service.root.real_path().map_or_else(
        |_| service.dir.display().to_string(),
        |p| p.display().to_string(),
    );
    let manifest_name = OsString::from(format!("{id}-manifest.json"));
    let text = header.to_text();
    let m = PreparedFile::write(&backup_dir, &manifest_name, text.as_bytes(), "manifest")?;
    let manifest_path = m.commit(Install::NoClobber)?;
    undo.files.push((clone_dir(&backup_dir)?, manifest_name));
    backup_dir.sync();

    let prepared = prepare_all(&changes, &templates)?;
    let warnings = prepared.iter().flat_map(|(_, _, w)| w.clone()).collect();
    install_all(prepared)?;
    undo.committed = true;
    Ok(Record {
        id,
        manifest: manifest_path,
        backups,
        warnings,
    })
}

/// Writes every new file next to its target, reads it back through its
/// descriptor and checks it, and gives it its owner and mode there.
fn prepare_all(
    changes: &[FileChange],
    templates: &[Option<fs::Metadata>],
) -> Result<Vec<(PreparedFile, Install, Vec<String>)>, Failure> {
    let mut prepared = Vec::new();
    for (change, template) in changes.iter().zip(templates) {
        let label = if change.kind == ChangeKind::Appsettings {
            "appsettings"
        } else {
            "pfx"
        };
        let mut p =
            PreparedFile::write(&change.file.dir, &change.file.name, &change.contents, label)?;
        if let Some((password, key, cert)) = &change.check {
            verify_written(&mut p, password, key, cert)?;
        }
        // A replaced file passes its mode and owner on. A new file takes the
        // owner and group of the file it takes over from (the current
        // certificate), so the service account can still read it when
        // pfxgen runs as root, and at most its owner-read/write and
        // group-read bits: never world-readable, never group-writable.
        // Without such a file it stays 0600, owned by the current user.
        let mut warnings = Vec::new();
        match (template, &change.takes_over) {
            (Some(meta), _) => warnings.extend(p.match_permissions(meta, 0o777)),
            (None, Some(meta)) => warnings.extend(p.match_permissions(meta, NEW_FILE_MODE_MASK)),
            (None, None) => {}
        }
        let install = if template.is_some() {
            Install::Replace
        } else {
            Install::NoClobber
        };
        prepared.push((p, install, warnings));
    }
    Ok(prepared)
}

/// Renames the prepared files into place, in order (the switch last). On
/// a failure, files newly created by earlier steps are removed again;
/// replaced files cannot have been touched (the switch is last).
fn install_all(prepared: Vec<(PreparedFile, Install, Vec<String>)>) -> Result<(), Failure> {
    let mut installed: Vec<(Dir, OsString)> = Vec::new();
    for (p, install, _) in prepared {
        let created = if install == Install::NoClobber {
            Some((clone_dir(p.dir())?, p.name().to_os_string()))
        } else {
            None
        };
        if let Err(f) = p.commit(install) {
            for (dir, name) in &installed {
                let _ = dir.remove_file(name);
            }
            return Err(f);
        }
        installed.extend(created);
    }
    Ok(())
}
