//! `pfxgen rotate` and `pfxgen rollback`: change the certificate of an
//! installed identity service as one safe, reversible step.
//!
//! Every change runs as a small transaction over at most two files (the PFX
//! and `appsettings.json`):
//!
//! 1. take the lock `DIR/.pfxgen.lock` (created exclusively);
//! 2. check everything that can be checked, changing nothing;
//! 3. copy each file that will change into `DIR/pfx-backups/` (mode 0600,
//!    synced) and write a manifest saying what is about to happen;
//! 4. write each new file to a temporary file beside its target (synced,
//!    re-read and checked, with the old file's mode and owner);
//! 5. rename the new files into place, the switch of the service last
//!    (`appsettings.json` when the path changes, else the PFX), and sync the
//!    folders.
//!
//! A failure in steps 1-5 removes what this run created, so the folder is
//! byte-identical to before. A crash at any point leaves the old or the new
//! certificate in place (renames are atomic), and the backup is complete
//! before the first rename. A stale lock of a process that no longer runs is
//! taken over.

use std::{
    ffi::{OsStr, OsString},
    fs,
    io::Write as _,
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::{Limits, Password, Pfx};
use pfxgen_x509::{Certificate, UtcTime, hex_lower, hex_upper};
use sha2::{Digest as _, Sha256};

use crate::{
    appsettings,
    args::{self, Arg, parse_days, value_path, value_string},
    error::{Exit, Failure, from_pkcs12},
    fault,
    fsutil::{Install, MAX_MANAGED_FILE, PreparedFile, io_failure, open_parent, write_new_private},
    generate::{self, NewCertificateArgs, verify_written},
    json::{Json, Obj},
    jsonc,
    loader::{self, Loaded, PasswordUse},
    password::PasswordArgs,
    safefs::{Confine, Dir, Walk},
    verify,
};

/// The backup folder, inside the service folder.
pub const BACKUP_DIR: &str = "pfx-backups";
/// The lock file, inside the service folder.
pub const LOCK_FILE: &str = ".pfxgen.lock";
/// Manifest format identifier.
pub const MANIFEST_FORMAT: &str = "pfxgen-rotation-manifest/1";

fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

fn input_failure(action: &str, path: &Path, e: &std::io::Error) -> Failure {
    let mut f = io_failure(action, path, e);
    f.exit = Exit::Input;
    f
}

// ---------------------------------------------------------------- lock ---

/// The rotation lock; removed when dropped (if it is still ours).
#[derive(Debug)]
pub struct Lock {
    dir: Dir,
    file: fs::File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        if self.dir.still_is(OsStr::new(LOCK_FILE), &self.file) {
            let _ = self.dir.remove_file(OsStr::new(LOCK_FILE));
        }
    }
}

/// This machine's name, for lock files (best effort).
fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

fn process_alive(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(Path::new(&format!("/proc/{pid}")).exists())
    } else {
        None
    }
}

/// A lock file as read: its text and the file it was read from.
struct HeldLock {
    text: String,
    meta: fs::Metadata,
}

/// Reads the lock in `dir` (never through a link; a FIFO or anything but a
/// regular file reads as an empty lock that nobody can judge stale).
fn read_lock(dir: &Dir) -> Option<HeldLock> {
    let (bytes, meta) = dir.read_regular(OsStr::new(LOCK_FILE), 4096).ok()??;
    Some(HeldLock {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        meta,
    })
}

/// Whether `held` is a lock nobody holds any more: empty and older than a
/// minute (a crash between creating and writing it), or naming a process
/// of this machine that no longer runs.
fn lock_is_stale(held: &HeldLock) -> Option<String> {
    let pid = held
        .text
        .lines()
        .find_map(|l| l.strip_prefix("pid "))
        .and_then(|p| p.trim().parse::<u32>().ok());
    // Only a lock of this machine can be judged stale: a pid from another
    // host (a shared folder) says nothing here.
    let same_host = held
        .text
        .lines()
        .find_map(|l| l.strip_prefix("host "))
        .is_some_and(|h| h.trim() == host_name());
    match pid {
        None if held
            .meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60)) =>
        {
            Some("left empty by a run that crashed".to_owned())
        }
        Some(pid) if same_host && process_alive(pid) == Some(false) => {
            Some(format!("of process {pid}, which no longer runs"))
        }
        _ => None,
    }
}

/// Takes the lock on the open service folder `dir`, or explains who holds
/// it (exit 7). The lock file is created exclusively, never through a link.
///
/// # Errors
/// Exit 7 when held by a running process; exit 5 when it cannot be created.
pub fn acquire_lock(dir: &Dir) -> Result<Lock, Failure> {
    let name = OsStr::new(LOCK_FILE);
    let path = dir.display(name);
    for _attempt in 0..2 {
        fault::inject("lock").map_err(|e| io_failure("create the lock file", &path, &e))?;
        match dir.create_new(name) {
            Ok(mut f) => {
                let now = UtcTime::now().map(|t| t.to_string()).unwrap_or_default();
                let _ = writeln!(
                    f,
                    "pid {}\nhost {}\nsince {now}",
                    std::process::id(),
                    host_name()
                );
                let _ = f.sync_all();
                return Ok(Lock {
                    dir: dir
                        .try_clone()
                        .map_err(|e| io_failure("use the folder", dir.path(), &e))?,
                    file: f,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let held = read_lock(dir);
                if let Some(why) = held.as_ref().and_then(lock_is_stale) {
                    // Re-check just before removing: a lock another process
                    // took over meanwhile (another file, or new text) stays.
                    let again = read_lock(dir);
                    let unchanged = held.as_ref().zip(again.as_ref()).is_some_and(|(a, b)| {
                        a.text == b.text && crate::safefs::same_file(&a.meta, &b.meta)
                    });
                    if unchanged {
                        eprintln!("warning: taking over the lock {}, {why}", path.display());
                        let _ = dir.remove_file(name);
                        continue;
                    }
                }
                let text = held.map(|h| h.text).unwrap_or_default();
                let who = text.replace('\n', ", ");
                let who = who.trim_end_matches(", ");
                return Err(Failure::new(
                    Exit::Locked,
                    if who.is_empty() {
                        format!(
                            "{} is being changed by another pfxgen (its lock file is empty)",
                            dir.path().display()
                        )
                    } else {
                        format!(
                            "{} is being changed by another pfxgen ({who})",
                            dir.path().display()
                        )
                    },
                )
                .with_hint(format!(
                    "wait for it to finish; if no pfxgen is running, delete {}",
                    path.display()
                )));
            }
            Err(e) => return Err(io_failure("create the lock file", &path, &e)),
        }
    }
    Err(Failure::new(
        Exit::Locked,
        format!("cannot take the lock {}", path.display()),
    ))
}

// ------------------------------------------------------------ service ---

/// `appsettings.json` as read.
#[derive(Debug)]
pub struct Settings {
    /// Its path (for messages).
    pub path: PathBuf,
    /// The same, resolved.
    pub file: Located,
    /// Its text.
    pub text: String,
    /// The configured certificate path, if any.
    pub entry: Option<appsettings::Entry>,
    /// Whether it may give instructions: owned by root or the user running
    /// pfxgen and writable by nobody else (see [`crate::safefs`]).
    pub trusted: bool,
    /// Why it is not trusted, for messages.
    pub owner: String,
}

/// A file of the service, resolved once to its open folder and name.
#[derive(Debug)]
pub struct Located {
    /// The open folder that holds it.
    pub dir: Dir,
    /// Its name in that folder.
    pub name: OsString,
    /// Its path (for messages).
    pub path: PathBuf,
    /// The path as configured, relative to the service folder or
    /// absolute, before any link is followed: what a manifest records, so
    /// that a rollback follows the same (trustworthy) links again.
    pub recorded: PathBuf,
}

impl Located {
    fn resolve(root: &Dir, rel: &Path, walk: Walk) -> Result<Self, Failure> {
        let (dir, name) = walk.resolve(Some(root), rel)?;
        let name = name.ok_or_else(|| {
            Failure::new(
                Exit::Input,
                format!("{} names a folder, not a file", rel.display()),
            )
        })?;
        let path = dir.display(&name);
        Ok(Self {
            dir,
            name,
            path,
            recorded: rel.to_path_buf(),
        })
    }

    fn try_clone(&self) -> Result<Self, Failure> {
        Ok(Self {
            dir: clone_dir(&self.dir)?,
            name: self.name.clone(),
            path: self.path.clone(),
            recorded: self.recorded.clone(),
        })
    }

    /// Reads the file, at most [`MAX_MANAGED_FILE`] bytes, never through a
    /// link; `Ok(None)` when it does not exist.
    fn read(&self) -> Result<Option<(Vec<u8>, fs::Metadata)>, Failure> {
        match self.dir.read_regular(&self.name, MAX_MANAGED_FILE) {
            Ok(Some(found)) => Ok(Some(found)),
            Ok(None) => Err(Failure::new(
                Exit::Input,
                format!(
                    "{} is larger than {MAX_MANAGED_FILE} bytes, more than any file pfxgen manages",
                    self.path.display()
                ),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(input_failure("read", &self.path, &e)),
        }
    }
}

/// Where a service keeps its certificate.
#[derive(Debug)]
pub struct Service {
    /// The service folder, as given.
    pub dir: PathBuf,
    /// The service folder, open.
    pub root: Dir,
    /// `appsettings.json`, if there is one.
    pub settings: Option<Settings>,
    /// The certificate the service uses now (its path).
    pub current: PathBuf,
    /// The same, resolved.
    pub current_file: Located,
    /// The owner of the service folder.
    pub owner: Option<(u32, u32)>,
}

/// Finds the current certificate of the service in `dir`.
///
/// # Errors
/// Exit 4 for a missing folder or an unreadable or invalid appsettings.json;
/// exit 8 when an appsettings.json that another user can write names a file
/// outside the service folder, or a link on the way cannot be trusted.
pub fn locate(dir: &Path) -> Result<Service, Failure> {
    locate_with(dir, None, None)
}

/// [`locate`], with the certificate path the operator named on the command
/// line (`--certificate`), which must be the one appsettings.json names.
///
/// # Errors
/// As [`locate`]; a usage error when `named` and the configuration differ.
pub fn locate_with(
    dir: &Path,
    named: Option<&Path>,
    environment: Option<&str>,
) -> Result<Service, Failure> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Failure::new(
                Exit::Input,
                format!("{} is not a folder", dir.display()),
            ));
        }
        Err(e) => return Err(input_failure("use the service folder", dir, &e)),
    }
    locate_at(dir, Dir::open(dir)?, named, environment)
}

/// [`locate_with`] in the service folder `root`, already open (at `dir`).
///
/// # Errors
/// As [`locate_with`].
pub fn locate_at(
    dir: &Path,
    root: Dir,
    named: Option<&Path>,
    environment: Option<&str>,
) -> Result<Service, Failure> {
    let owner = owner_ids(&root);
    let settings = read_settings(&root, environment)?;
    let (configured, trusted) = configured_path(&root, settings.as_ref())?;
    let current_file = match named {
        Some(path) => {
            let located = Located::resolve(&root, path, UNCONFINED)?;
            let lexical = |p: &Path| {
                let p = if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    dir.join(p)
                };
                normalise(&p)
            };
            if lexical(path) != lexical(&configured) {
                return Err(Failure::usage(format!(
                    "--certificate {} is not the file the service uses ({})",
                    path.display(),
                    configured.display()
                )));
            }
            located
        }
        None => {
            let walk = if trusted {
                UNCONFINED
            } else {
                confined_walk(owner)
            };
            let rel = confine_absolute(&root, &configured, trusted, settings.as_ref())?;
            Located::resolve(&root, &rel, walk)
                .map_err(|f| explain_untrusted(f, settings.as_ref()))?
        }
    };
    Ok(Service {
        dir: dir.to_path_buf(),
        current: current_file.path.clone(),
        current_file,
        root,
        settings,
        owner,
    })
}

/// An unconfined walk that follows trustworthy links.
const UNCONFINED: Walk = Walk {
    confine: None,
    follow_last: true,
};

fn owner_ids(root: &Dir) -> Option<(u32, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        root.metadata().ok().map(|m| (m.uid(), m.gid()))
    }
    #[cfg(not(unix))]
    {
        let _ = root;
        None
    }
}

fn confined_walk(owner: Option<(u32, u32)>) -> Walk {
    Walk {
        confine: Some(Confine {
            owner_uid: owner.map_or(u32::MAX, |o| o.0),
            owner_gid: owner.map_or(u32::MAX, |o| o.1),
        }),
        follow_last: true,
    }
}

/// Adds to a refusal that the instruction came from a file another user
/// can write, and what the operator can do.
fn explain_untrusted(f: Failure, settings: Option<&Settings>) -> Failure {
    if f.exit != Exit::Unsafe {
        return f;
    }
    let Some(s) = settings else { return f };
    let mut f = f;
    f.message = format!(
        "{} (it is configured in {}, which {}, so pfxgen takes it as data, not as an instruction)",
        f.message,
        s.path.display(),
        s.owner
    );
    f.with_hint(
        "if that file is the right one, name it with --certificate PATH, or make appsettings.json \
         owned by root and not writable by others",
    )
}

/// The configured path relative to the service folder (or absolute, from
/// a trusted configuration), and whether the configuration is trusted.
fn configured_path(root: &Dir, settings: Option<&Settings>) -> Result<(PathBuf, bool), Failure> {
    let Some(s) = settings else {
        return Ok((PathBuf::from(appsettings::DEFAULT_CERTIFICATE), true));
    };
    match &s.entry {
        Some(entry) => {
            let p = appsettings::resolve(Path::new(""), &entry.value)
                .map_err(|e| Failure::new(Exit::Input, e))?;
            Ok((p, s.trusted))
        }
        None => {
            // Falling back to DIR/openssl.pfx here could install a file the
            // service never reads: refuse rather than guess.
            let nested = appsettings::nested_keys(&s.text);
            if !nested.is_empty() {
                return Err(Failure::new(
                    Exit::Input,
                    format!(
                        "{} sets {} only below the top level ({}); pfxgen reads the top-level \
                         key, as the vendor documents, and will not guess which file the \
                         service uses",
                        s.path.display(),
                        appsettings::KEY,
                        nested.join(", ")
                    ),
                )
                .with_hint("move the setting to the top level of appsettings.json, or remove it"));
            }
            let _ = root;
            Ok((PathBuf::from(appsettings::DEFAULT_CERTIFICATE), true))
        }
    }
}

/// An absolute path from an untrusted configuration is accepted only
/// inside the service folder, as a path relative to it.
fn confine_absolute(
    root: &Dir,
    configured: &Path,
    trusted: bool,
    settings: Option<&Settings>,
) -> Result<PathBuf, Failure> {
    if trusted || !configured.is_absolute() {
        return Ok(configured.to_path_buf());
    }
    let real = root
        .real_path()
        .map_err(|e| input_failure("use the service folder", root.path(), &e))?;
    normalise(configured)
        .strip_prefix(&real)
        .map(Path::to_path_buf)
        .map_err(|_| {
            explain_untrusted(
                crate::safefs::unsafe_failure(configured, "it is outside the service folder"),
                settings,
            )
        })
}

/// `path` with `.` and `..` removed lexically.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The environment the service runs in: `--environment`, else
/// `ASPNETCORE_ENVIRONMENT`, else `DOTNET_ENVIRONMENT` (as ASP.NET Core
/// reads them).
fn environment_name(given: Option<&str>) -> Option<String> {
    given.map(str::to_owned).or_else(|| {
        ["ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
    })
}

/// The settings file that decides the certificate path, as ASP.NET Core
/// layers them: `appsettings.{Environment}.json` over `appsettings.json`.
/// When an environment file overrides `X509CertificatePath` and the
/// environment is not known, pfxgen refuses rather than rotate a file the
/// service may not read.
fn read_settings(root: &Dir, environment: Option<&str>) -> Result<Option<Settings>, Failure> {
    let base = read_settings_file(root, appsettings::FILE_NAME)?;
    let mut overrides = Vec::new();
    for name in root.names().unwrap_or_default() {
        let Some(name) = name.to_str() else { continue };
        let is_env_file = name.len() > "appsettings..json".len()
            && name.starts_with("appsettings.")
            && name.ends_with(".json")
            && name != appsettings::FILE_NAME;
        if !is_env_file {
            continue;
        }
        if let Some(s) = read_settings_file(root, name)? {
            if s.entry.is_some() {
                overrides.push((name.to_owned(), s));
            }
        }
    }
    overrides.sort_by(|a, b| a.0.cmp(&b.0));
    match environment_name(environment) {
        Some(env) => {
            let wanted = format!("appsettings.{env}.json");
            Ok(overrides
                .into_iter()
                .find(|(n, _)| *n == wanted)
                .map(|(_, s)| s)
                .or(base))
        }
        None if overrides.is_empty() => Ok(base),
        None => {
            let listed: Vec<String> = overrides
                .iter()
                .map(|(n, s)| {
                    format!(
                        "{n} sets it to {:?}",
                        s.entry
                            .as_ref()
                            .map(|e| e.value.as_str())
                            .unwrap_or_default()
                    )
                })
                .collect();
            Err(Failure::usage(format!(
                "{} is overridden by an environment file ({}); pfxgen cannot tell which one the service reads",
                appsettings::KEY,
                listed.join("; ")
            ))
            .with_hint(
                "name the service's environment with --environment NAME (or set                  ASPNETCORE_ENVIRONMENT): appsettings.NAME.json then wins, as in ASP.NET Core",
            ))
        }
    }
}

/// Reads the settings file `name` in the open service folder, if it exists.
fn read_settings_file(root: &Dir, name: &str) -> Result<Option<Settings>, Failure> {
    let located = Located::resolve(root, Path::new(name), UNCONFINED)?;
    let read = match located
        .dir
        .read_regular(&located.name, appsettings::MAX_SIZE)
    {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(input_failure("read", &located.path, &e)),
    };
    let Some((bytes, meta)) = read else {
        return Err(Failure::new(
            Exit::Input,
            format!("{} is larger than 10 MiB", located.path.display()),
        ));
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let utf16 =
            e.as_bytes().starts_with(&[0xFF, 0xFE]) || e.as_bytes().starts_with(&[0xFE, 0xFF]);
        let f = Failure::new(
            Exit::Input,
            format!(
                "{} is not UTF-8{}",
                located.path.display(),
                if utf16 { " (it is UTF-16)" } else { "" }
            ),
        );
        f.with_hint("save it as UTF-8 (in Notepad: Save As, Encoding: UTF-8) and run again")
    })?;
    let entry = appsettings::find(&text).map_err(|e| {
        Failure::new(Exit::Input, format!("{}: {e}", located.path.display()))
            .with_hint("nothing was changed; fix the file and run again")
    })?;
    Ok(Some(Settings {
        path: located.path.clone(),
        file: located,
        text,
        entry,
        trusted: crate::safefs::is_trusted_file(&meta),
        owner: crate::safefs::why_untrusted(&meta),
    }))
}

/// `path` relative to `base` when inside it, for manifests and messages.
fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}

// -------------------------------------------------------- transaction ---

/// One file a transaction writes.
struct FileChange {
    file: Located,
    kind: &'static str,
    contents: Vec<u8>,
    /// Re-read check for PFX contents: the password, key and certificate.
    check: Option<(Password, pfxgen_keygen::PrivateKey, Certificate)>,
    /// When the file does not exist yet: the file it takes over from (as
    /// read from that file's descriptor), whose owner (and mode, within
    /// [`NEW_FILE_MODE_MASK`]) it gets.
    takes_over: Option<fs::Metadata>,
}

/// The most a new certificate file takes over of the current one's mode:
/// owner read/write, group read.
const NEW_FILE_MODE_MASK: u32 = 0o640;

/// Largest rotation manifest `rollback` reads (pfxgen's are about 1 KiB).
const MAX_MANIFEST_SIZE: u64 = 1024 * 1024;

/// What a finished transaction recorded.
struct Record {
    id: String,
    /// The first file installed (the certificate).
    installed: PathBuf,
    manifest: PathBuf,
    backups: Vec<(String, String)>,
    warnings: Vec<String>,
}

/// Things created so far, removed again if the transaction fails.
#[derive(Default)]
struct Undo {
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

fn clone_dir(dir: &Dir) -> Result<Dir, Failure> {
    dir.try_clone()
        .map_err(|e| io_failure("use the folder", dir.path(), &e))
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

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Refuses a backup folder, manifest or backup that is not the running
/// user's own or that someone else can write: it would be instructions
/// (or data to restore) from another user.
fn check_own(meta: &fs::Metadata, path: &Path, what: &str) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let euid = crate::safefs::effective_uid();
        if meta.uid() != euid || meta.mode() & 0o022 != 0 {
            return Err(crate::safefs::unsafe_failure(
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
fn open_backup_dir(service: &Folder<'_>, undo: Option<&mut Undo>) -> Result<Dir, Failure> {
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
            crate::safefs::unsafe_failure(
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
fn check_hard_link(
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
                .is_ok_and(|d| crate::safefs::entry_protected(&d, meta.uid()));
            if !owners && !protected {
                return Err(crate::safefs::unsafe_failure(
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
struct Folder<'a> {
    dir: &'a Path,
    root: &'a Dir,
    owner: Option<(u32, u32)>,
}

impl Service {
    /// The settings file that decides the certificate path (for messages
    /// and password-file checks).
    fn settings_path(&self) -> PathBuf {
        self.settings
            .as_ref()
            .map_or_else(|| self.dir.join(appsettings::FILE_NAME), |s| s.path.clone())
    }

    fn folder(&self) -> Folder<'_> {
        Folder {
            dir: &self.dir,
            root: &self.root,
            owner: self.owner,
        }
    }
}

/// Backs up, records and installs `changes`, the last one last.
fn execute(
    service: &Folder<'_>,
    action: &str,
    changes: Vec<FileChange>,
    extra: Obj,
) -> Result<Record, Failure> {
    let mut undo = Undo::default();
    let backup_dir = open_backup_dir(service, Some(&mut undo))?;
    let id = new_id(&backup_dir);
    let mut records = Vec::new();
    let mut backups = Vec::new();
    let mut templates = Vec::new();
    for (n, change) in changes.iter().enumerate() {
        let shown = change.file.recorded.display().to_string();
        let mut rec = Obj::new()
            .field("path", shown.as_str())
            .field("kind", change.kind);
        let before = change.file.read()?;
        if let Some((bytes, meta)) = &before {
            check_hard_link(service.owner, &change.file, meta)?;
            let name = OsString::from(format!("{id}-{n}-{}", file_name(&change.file.path)));
            let backup = backup_dir.display(&name);
            // The bytes just hashed, not a second read that could differ.
            write_new_private(&backup_dir, &name, bytes)
                .map_err(|e| io_failure("write the backup", &backup, &e))?;
            undo.files.push((clone_dir(&backup_dir)?, name));
            backups.push((shown.clone(), relative(service.dir, &backup)));
            rec.push(
                "before",
                Obj::new()
                    .field("backup", relative(service.dir, &backup))
                    .field("sha256", sha256_hex(bytes)),
            );
        } else {
            rec.push("before", Json::Null);
        }
        rec.push(
            "after",
            Obj::new().field("sha256", sha256_hex(&change.contents)),
        );
        records.push(Json::from(rec));
        templates.push(before.map(|(_, meta)| meta));
    }
    let real_dir = service.root.real_path().map_or_else(
        |_| service.dir.display().to_string(),
        |p| p.display().to_string(),
    );
    let mut manifest = Obj::new()
        .field("format", MANIFEST_FORMAT)
        .field("id", id.as_str())
        .field("time", UtcTime::now().map(|t| t.to_string()))
        .field("action", action)
        .field("service_dir", real_dir);
    for (k, v) in extra.into_fields() {
        manifest.push(&k, v);
    }
    manifest.push("changes", Json::Array(records));
    let manifest_name = OsString::from(format!("{id}-manifest.json"));
    let text = Json::from(manifest).pretty() + "\n";
    let m = PreparedFile::write(&backup_dir, &manifest_name, text.as_bytes(), "manifest")?;
    let manifest_path = m.commit(Install::NoClobber)?;
    undo.files.push((clone_dir(&backup_dir)?, manifest_name));
    backup_dir.sync();

    let prepared = prepare_all(&changes, &templates)?;
    let warnings = prepared.iter().flat_map(|(_, _, w)| w.clone()).collect();
    install_all(prepared)?;
    undo.committed = true;
    let installed = changes
        .first()
        .map(|c| c.file.path.clone())
        .unwrap_or_default();
    Ok(Record {
        id,
        installed,
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
        let label = if change.kind == "appsettings" {
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

// -------------------------------------------------------------- rotate ---

/// What the new certificate is.
enum NewSource {
    /// An existing file.
    From(PathBuf),
    /// Make one.
    Generate(Box<NewCertificateArgs>),
}

struct Options {
    service_dir: PathBuf,
    certificate: Option<PathBuf>,
    source: NewSource,
    new_password: PasswordArgs,
    current_password: PasswordArgs,
    install_path: Option<String>,
    dry_run: bool,
    allow_missing_current: bool,
    allow_unreadable_current: bool,
    environment: Option<String>,
    min_days: u32,
    json: bool,
}

fn parse_rotate(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let mut service_dir = None;
    let mut certificate = None;
    let mut from = None;
    let mut gen_args = NewCertificateArgs::default();
    let mut current_password = PasswordArgs::default();
    let mut install_path = None;
    let mut dry_run = false;
    let mut allow_missing_current = false;
    let mut allow_unreadable_current = false;
    let mut environment = None;
    let mut min_days = verify::DEFAULT_MIN_DAYS;
    let mut json = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if let Arg::Long(n) = &arg {
            match n.as_str() {
                "current-password-file" => {
                    current_password.file =
                        Some(value_path(&mut parser, "--current-password-file")?);
                    continue;
                }
                "current-password-env" => {
                    current_password.env =
                        Some(value_string(&mut parser, "--current-password-env")?.to_string());
                    continue;
                }
                "current-no-password" => {
                    current_password.none = true;
                    continue;
                }
                _ => {}
            }
        }
        if gen_args.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "service-dir" => {
                service_dir = Some(value_path(&mut parser, "--service-dir")?)
            }
            Arg::Long(n) if n == "from" => from = Some(value_path(&mut parser, "--from")?),
            Arg::Long(n) if n == "certificate" => {
                certificate = Some(value_path(&mut parser, "--certificate")?)
            }
            Arg::Long(n) if n == "install-path" => {
                let v = value_string(&mut parser, "--install-path")?;
                if v.trim().is_empty() {
                    return Err(Failure::usage("--install-path must not be empty"));
                }
                install_path = Some(v.to_string());
            }
            Arg::Long(n) if n == "dry-run" => dry_run = true,
            Arg::Long(n) if n == "allow-missing-current" => allow_missing_current = true,
            Arg::Long(n) if n == "allow-unreadable-current" => allow_unreadable_current = true,
            Arg::Long(n) if n == "environment" => {
                environment = Some(value_string(&mut parser, "--environment")?.to_string())
            }
            Arg::Long(n) if n == "min-days" => {
                let t = value_string(&mut parser, "--min-days")?;
                min_days = if t.trim() == "0" {
                    0
                } else {
                    parse_days(&t, "--min-days", 36_500)?
                };
            }
            Arg::Long(n) if n == "json" => json = true,
            a if a.is_help() => {
                out!("{}\n{}", crate::help::ROTATE, crate::help::EXIT_CODES);
                return Ok(None);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    let service_dir =
        service_dir.ok_or_else(|| Failure::usage("rotate needs --service-dir DIR"))?;
    let mut new_password = PasswordArgs::default();
    let source = match from {
        Some(path) => {
            new_password = core::mem::take(&mut gen_args.password);
            let generate_only = gen_args.generate_password.is_some()
                || gen_args.days.is_some()
                || gen_args.subject.is_some()
                || !gen_args.sans.is_empty()
                || gen_args.iterations.is_some()
                || gen_args.friendly_name.is_some();
            if generate_only {
                return Err(Failure::usage(
                    "--from takes an existing file; certificate options apply only without it",
                ));
            }
            NewSource::From(path)
        }
        None => NewSource::Generate(Box::new(gen_args)),
    };
    Ok(Some(Options {
        service_dir,
        certificate,
        source,
        new_password,
        current_password,
        install_path,
        dry_run,
        allow_missing_current,
        allow_unreadable_current,
        environment,
        min_days,
        json,
    }))
}

/// Opens the current certificate (its bytes, read through the service's
/// open folder) to compare it with the new one: with its own password
/// options, else the new password, else the empty one.
fn open_current(
    display: &Path,
    bytes: Vec<u8>,
    opts: &Options,
    new_password: Option<&Password>,
    limits: &Limits,
) -> Result<Loaded, Failure> {
    let shown = display.display().to_string();
    let pfx = loader::parse_pfx(&bytes, limits, &shown)?;
    if opts.current_password.given() {
        let (pw, origin) = opts
            .current_password
            .read(&shown, false)?
            .ok_or_else(|| Failure::new(Exit::Password, "no password given"))?;
        let opened = pfx.open(&pw, limits).map_err(|e| from_pkcs12(&shown, &e))?;
        return Ok(Loaded {
            bytes,
            pfx,
            opened: Some(opened),
            password: Some(pw),
            password_use: PasswordUse::Given(origin),
        });
    }
    for pw in new_password.into_iter().cloned().chain([Password::empty()]) {
        if let Ok(opened) = pfx.open(&pw, limits) {
            let how = if pw.is_empty() {
                PasswordUse::EmptyWorked
            } else {
                PasswordUse::Given(crate::password::Origin::Prompt)
            };
            return Ok(Loaded {
                bytes,
                pfx,
                opened: Some(opened),
                password: Some(pw),
                password_use: how,
            });
        }
    }
    // At a terminal, ask for it (three tries), as an operator expects.
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        let purpose = format!("the current certificate {}", display.display());
        for _ in 0..3 {
            let Some((pw, origin)) = PasswordArgs::default().read(&purpose, false)? else {
                break;
            };
            match pfx.open(&pw, limits) {
                Ok(opened) => {
                    return Ok(Loaded {
                        bytes,
                        pfx,
                        opened: Some(opened),
                        password: Some(pw),
                        password_use: PasswordUse::Given(origin),
                    });
                }
                Err(pfxgen_pkcs12::Error::WrongPassword) => {
                    eprintln!("That password does not open {}.", display.display());
                }
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

/// The end-entity certificate and key of an opened file.
fn end_entity(loaded: &Loaded) -> (Option<&Certificate>, Option<&pfxgen_keygen::PrivateKey>) {
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

/// The current certificate as read: its bytes (for the backup), the file's
/// metadata (owner and mode for a new file), and the opened contents when
/// it could be read.
struct Current {
    meta: Option<fs::Metadata>,
    loaded: Option<Loaded>,
    /// Why the current file could not be read (with
    /// `--allow-unreadable-current`).
    unreadable: Option<String>,
}

/// Reads and opens the current certificate through the open service
/// folder. A damaged file or an unknown password is an error unless
/// `--allow-unreadable-current` is given; a missing one unless
/// `--allow-missing-current` is.
fn read_current(
    service: &Service,
    opts: &Options,
    try_password: Option<&Password>,
    limits: &Limits,
) -> Result<Current, Failure> {
    let Some((bytes, meta)) = service.current_file.read()? else {
        if opts.allow_missing_current {
            return Ok(Current {
                meta: None,
                loaded: None,
                unreadable: None,
            });
        }
        return Err(Failure::new(Exit::Input, format!("the current certificate {} does not exist", service.current.display()))
            .with_hint("check --service-dir and X509CertificatePath; use --allow-missing-current to install anyway"));
    };
    check_hard_link(service.owner, &service.current_file, &meta)?;
    match open_current(&service.current, bytes, opts, try_password, limits) {
        Ok(loaded) => Ok(Current {
            meta: Some(meta),
            loaded: Some(loaded),
            unreadable: None,
        }),
        Err(f) if opts.allow_unreadable_current && matches!(f.exit, Exit::Input | Exit::Password | Exit::Unsupported) => {
            Ok(Current {
                meta: Some(meta),
                loaded: None,
                unreadable: Some(f.message),
            })
        }
        Err(f) if matches!(f.exit, Exit::Input | Exit::Password | Exit::Unsupported) => Err(f.with_hint(
            "if the current file is damaged or its password is lost, --allow-unreadable-current \
             installs the new one anyway (the current file is backed up byte for byte)",
        )),
        Err(f) => Err(f),
    }
}

/// The new certificate: the `--from` file, or one made like the current
/// certificate ([`crate::likeness`]). Returns it with the generated parts
/// (to write the password file) and notes on what could not be kept.
type NewCertificate = (
    Loaded,
    Option<(generate::Built, Option<PathBuf>)>,
    Vec<String>,
);

fn new_certificate(
    opts: &mut Options,
    from: Option<Loaded>,
    password: Option<Password>,
    old: Option<&Certificate>,
    limits: &Limits,
) -> Result<NewCertificate, Failure> {
    if let Some(loaded) = from {
        return Ok((loaded, None, Vec::new()));
    }
    let NewSource::Generate(gen_args) = &mut opts.source else {
        return Err(Failure::new(Exit::Internal, "no new certificate"));
    };
    let password =
        password.ok_or_else(|| Failure::new(Exit::Internal, "no password for the new file"))?;
    let notes = old
        .map(|o| crate::likeness::inherit(gen_args, o))
        .unwrap_or_default();
    let built = gen_args.build(&password)?;
    let pfx = Pfx::parse(&built.pfx, limits).map_err(|e| from_pkcs12("the generated file", &e))?;
    let opened = pfx
        .open(&password, limits)
        .map_err(|e| from_pkcs12("the generated file", &e))?;
    let loaded = Loaded {
        bytes: built.pfx.clone(),
        pfx,
        opened: Some(opened),
        password: Some(password),
        password_use: PasswordUse::Given(crate::password::Origin::Generated),
    };
    let pw_file = gen_args.generate_password.clone();
    Ok((loaded, Some((built, pw_file)), notes))
}

/// Refuses, before a key is made, a `--generate-password` file that would
/// land on the current certificate or appsettings.json (checked again once
/// the install target is known).
fn check_password_file_early(opts: &Options, early: &Service) -> Result<(), Failure> {
    if let NewSource::Generate(gen_args) = &opts.source {
        if let Some(pw_path) = &gen_args.generate_password {
            generate::check_password_file_target(
                pw_path,
                &[
                    (&early.current, "the current certificate"),
                    (&early.settings_path(), "appsettings.json"),
                ],
            )?;
        }
    }
    Ok(())
}

/// What a dry run checks besides the certificates, so that it exits as the
/// real run would: the lock is free, `pfx-backups` can be used (or made),
/// and every folder the run writes is writable.
fn preflight(service: &Service) -> Result<(), Failure> {
    if let Some(held) = read_lock(&service.root) {
        if lock_is_stale(&held).is_none() {
            let who = held.text.replace('\n', ", ");
            return Err(Failure::new(
                Exit::Locked,
                format!(
                    "{} is being changed by another pfxgen ({})",
                    service.dir.display(),
                    who.trim_end_matches(", ")
                ),
            ));
        }
    }
    let name = OsStr::new(BACKUP_DIR);
    if service.root.entry_metadata(name).is_ok() {
        open_backup_dir(&service.folder(), None)?;
    }
    let mut folders = vec![(&service.root, service.dir.clone())];
    folders.push((
        &service.current_file.dir,
        service.current_file.dir.path().to_path_buf(),
    ));
    for (dir, shown) in folders {
        probe_writable(dir, &shown)?;
    }
    Ok(())
}

/// Creates and removes a probe file in `dir`: the only sure test that the
/// real run can write there (permissions, read-only mounts, full disks).
fn probe_writable(dir: &Dir, shown: &Path) -> Result<(), Failure> {
    let name = OsString::from(format!(".pfxgen-probe-{}", std::process::id()));
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

/// Refuses a new certificate that fails a `verify` check.
fn check_new(new_loaded: &Loaded, min_days: u32) -> Result<verify::Outcome, Failure> {
    // The clock is read after the new certificate exists: generating an RSA
    // key takes long enough for "now" to fall before its notBefore.
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let outcome = verify::evaluate(new_loaded, min_days, now);
    if outcome.ok() {
        return Ok(outcome);
    }
    let failed: Vec<String> = outcome
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect();
    Err(Failure::new(
        Exit::CheckFailed,
        format!("refusing the new certificate: {}", failed.join("; ")),
    )
    .with_hint("nothing was changed; `pfxgen verify` shows every check"))
}

/// Refuses a "rotation" to the installed certificate or its key.
fn refuse_same(
    (old_cert, old_key): (Option<&Certificate>, Option<&pfxgen_keygen::PrivateKey>),
    new_cert: &Certificate,
    new_key: &pfxgen_keygen::PrivateKey,
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

/// Runs `pfxgen rotate`.
///
/// # Errors
/// Exit 1 when the new certificate fails a check or is the current one;
/// 3, 4, 5, 6, 7, 8 as documented. The service folder is unchanged on error.
pub fn run_rotate(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(mut opts) = parse_rotate(args)? else {
        return Ok(());
    };
    let limits = Limits::default();
    // A clear error for a wrong folder before locking it.
    let early = locate_with(
        &opts.service_dir,
        opts.certificate.as_deref(),
        opts.environment.as_deref(),
    )?;
    check_password_file_early(&opts, &early)?;
    let _lock = if opts.dry_run {
        None
    } else {
        Some(acquire_lock(&early.root)?)
    };
    // Read again under the lock, in the folder already open.
    let service = locate_at(
        &opts.service_dir,
        clone_dir(&early.root)?,
        opts.certificate.as_deref(),
        opts.environment.as_deref(),
    )?;
    if opts.dry_run {
        preflight(&service)?;
    }
    fault::inject("read-current").map_err(|e| input_failure("read", &service.current, &e))?;

    // The new password (or file) first: it is tried on the current file.
    let (from, gen_password) = match &opts.source {
        NewSource::From(path) => (
            Some(loader::load(path, &opts.new_password, true, &limits)?),
            None,
        ),
        NewSource::Generate(gen_args) => (None, Some(gen_args.new_password()?.0)),
    };
    let try_password = from
        .as_ref()
        .and_then(|l| l.password.clone())
        .or_else(|| gen_password.clone());
    let current = read_current(&service, &opts, try_password.as_ref(), &limits)?;
    let (old_cert, old_key) = current.loaded.as_ref().map_or((None, None), end_entity);
    let (new_loaded, generated, mut notes) =
        new_certificate(&mut opts, from, gen_password, old_cert, &limits)?;
    if let Some(why) = &current.unreadable {
        notes.push(format!(
            "the current certificate could not be read ({why}); it is backed up as it is"
        ));
    }
    let outcome = check_new(&new_loaded, opts.min_days)?;
    let (new_cert, new_key) = end_entity(&new_loaded);
    let (Some(new_cert), Some(new_key)) = (new_cert, new_key) else {
        return Err(Failure::new(
            Exit::Internal,
            "the new file passed the checks but has no key or certificate",
        ));
    };
    refuse_same((old_cert, old_key), new_cert, new_key)?;
    let changes_seen = old_cert
        .map(|o| crate::likeness::differences(o, new_cert))
        .unwrap_or_default();
    // Whoever configures the service's PFX password must hear of a change.
    let password_changed = current
        .loaded
        .as_ref()
        .and_then(|c| c.password.as_ref())
        .zip(new_loaded.password.as_ref())
        .map(|(old, new)| old.utf8() != new.utf8());

    // Where it goes, and whether appsettings.json changes. A link at the
    // target stays a link (the file it points to is replaced) when it is
    // trustworthy; any other link is refused.
    let (target, settings_change) = install_target(&service, opts.install_path.as_deref())?;
    if let Some((_, Some(pw_path))) = &generated {
        generate::check_password_file_target(
            pw_path,
            &[
                (&target.path, "the certificate it installs"),
                (&service.current, "the current certificate"),
                (&service.settings_path(), "appsettings.json"),
            ],
        )?;
    }
    let summary = Summary {
        old_kid: old_cert.map(|c| crate::jwt::key_ids(c).kid),
        new_kid: crate::jwt::key_ids(new_cert).kid,
        changes: changes_seen,
        notes,
        password_changed,
        current_unreadable: current.unreadable.is_some(),
    };
    if opts.dry_run {
        let settings_shown = settings_change
            .as_ref()
            .map(|(l, text)| (l.path.clone(), text.clone()));
        print_plan(
            &service,
            &target.path,
            settings_shown.as_ref(),
            old_cert,
            (new_cert, generated.is_some()),
            &summary,
            &outcome,
            opts.json,
        );
        return Ok(());
    }
    let password = new_loaded.password.clone().unwrap_or_else(Password::empty);
    let check = (password, clone_key(new_key)?, new_cert.clone());
    let plan = InstallPlan {
        target,
        settings_change,
        contents: new_loaded.bytes.clone(),
        check,
        current_meta: current.meta,
    };
    let extra = manifest_extra(&service, &plan.target.path, old_cert, new_cert, &summary);
    let pw_text = generated
        .as_ref()
        .and_then(|(_, p)| p.clone())
        .zip(new_loaded.password.as_ref());
    let settings_changed = plan.settings_change.is_some();
    let (record, password_file) = install(&service, plan, extra, pw_text)?;
    for w in &record.warnings {
        eprintln!("warning: {w}");
    }
    print_result(
        &service,
        &record,
        &summary,
        (password_file.as_deref(), settings_changed),
        opts.json,
    );
    Ok(())
}

/// Where `rotate` installs the new file (operator-named with
/// `--install-path`, else the current certificate's place) and the new
/// appsettings.json text when the path changes.
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

fn clone_key(key: &pfxgen_keygen::PrivateKey) -> Result<pfxgen_keygen::PrivateKey, Failure> {
    let der = key
        .to_pkcs8_der()
        .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?;
    pfxgen_keygen::PrivateKey::from_pkcs8_der(&der)
        .map_err(|e| Failure::new(Exit::Internal, e.to_string()))
}

const MANUAL_STEPS: &str = "\
Remaining steps (do them out of business hours; rehearse on pre-production first):
  IIS:    1. recycle the identity service's application pool
          2. then recycle the main application's pool
  Docker: 1. rebuild and restart the identity service container
          2. then restart the main application
  Then check that OAuth works in every integration: clients will see the kid change.";

/// What a rotation reports beyond the files: the kids, how the new
/// certificate differs from the current one, notes, and whether the
/// password changed.
struct Summary {
    old_kid: Option<String>,
    new_kid: String,
    changes: Vec<String>,
    notes: Vec<String>,
    password_changed: Option<bool>,
    current_unreadable: bool,
}

/// The facts the plan and the result share, under the same JSON keys.
fn common_json(service: &Service, target: &Path, summary: &Summary, new_kid: Option<&str>) -> Obj {
    Obj::new()
        .field("service_dir", service.dir.display().to_string())
        .field("current", service.current.display().to_string())
        .field("installed", target.display().to_string())
        .field("old_kid", summary.old_kid.clone())
        .field("new_kid", new_kid.map(str::to_owned))
        .field("changes", summary.changes.clone())
        .field("notes", summary.notes.clone())
        .field("password_changed", summary.password_changed)
}

fn print_changes(summary: &Summary) {
    for c in &summary.changes {
        outln!("  changes:             {c}");
    }
    for n in &summary.notes {
        outln!("  note:                {n}");
    }
    if summary.password_changed == Some(true) {
        outln!("  password:            {PASSWORD_CHANGED}");
    }
}

#[allow(clippy::too_many_arguments)]
fn print_plan(
    service: &Service,
    target: &Path,
    settings: Option<&(PathBuf, String)>,
    old: Option<&Certificate>,
    (new, generated): (&Certificate, bool),
    summary: &Summary,
    outcome: &verify::Outcome,
    json: bool,
) {
    // A generated certificate is made again, with a new key, by the real
    // run: this trial's kid would mislead anyone who pre-loads it.
    let new_kid = (!generated).then_some(summary.new_kid.as_str());
    if json {
        let obj = common_json(service, target, summary, new_kid)
            .field("dry_run", true)
            .field("appsettings_changed", settings.is_some())
            .field("new_generated", generated)
            .field("checks_passed", outcome.checks.len());
        outln!("{}", Json::from(obj).pretty());
        return;
    }
    outln!(
        "Rotation plan for {} (dry run: nothing was changed)",
        service.dir.display()
    );
    outln!(
        "  current certificate: {}{}",
        service.current.display(),
        old.map_or_else(
            || " (missing or unreadable)".to_owned(),
            |c| format!(
                " kid {} valid until {}",
                hex_upper(&c.sha1_thumbprint()),
                c.not_after()
            )
        )
    );
    match new_kid {
        Some(kid) => outln!(
            "  new certificate:     kid {kid} {} valid until {}",
            new.subject(),
            new.not_after()
        ),
        None => outln!(
            "  new certificate:     generated by the real run with a fresh key ({}, {}, {} days); \
             its kid is known only then (a trial key passed every check)",
            new.public_key().map_or_else(
                |_| "?".to_owned(),
                |k| crate::likeness::describe_kind(k.kind())
            ),
            new.subject(),
            new.not_before().days_until(new.not_after())
        ),
    }
    outln!("  checks:              all {} passed", outcome.checks.len());
    print_changes(summary);
    outln!(
        "  backup to:           {}",
        service.dir.join(BACKUP_DIR).display()
    );
    outln!(
        "  install:             {} ({})",
        target.display(),
        if target.exists() {
            "atomic replace"
        } else {
            "new file"
        }
    );
    match settings {
        Some((p, _)) => outln!(
            "  {}: X509CertificatePath will point to the new file",
            p.display()
        ),
        None => outln!("  appsettings.json:    unchanged"),
    }
}

const PASSWORD_CHANGED: &str = "the new file has a different password from the current one: \
update the password the identity service is configured with (its settings or secret store) \
before restarting it";

fn print_result(
    service: &Service,
    record: &Record,
    summary: &Summary,
    (password_file, settings_changed): (Option<&Path>, bool),
    json: bool,
) {
    if json {
        let obj = common_json(service, &record.installed, summary, Some(&summary.new_kid))
            .field("dry_run", false)
            .field("appsettings_changed", settings_changed)
            .field("id", record.id.as_str())
            .field("manifest", record.manifest.display().to_string())
            .field(
                "backups",
                record
                    .backups
                    .iter()
                    .map(|(f, b)| format!("{f} -> {b}"))
                    .collect::<Vec<_>>(),
            )
            .field(
                "password_file",
                password_file.map(|p| p.display().to_string()),
            )
            .field("warnings", record.warnings.clone());
        outln!("{}", Json::from(obj).pretty());
        return;
    }
    outln!("Rotated the certificate of {}", service.dir.display());
    outln!("  installed:  {}", record.installed.display());
    outln!(
        "  old kid:    {}",
        summary.old_kid.as_deref().unwrap_or("(none)")
    );
    outln!("  new kid:    {}", summary.new_kid);
    if settings_changed {
        outln!("  appsettings.json: X509CertificatePath now points to the new file");
    }
    for c in &summary.changes {
        outln!("  changes:    {c}");
    }
    for n in &summary.notes {
        outln!("  note:       {n}");
    }
    for (f, b) in &record.backups {
        outln!("  backup:     {f} -> {b}");
    }
    outln!("  manifest:   {}", record.manifest.display());
    if let Some(p) = password_file {
        outln!(
            "  password:   generated, written to {} (mode 0600)",
            p.display()
        );
    }
    outln!(
        "  undo with:  pfxgen rollback --service-dir {}",
        service.dir.display()
    );
    if summary.password_changed == Some(true) {
        outln!("  note:       {PASSWORD_CHANGED}");
    }
    outln!("{MANUAL_STEPS}");
}

/// What `rotate` installs.
struct InstallPlan {
    target: Located,
    settings_change: Option<(Located, String)>,
    contents: Vec<u8>,
    check: (Password, pfxgen_keygen::PrivateKey, Certificate),
    current_meta: Option<fs::Metadata>,
}

/// The manifest's description of the rotation (never a password: only
/// whether it changed).
fn manifest_extra(
    service: &Service,
    target: &Path,
    old: Option<&Certificate>,
    new: &Certificate,
    summary: &Summary,
) -> Obj {
    Obj::new()
        .field(
            "old_certificate",
            Obj::new()
                .field("path", relative(&service.dir, &service.current))
                .field("sha1_thumbprint", summary.old_kid.clone())
                .field("not_after", old.map(|c| c.not_after().to_string())),
        )
        .field(
            "new_certificate",
            Obj::new()
                .field("path", relative(&service.dir, target))
                .field("sha1_thumbprint", summary.new_kid.as_str())
                .field("not_after", new.not_after().to_string()),
        )
        .field("password_changed", summary.password_changed)
        .field("current_unreadable", summary.current_unreadable)
        .field("differences", summary.changes.clone())
}

/// Writes the generated password (if any) just before the switch, then
/// runs the transaction; on failure the password file is removed again.
fn install(
    service: &Service,
    plan: InstallPlan,
    extra: Obj,
    password_file: Option<(PathBuf, &Password)>,
) -> Result<(Record, Option<PathBuf>), Failure> {
    let mut changes = vec![FileChange {
        file: plan.target,
        kind: "certificate",
        contents: plan.contents,
        check: Some(plan.check),
        takes_over: plan.current_meta,
    }];
    if let Some((file, text)) = plan.settings_change {
        changes.push(FileChange {
            file,
            kind: "appsettings",
            contents: text.into_bytes(),
            check: None,
            takes_over: None,
        });
    }
    let mut written = None;
    if let Some((pw_path, password)) = password_file {
        let (dir, file) = open_parent(&pw_path, false)?;
        let secret = std::str::from_utf8(password.utf8()).unwrap_or_default();
        // Sized once: a growing String would leave an unwiped copy behind.
        let mut text = zeroize::Zeroizing::new(String::with_capacity(secret.len() + 1));
        text.push_str(secret);
        text.push('\n');
        let p = PreparedFile::write(&dir, &file, text.as_bytes(), "password-file")?;
        written = Some((p.commit(Install::NoClobber)?, dir, file));
    }
    match execute(&service.folder(), "rotate", changes, extra) {
        Ok(record) => Ok((record, written.map(|(p, _, _)| p))),
        Err(f) => {
            if let Some((_, dir, name)) = &written {
                let _ = dir.remove_file(name);
            }
            Err(f)
        }
    }
}

// ------------------------------------------------------------ rollback ---

/// A change recorded in a manifest.
struct Recorded {
    path: String,
    kind: String,
    /// The backup (its path as recorded) and its SHA-256; `None` when the
    /// file did not exist before.
    backup: Option<(String, String)>,
    /// SHA-256 of what the operation installed.
    after: String,
}

/// A rotation manifest, read from the running user's own backup folder.
struct Manifest {
    id: String,
    service_dir: String,
    changes: Vec<Recorded>,
    /// The kid the operation replaced (restored by undoing it).
    old_kid: Option<String>,
    /// The kid the operation installed.
    new_kid: Option<String>,
    /// Whether the operation changed the PFX password.
    password_changed: Option<bool>,
    /// Whether the replaced certificate could not be read (installed with
    /// `--allow-unreadable-current`): its backup need not parse.
    current_unreadable: bool,
}

/// Reads the manifest `name` of `backup_dir`: it must be the running
/// user's own file that nobody else can write, and record for every change
/// the SHA-256 of what was there before (or that nothing was) and of what
/// was installed.
fn read_manifest(backup_dir: &Dir, name: &OsStr) -> Result<Manifest, Failure> {
    let path = backup_dir.display(name);
    let bad = |why: &str| Failure::new(Exit::Input, format!("{}: {why}", path.display()));
    let (bytes, meta) = backup_dir
        .read_regular(name, MAX_MANIFEST_SIZE)
        .map_err(|e| input_failure("read", &path, &e))?
        .ok_or_else(|| bad("larger than any manifest pfxgen writes (1 MiB)"))?;
    check_own(&meta, &path, "rotation manifest")?;
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
    let doc = jsonc::parse(&text).map_err(|e| bad(&e.to_string()))?;
    let field = |node: &jsonc::Node, key: &str| {
        node.get(key)
            .and_then(jsonc::Node::as_str)
            .map(str::to_owned)
    };
    if field(&doc, "format").as_deref() != Some(MANIFEST_FORMAT) {
        return Err(bad("not a pfxgen rotation manifest"));
    }
    let id = field(&doc, "id").ok_or_else(|| bad("no id"))?;
    let service_dir = field(&doc, "service_dir").ok_or_else(|| bad("no service folder"))?;
    let Some(jsonc::Node {
        value: jsonc::Value::Array(items),
        ..
    }) = doc.get("changes")
    else {
        return Err(bad("no changes"));
    };
    let mut changes = Vec::new();
    for item in items {
        let path = field(item, "path").ok_or_else(|| bad("a change without a path"))?;
        let kind = field(item, "kind").ok_or_else(|| bad("a change without a kind"))?;
        if kind != "certificate" && kind != "appsettings" {
            return Err(bad("a change of an unknown kind"));
        }
        let backup = match item.get("before") {
            Some(jsonc::Node {
                value: jsonc::Value::Null,
                ..
            }) => None,
            Some(b) => Some(
                field(b, "backup")
                    .zip(field(b, "sha256"))
                    .ok_or_else(|| bad("a change whose backup is not recorded"))?,
            ),
            None => return Err(bad("a change without its previous state")),
        };
        let after = item
            .get("after")
            .and_then(|a| field(a, "sha256"))
            .ok_or_else(|| bad("a change without the hash of what it installed"))?;
        changes.push(Recorded {
            path,
            kind,
            backup,
            after,
        });
    }
    let kid = |which: &str| doc.get(which).and_then(|c| field(c, "sha1_thumbprint"));
    let password_changed = match doc.get("password_changed") {
        Some(jsonc::Node {
            value: jsonc::Value::Bool(b),
            ..
        }) => Some(*b),
        _ => None,
    };
    Ok(Manifest {
        id,
        service_dir,
        changes,
        old_kid: kid("old_certificate"),
        new_kid: kid("new_certificate"),
        password_changed,
        current_unreadable: matches!(
            doc.get("current_unreadable"),
            Some(jsonc::Node {
                value: jsonc::Value::Bool(true),
                ..
            })
        ),
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
    r: &Recorded,
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
    if r.kind == "appsettings" && !settings_name {
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
    let Some((backup, sha)) = &r.backup else {
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
    if !(manifest.current_unreadable && r.kind == "certificate") {
        check_backup_content(&r.kind, &bytes, &backup_path)?;
    }
    Ok(Some(FileChange {
        file: target,
        kind: if r.kind == "appsettings" {
            "appsettings"
        } else {
            "certificate"
        },
        contents: bytes,
        check: None,
        takes_over: None,
    }))
}

/// A certificate backup must be a PFX; an appsettings backup valid JSON
/// with at most one certificate path.
fn check_backup_content(kind: &str, bytes: &[u8], path: &Path) -> Result<(), Failure> {
    if kind == "appsettings" {
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

/// Runs `pfxgen rollback`.
///
/// # Errors
/// Exit 4 when there is nothing to roll back or a backup is damaged, 5 when
/// it cannot be written, 7 when locked, 8 when the backup folder, manifest
/// or a backup is not the running user's own. The folder is unchanged on
/// error.
pub fn run_rollback(args: Vec<OsString>) -> Result<(), Failure> {
    let mut service_dir = None;
    let mut dry_run = false;
    let mut json = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        match &arg {
            Arg::Long(n) if n == "service-dir" => {
                service_dir = Some(value_path(&mut parser, "--service-dir")?)
            }
            Arg::Long(n) if n == "dry-run" => dry_run = true,
            Arg::Long(n) if n == "json" => json = true,
            a if a.is_help() => {
                out!("{}\n{}", crate::help::ROLLBACK, crate::help::EXIT_CODES);
                return Ok(());
            }
            _ => return Err(arg.unexpected()),
        }
    }
    let dir = service_dir.ok_or_else(|| Failure::usage("rollback needs --service-dir DIR"))?;
    match fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Failure::new(
                Exit::Input,
                format!("{} is not a folder", dir.display()),
            ));
        }
        Err(e) => return Err(input_failure("use the service folder", &dir, &e)),
    }
    let root = Dir::open(&dir)?;
    let _lock = if dry_run {
        None
    } else {
        Some(acquire_lock(&root)?)
    };
    let folder = Folder {
        dir: &dir,
        root: &root,
        owner: owner_ids(&root),
    };
    let backup_dir = open_backup_dir(&folder, None)?;
    let manifest_name = latest_manifest(&backup_dir)?;
    let manifest_path = backup_dir.display(&manifest_name);
    let manifest = read_manifest(&backup_dir, &manifest_name)?;
    let changes = plan_rollback(&root, &backup_dir, &manifest, &manifest_path)?;
    let (changes, skipped) = changes;
    let id = manifest.id.clone();
    if dry_run {
        print_rollback_plan(&dir, &manifest_path, &manifest, &changes, &skipped, json);
        return Ok(());
    }
    // A rollback is itself an operation from the kid it undid back to the
    // kid before: recorded so that a second rollback reports them too.
    let extra = Obj::new()
        .field("rolls_back", relative(&dir, &manifest_path))
        .field(
            "old_certificate",
            Obj::new().field("sha1_thumbprint", manifest.new_kid.clone()),
        )
        .field(
            "new_certificate",
            Obj::new().field("sha1_thumbprint", manifest.old_kid.clone()),
        )
        .field("password_changed", manifest.password_changed);
    let record = execute(&folder, "rollback", changes, extra)?;
    let restored = locate_at(&dir, clone_dir(&root)?, None, None)
        .ok()
        .map(|s| s.current);
    if json {
        let obj = Obj::new()
            .field("service_dir", dir.display().to_string())
            .field("rolled_back", id.as_str())
            .field("id", record.id.as_str())
            .field("manifest", record.manifest.display().to_string())
            .field("current", restored.map(|p| p.display().to_string()))
            .field("restored_kid", manifest.old_kid.clone())
            .field("password_changed", manifest.password_changed)
            .field("notes", skipped);
        outln!("{}", Json::from(obj).pretty());
    } else {
        outln!("Rolled back {} (undid {id})", dir.display());
        if let Some(p) = restored {
            outln!("  certificate in use: {}", p.display());
        }
        if let Some(kid) = &manifest.old_kid {
            outln!("  restored kid:       {kid}");
        }
        if manifest.password_changed == Some(true) {
            outln!(
                "  password:           the restored certificate uses the previous password: \
                 change the service's setting back before restarting it"
            );
        }
        for s in &skipped {
            outln!("  note: {s}");
        }
        outln!("  manifest:   {}", record.manifest.display());
        outln!(
            "  undo this rollback with: pfxgen rollback --service-dir {}",
            dir.display()
        );
        outln!("{MANUAL_STEPS}");
    }
    for w in &record.warnings {
        eprintln!("warning: {w}");
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
        return Err(crate::safefs::unsafe_failure(
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
    changes.sort_by_key(|c| c.kind == "appsettings");
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

/// The rollback plan of a dry run, as text or JSON (the keys of the real
/// run's report where they mean the same).
fn print_rollback_plan(
    dir: &Path,
    manifest_path: &Path,
    manifest: &Manifest,
    changes: &[FileChange],
    skipped: &[String],
    json: bool,
) {
    if json {
        let obj = Obj::new()
            .field("dry_run", true)
            .field("service_dir", dir.display().to_string())
            .field("rolled_back", manifest.id.as_str())
            .field("manifest", manifest_path.display().to_string())
            .field("restored_kid", manifest.old_kid.clone())
            .field("password_changed", manifest.password_changed)
            .field(
                "restore",
                changes
                    .iter()
                    .map(|c| c.file.path.display().to_string())
                    .collect::<Vec<_>>(),
            )
            .field("notes", skipped.to_vec());
        outln!("{}", Json::from(obj).pretty());
        return;
    }
    outln!(
        "Rollback plan for {} (dry run: nothing was changed)",
        dir.display()
    );
    outln!("  undoes: {} ({})", manifest_path.display(), manifest.id);
    for c in changes {
        outln!("  restore: {}", c.file.path.display());
    }
    if let Some(kid) = &manifest.old_kid {
        outln!("  restored kid: {kid}");
    }
    if manifest.password_changed == Some(true) {
        outln!("  password: the restored certificate uses the previous password");
    }
    for s in skipped {
        outln!("  note: {s}");
    }
}
