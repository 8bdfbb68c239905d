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
    ffi::OsString,
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
    fsutil::{Install, PreparedFile, create_private, io_failure, sync_dir},
    generate::{self, NewCertificateArgs, verify_written},
    json::{Json, Obj},
    jsonc,
    loader::{self, Loaded, PasswordUse},
    password::PasswordArgs,
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

/// The rotation lock; removed when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
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

/// Takes the lock on `dir`, or explains who holds it (exit 7).
///
/// # Errors
/// Exit 7 when held by a running process; exit 5 when it cannot be created.
pub fn acquire_lock(dir: &Path) -> Result<Lock, Failure> {
    let path = dir.join(LOCK_FILE);
    for _attempt in 0..2 {
        fault::inject("lock").map_err(|e| io_failure("create the lock file", &path, &e))?;
        match create_private(&path) {
            Ok(mut f) => {
                let now = UtcTime::now().map(|t| t.to_string()).unwrap_or_default();
                let _ = writeln!(
                    f,
                    "pid {}\nhost {}\nsince {now}",
                    std::process::id(),
                    host_name()
                );
                let _ = f.sync_all();
                return Ok(Lock { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let read_lock = || {
                    crate::fsutil::read_at_most(&path, 4096)
                        .ok()
                        .flatten()
                        .and_then(|b| String::from_utf8(b).ok())
                };
                let text = read_lock().unwrap_or_default();
                let pid = text
                    .lines()
                    .find_map(|l| l.strip_prefix("pid "))
                    .and_then(|p| p.trim().parse::<u32>().ok());
                // Only a lock of this machine can be judged stale: a pid from
                // another host (a shared folder) says nothing here.
                let same_host = text
                    .lines()
                    .find_map(|l| l.strip_prefix("host "))
                    .is_some_and(|h| h.trim() == host_name());
                // A lock without a pid was cut short by a crash between
                // creating it and writing it (a live run writes it at once).
                let abandoned = pid.is_none()
                    && fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > std::time::Duration::from_secs(60));
                if abandoned {
                    eprintln!(
                        "warning: taking over the lock {}, left empty by a run that crashed",
                        path.display()
                    );
                    let _ = fs::remove_file(&path);
                    continue;
                }
                if let (Some(pid), true) = (pid, same_host) {
                    // Re-read just before removing, so a lock another process
                    // took over meanwhile is left alone.
                    let unchanged = read_lock().is_some_and(|again| again == text);
                    if process_alive(pid) == Some(false) && unchanged {
                        eprintln!(
                            "warning: taking over the stale lock {} of process {pid}, which no longer runs",
                            path.display()
                        );
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                }
                return Err(Failure::new(
                    Exit::Locked,
                    format!(
                        "{} is being changed by another pfxgen ({})",
                        dir.display(),
                        text.replace('\n', ", ").trim_end_matches(", ")
                    ),
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

/// Where a service keeps its certificate.
#[derive(Debug)]
pub struct Service {
    /// The service folder.
    pub dir: PathBuf,
    /// `appsettings.json`, its text, and the configured path (if any).
    pub settings: Option<(PathBuf, String, Option<appsettings::Entry>)>,
    /// The certificate the service uses now.
    pub current: PathBuf,
}

/// Finds the current certificate of the service in `dir`.
///
/// # Errors
/// Exit 4 for a missing folder or an unreadable or invalid appsettings.json.
pub fn locate(dir: &Path) -> Result<Service, Failure> {
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
    let settings_path = dir.join(appsettings::FILE_NAME);
    let settings = if settings_path.exists() {
        let meta =
            fs::metadata(&settings_path).map_err(|e| input_failure("read", &settings_path, &e))?;
        if meta.len() > appsettings::MAX_SIZE {
            return Err(Failure::new(
                Exit::Input,
                format!("{} is larger than 10 MiB", settings_path.display()),
            ));
        }
        let bytes = crate::fsutil::read_at_most(&settings_path, appsettings::MAX_SIZE)
            .map_err(|e| input_failure("read", &settings_path, &e))?
            .ok_or_else(|| {
                Failure::new(
                    Exit::Input,
                    format!("{} is larger than 10 MiB", settings_path.display()),
                )
            })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Failure::new(
                Exit::Input,
                format!("{} is not UTF-8", settings_path.display()),
            )
        })?;
        let entry = appsettings::find(&text).map_err(|e| {
            Failure::new(Exit::Input, format!("{}: {e}", settings_path.display()))
                .with_hint("nothing was changed; fix the file and run again")
        })?;
        Some((settings_path, text, entry))
    } else {
        None
    };
    let current = match settings.as_ref() {
        Some((_, _, Some(entry))) => {
            appsettings::resolve(dir, &entry.value).map_err(|e| Failure::new(Exit::Input, e))?
        }
        Some((path, text, None)) => {
            // Falling back to DIR/openssl.pfx here could install a file the
            // service never reads: refuse rather than guess.
            let nested = appsettings::nested_keys(text);
            if !nested.is_empty() {
                return Err(Failure::new(
                    Exit::Input,
                    format!(
                        "{} sets {} only below the top level ({}); pfxgen reads the top-level \
                         key, as the vendor documents, and will not guess which file the \
                         service uses",
                        path.display(),
                        appsettings::KEY,
                        nested.join(", ")
                    ),
                )
                .with_hint("move the setting to the top level of appsettings.json, or remove it"));
            }
            dir.join(appsettings::DEFAULT_CERTIFICATE)
        }
        None => dir.join(appsettings::DEFAULT_CERTIFICATE),
    };
    Ok(Service {
        dir: dir.to_path_buf(),
        settings,
        current,
    })
}

/// `path` relative to `base` when inside it, for manifests and messages.
fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}

// -------------------------------------------------------- transaction ---

/// One file a transaction writes.
struct FileChange {
    path: PathBuf,
    kind: &'static str,
    contents: Vec<u8>,
    /// Re-read check for PFX contents: the password, key and certificate.
    check: Option<(Password, pfxgen_keygen::PrivateKey, Certificate)>,
    /// When `path` does not exist yet: the file it takes over from, whose
    /// owner (and mode, within [`NEW_FILE_MODE_MASK`]) it gets.
    takes_over: Option<PathBuf>,
}

/// The most a new certificate file takes over of the current one's mode:
/// owner read/write, group read.
const NEW_FILE_MODE_MASK: u32 = 0o640;

/// Largest file rotate backs up or rollback restores: above the PFX (8 MiB)
/// and appsettings.json (10 MiB) limits, so a planted pipe or device in
/// the folder cannot make either read without end.
const MAX_MANAGED_FILE: u64 = 16 * 1024 * 1024;

/// Reads a file rotate or rollback manages, bounded by [`MAX_MANAGED_FILE`].
fn read_managed(path: &Path, action: &str) -> Result<Vec<u8>, Failure> {
    crate::fsutil::read_at_most(path, MAX_MANAGED_FILE)
        .map_err(|e| input_failure(action, path, &e))?
        .ok_or_else(|| {
            Failure::new(
                Exit::Input,
                format!(
                    "{} is larger than {MAX_MANAGED_FILE} bytes, more than any file pfxgen manages",
                    path.display()
                ),
            )
        })
}

/// Largest rotation manifest `rollback` reads (pfxgen's are about 1 KiB).
const MAX_MANIFEST_SIZE: u64 = 1024 * 1024;

/// What a finished transaction recorded.
struct Record {
    id: String,
    manifest: PathBuf,
    backups: Vec<(String, String)>,
    warnings: Vec<String>,
}

/// Things created so far, removed again if the transaction fails.
#[derive(Default)]
struct Undo {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    committed: bool,
}

impl Drop for Undo {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for f in self.files.iter().rev() {
            let _ = fs::remove_file(f);
        }
        for d in self.dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
}

fn new_id(backup_dir: &Path) -> String {
    let base = UtcTime::now().map_or_else(|| "unknown-time".to_owned(), UtcTime::to_compact_string);
    // Unique even after a crash within the same second left backups
    // without a manifest: no file may already start with `<id>-`.
    let taken = |id: &str| {
        fs::read_dir(backup_dir).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{id}-"))
            })
        })
    };
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

/// Backs up, records and installs `changes`, the last one last.
fn execute(
    service: &Service,
    action: &str,
    changes: Vec<FileChange>,
    extra: Obj,
) -> Result<Record, Failure> {
    let backup_dir = service.dir.join(BACKUP_DIR);
    let mut undo = Undo::default();
    if !backup_dir.exists() {
        fault::inject("backup-dir")
            .map_err(|e| io_failure("create the backup folder", &backup_dir, &e))?;
        fs::create_dir(&backup_dir)
            .map_err(|e| io_failure("create the backup folder", &backup_dir, &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = fs::set_permissions(&backup_dir, fs::Permissions::from_mode(0o700));
        }
        undo.dirs.push(backup_dir.clone());
    }
    let id = new_id(&backup_dir);
    let mut records = Vec::new();
    let mut backups = Vec::new();
    for (n, change) in changes.iter().enumerate() {
        let mut rec = Obj::new()
            .field("path", relative(&service.dir, &change.path))
            .field("kind", change.kind);
        if change.path.exists() {
            let before = read_managed(&change.path, "read")?;
            let backup = backup_dir.join(format!("{id}-{n}-{}", file_name(&change.path)));
            // The bytes just hashed, not a second read that could differ.
            crate::fsutil::write_private(&backup, &before)
                .map_err(|e| io_failure("write the backup", &backup, &e))?;
            undo.files.push(backup.clone());
            backups.push((
                relative(&service.dir, &change.path),
                relative(&service.dir, &backup),
            ));
            rec.push(
                "before",
                Obj::new()
                    .field("backup", relative(&service.dir, &backup))
                    .field("sha256", sha256_hex(&before)),
            );
        } else {
            rec.push("before", Json::Null);
        }
        rec.push(
            "after",
            Obj::new().field("sha256", sha256_hex(&change.contents)),
        );
        records.push(Json::from(rec));
    }
    let mut manifest = Obj::new()
        .field("format", MANIFEST_FORMAT)
        .field("id", id.as_str())
        .field("time", UtcTime::now().map(|t| t.to_string()))
        .field("action", action)
        .field("service_dir", service.dir.display().to_string());
    for (k, v) in extra.into_fields() {
        manifest.push(&k, v);
    }
    manifest.push("changes", Json::Array(records));
    let manifest_name = format!("{id}-manifest.json");
    let text = Json::from(manifest).pretty() + "\n";
    let m = PreparedFile::write(&backup_dir, &manifest_name, text.as_bytes(), "manifest")?;
    let manifest_path = m.commit(Install::NoClobber)?;
    undo.files.push(manifest_path.clone());
    sync_dir(&backup_dir);

    // Prepare every new file next to its target, then install, last = switch.
    let mut warnings = Vec::new();
    let mut prepared = Vec::new();
    for change in &changes {
        let dir = change
            .path
            .parent()
            .map_or_else(|| service.dir.clone(), Path::to_path_buf);
        let label = if change.kind == "appsettings" {
            "appsettings"
        } else {
            "pfx"
        };
        let p = PreparedFile::write(&dir, &file_name(&change.path), &change.contents, label)?;
        if let Some((password, key, cert)) = &change.check {
            verify_written(p.temp_path(), password, key, cert)?;
        }
        // A replaced file passes its mode and owner on. A new file takes the
        // owner and group of the file it takes over from (the current
        // certificate), so the service account can still read it when
        // pfxgen runs as root, and at most its owner-read/write and
        // group-read bits: never world-readable, never group-writable.
        // Without such a file it stays 0600, owned by the current user.
        if let Ok(meta) = fs::metadata(&change.path) {
            warnings.extend(p.match_permissions(&meta, 0o777));
        } else if let Some(meta) = change
            .takes_over
            .as_ref()
            .and_then(|t| fs::metadata(t).ok())
        {
            warnings.extend(p.match_permissions(&meta, NEW_FILE_MODE_MASK));
        }
        let install = if change.path.exists() {
            Install::Replace
        } else {
            Install::NoClobber
        };
        prepared.push((p, install));
    }
    let mut installed: Vec<PathBuf> = Vec::new();
    let total = prepared.len();
    for (i, (p, install)) in prepared.into_iter().enumerate() {
        let target = p.target().to_path_buf();
        let replaced = install == Install::Replace;
        match p.commit(install) {
            Ok(_) => {
                if !replaced {
                    installed.push(target);
                }
            }
            Err(f) => {
                // A file newly created at an earlier step is removed again;
                // replaced files cannot have been touched (the switch is last).
                for path in &installed {
                    let _ = fs::remove_file(path);
                }
                return Err(f);
            }
        }
        if i + 1 == total {
            undo.committed = true;
        }
    }
    Ok(Record {
        id,
        manifest: manifest_path,
        backups,
        warnings,
    })
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
    source: NewSource,
    new_password: PasswordArgs,
    current_password: PasswordArgs,
    install_path: Option<String>,
    dry_run: bool,
    allow_missing_current: bool,
    min_days: u32,
    json: bool,
}

fn parse_rotate(args: Vec<OsString>) -> Result<Option<Options>, Failure> {
    let mut service_dir = None;
    let mut from = None;
    let mut gen_args = NewCertificateArgs::default();
    let mut current_password = PasswordArgs::default();
    let mut install_path = None;
    let mut dry_run = false;
    let mut allow_missing_current = false;
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
            Arg::Long(n) if n == "install-path" => {
                let v = value_string(&mut parser, "--install-path")?;
                if v.trim().is_empty() {
                    return Err(Failure::usage("--install-path must not be empty"));
                }
                install_path = Some(v.to_string());
            }
            Arg::Long(n) if n == "dry-run" => dry_run = true,
            Arg::Long(n) if n == "allow-missing-current" => allow_missing_current = true,
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
        source,
        new_password,
        current_password,
        install_path,
        dry_run,
        allow_missing_current,
        min_days,
        json,
    }))
}

/// Opens the current certificate to compare it with the new one: with its
/// own password options, else the new password, else the empty one.
fn open_current(
    path: &Path,
    opts: &Options,
    new_password: Option<&Password>,
    limits: &Limits,
) -> Result<Loaded, Failure> {
    if opts.current_password.given() {
        return loader::load(path, &opts.current_password, true, limits);
    }
    let bytes = loader::read_file(path, limits)?;
    let pfx =
        Pfx::parse(&bytes, limits).map_err(|e| from_pkcs12(&path.display().to_string(), &e))?;
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
    Err(Failure::new(
        Exit::Password,
        format!(
            "cannot open the current certificate {} to compare it with the new one",
            path.display()
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

/// Runs `pfxgen rotate`.
///
/// # Errors
/// Exit 1 when the new certificate fails a check or is the current one;
/// 3, 4, 5, 6, 7 as documented. The service folder is unchanged on error.
pub fn run_rotate(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(opts) = parse_rotate(args)? else {
        return Ok(());
    };
    let limits = Limits::default();
    let early = locate(&opts.service_dir)?; // a clear error for a wrong folder before locking it
    if let NewSource::Generate(gen_args) = &opts.source {
        if let Some(pw_path) = &gen_args.generate_password {
            // Before a key is made; the install target is checked again
            // once it is known.
            let settings = early.dir.join(appsettings::FILE_NAME);
            generate::check_password_file_target(
                pw_path,
                &[
                    (&early.current, "the current certificate"),
                    (&settings, "appsettings.json"),
                ],
            )?;
        }
    }
    let _lock = if opts.dry_run {
        None
    } else {
        Some(acquire_lock(&opts.service_dir)?)
    };
    let service = locate(&opts.service_dir)?;
    fault::inject("read-current").map_err(|e| input_failure("read", &service.current, &e))?;

    // The new certificate: load and check it before touching anything.
    let (new_bytes, new_loaded, generated) = match &opts.source {
        NewSource::From(path) => {
            let loaded = loader::load(path, &opts.new_password, true, &limits)?;
            (loaded.bytes.clone(), loaded, None)
        }
        NewSource::Generate(gen_args) => {
            let (password, _origin) = gen_args.new_password()?;
            let built = gen_args.build(&password)?;
            let pfx = Pfx::parse(&built.pfx, &limits)
                .map_err(|e| from_pkcs12("the generated file", &e))?;
            let opened = pfx
                .open(&password, &limits)
                .map_err(|e| from_pkcs12("the generated file", &e))?;
            let bytes = built.pfx.clone();
            let loaded = Loaded {
                bytes: bytes.clone(),
                pfx,
                opened: Some(opened),
                password: Some(password),
                password_use: PasswordUse::Given(crate::password::Origin::Generated),
            };
            (
                bytes,
                loaded,
                Some((built, gen_args.generate_password.clone())),
            )
        }
    };
    // The clock is read after the new certificate exists: generating an RSA
    // key takes long enough for "now" to fall before its notBefore.
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let outcome = verify::evaluate(&new_loaded, opts.min_days, now);
    if !outcome.ok() {
        let failed: Vec<String> = outcome
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect();
        return Err(Failure::new(
            Exit::CheckFailed,
            format!("refusing the new certificate: {}", failed.join("; ")),
        )
        .with_hint("nothing was changed; `pfxgen verify` shows every check"));
    }
    let (new_cert, new_key) = end_entity(&new_loaded);
    let (Some(new_cert), Some(new_key)) = (new_cert, new_key) else {
        return Err(Failure::new(
            Exit::Internal,
            "the new file passed the checks but has no key or certificate",
        ));
    };

    // The current certificate.
    let current = if service.current.exists() {
        Some(open_current(
            &service.current,
            &opts,
            new_loaded.password.as_ref(),
            &limits,
        )?)
    } else if opts.allow_missing_current {
        None
    } else {
        return Err(Failure::new(Exit::Input, format!("the current certificate {} does not exist", service.current.display()))
            .with_hint("check --service-dir and X509CertificatePath; use --allow-missing-current to install anyway"));
    };
    let (old_cert, old_key) = current.as_ref().map_or((None, None), end_entity);
    // Whoever configures the service's PFX password must hear of a change.
    let password_changed = current
        .as_ref()
        .and_then(|c| c.password.as_ref())
        .zip(new_loaded.password.as_ref())
        .map(|(old, new)| old.utf8() != new.utf8());
    if let Some(old) = old_cert {
        if old.sha1_thumbprint() == new_cert.sha1_thumbprint() {
            return Err(Failure::new(
                Exit::CheckFailed,
                "refusing: the new certificate is the one already installed",
            ));
        }
    }
    if let Some(old) = old_key {
        if old.matches(&new_key.public_key()) {
            return Err(Failure::new(
                Exit::CheckFailed,
                "refusing: the new certificate reuses the current private key; every rotation needs a new key",
            ));
        }
    }

    // Where it goes, and whether appsettings.json changes.
    let (target, settings_change) = match &opts.install_path {
        None => (service.current.clone(), None),
        Some(value) => {
            let target = appsettings::resolve(&service.dir, value).map_err(Failure::usage)?;
            if target == service.current {
                (target, None)
            } else {
                let Some((settings_path, text, _)) = &service.settings else {
                    return Err(Failure::usage(format!(
                        "--install-path needs {} to record the new path, and there is none",
                        service.dir.join(appsettings::FILE_NAME).display()
                    )));
                };
                if target.exists() {
                    return Err(Failure::new(
                        Exit::Output,
                        format!(
                            "{} already exists; choose another --install-path",
                            target.display()
                        ),
                    ));
                }
                let new_text = appsettings::with_certificate_path(text, value)
                    .map_err(|e| Failure::new(Exit::Input, e))?;
                (target, Some((settings_path.clone(), new_text)))
            }
        }
    };
    // A symbolic link (e.g. openssl.pfx -> /secure/openssl.pfx) stays a
    // link: the file it points to is replaced.
    let target = match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(&target).map_err(|e| input_failure("follow the link", &target, &e))?
        }
        _ => target,
    };
    match target.parent() {
        Some(parent) if parent.is_dir() => {}
        _ => {
            return Err(Failure::new(
                Exit::Output,
                format!("the folder of {} does not exist", target.display()),
            ));
        }
    }

    if let Some((_, Some(pw_path))) = &generated {
        let settings = service.dir.join(appsettings::FILE_NAME);
        generate::check_password_file_target(
            pw_path,
            &[
                (&target, "the certificate it installs"),
                (&service.current, "the current certificate"),
                (&settings, "appsettings.json"),
            ],
        )?;
    }

    let ids_old = old_cert.map(crate::jwt::key_ids);
    let ids_new = crate::jwt::key_ids(new_cert);
    if opts.dry_run {
        print_plan(
            &service,
            &target,
            settings_change.as_ref(),
            old_cert,
            (new_cert, generated.is_some(), password_changed),
            &outcome,
            opts.json,
        );
        return Ok(());
    }

    let password = new_loaded.password.clone().unwrap_or_else(Password::empty);
    let mut changes = vec![FileChange {
        path: target.clone(),
        kind: "certificate",
        contents: new_bytes,
        check: Some((password, clone_key(new_key)?, new_cert.clone())),
        takes_over: Some(service.current.clone()),
    }];
    if let Some((path, text)) = &settings_change {
        changes.push(FileChange {
            path: path.clone(),
            kind: "appsettings",
            contents: text.clone().into_bytes(),
            check: None,
            takes_over: None,
        });
    }
    let extra = Obj::new()
        .field(
            "old_certificate",
            Obj::new()
                .field("path", relative(&service.dir, &service.current))
                .field("sha1_thumbprint", ids_old.as_ref().map(|i| i.kid.clone()))
                .field("not_after", old_cert.map(|c| c.not_after().to_string())),
        )
        .field(
            "new_certificate",
            Obj::new()
                .field("path", relative(&service.dir, &target))
                .field("sha1_thumbprint", ids_new.kid.as_str())
                .field("not_after", new_cert.not_after().to_string()),
        );

    // A generated password is written just before the switch.
    let mut password_file = None;
    if let Some((_, Some(pw_path))) = &generated {
        let (dir, file) = generate::split_path(pw_path)?;
        let secret =
            std::str::from_utf8(new_loaded.password.as_ref().map_or(&[][..], Password::utf8))
                .unwrap_or_default();
        let mut text = zeroize::Zeroizing::new(String::from(secret));
        text.push('\n');
        let p = PreparedFile::write(&dir, &file, text.as_bytes(), "password-file")?;
        password_file = Some(p.commit(Install::NoClobber)?);
    }
    let record = match execute(&service, "rotate", changes, extra) {
        Ok(r) => r,
        Err(f) => {
            if let Some(p) = &password_file {
                let _ = fs::remove_file(p);
            }
            return Err(f);
        }
    };
    for w in &record.warnings {
        eprintln!("warning: {w}");
    }
    print_result(
        &service,
        &record,
        ids_old.as_ref().map(|i| i.kid.as_str()),
        &ids_new.kid,
        &target,
        settings_change.is_some(),
        (password_file.as_deref(), password_changed),
        opts.json,
    );
    Ok(())
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

fn print_plan(
    service: &Service,
    target: &Path,
    settings: Option<&(PathBuf, String)>,
    old: Option<&Certificate>,
    (new, generated, password_changed): (&Certificate, bool, Option<bool>),
    outcome: &verify::Outcome,
    json: bool,
) {
    let old_kid = old.map(|c| hex_upper(&c.sha1_thumbprint()));
    // A generated certificate is made again, with a new key, by the real
    // run: this trial's kid would mislead anyone who pre-loads it.
    let new_kid = (!generated).then(|| hex_upper(&new.sha1_thumbprint()));
    if json {
        let obj = Obj::new()
            .field("dry_run", true)
            .field("service_dir", service.dir.display().to_string())
            .field("current", service.current.display().to_string())
            .field("old_kid", old_kid)
            .field("new_kid", new_kid.clone())
            .field("new_generated", generated)
            .field("password_changed", password_changed)
            .field("install", target.display().to_string())
            .field(
                "appsettings_change",
                settings.map(|_| true).unwrap_or(false),
            )
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
            || " (missing)".to_owned(),
            |c| format!(
                " kid {} valid until {}",
                hex_upper(&c.sha1_thumbprint()),
                c.not_after()
            )
        )
    );
    match &new_kid {
        Some(kid) => outln!(
            "  new certificate:     kid {kid} {} valid until {}",
            new.subject(),
            new.not_after()
        ),
        None => outln!(
            "  new certificate:     generated by the real run with a fresh key ({}, {} days); \
             its kid is known only then (a trial key passed every check)",
            new.subject(),
            new.not_before().days_until(new.not_after())
        ),
    }
    outln!("  checks:              all {} passed", outcome.checks.len());
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
    if password_changed == Some(true) {
        outln!("  password:            {PASSWORD_CHANGED}");
    }
}

const PASSWORD_CHANGED: &str = "the new file has a different password from the current one: \
update the password the identity service is configured with (its settings or secret store) \
before restarting it";

#[allow(clippy::too_many_arguments)]
fn print_result(
    service: &Service,
    record: &Record,
    old_kid: Option<&str>,
    new_kid: &str,
    target: &Path,
    settings_changed: bool,
    (password_file, password_changed): (Option<&Path>, Option<bool>),
    json: bool,
) {
    if json {
        let obj = Obj::new()
            .field("service_dir", service.dir.display().to_string())
            .field("id", record.id.as_str())
            .field("installed", target.display().to_string())
            .field("old_kid", old_kid)
            .field("new_kid", new_kid)
            .field("appsettings_changed", settings_changed)
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
            .field("password_changed", password_changed)
            .field("warnings", record.warnings.clone());
        outln!("{}", Json::from(obj).pretty());
        return;
    }
    outln!("Rotated the certificate of {}", service.dir.display());
    outln!("  installed:  {}", target.display());
    outln!("  old kid:    {}", old_kid.unwrap_or("(none)"));
    outln!("  new kid:    {new_kid}");
    if settings_changed {
        outln!("  appsettings.json: X509CertificatePath now points to the new file");
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
    if password_changed == Some(true) {
        outln!("  note:       {PASSWORD_CHANGED}");
    }
    outln!("{MANUAL_STEPS}");
}

// ------------------------------------------------------------ rollback ---

/// A change recorded in a manifest.
struct Recorded {
    path: String,
    kind: String,
    backup: Option<(String, String)>,
    /// SHA-256 of what the operation installed.
    after: Option<String>,
}

fn read_manifest(path: &Path) -> Result<(String, Vec<Recorded>, jsonc::Node), Failure> {
    let bad = |why: String| Failure::new(Exit::Input, format!("{}: {why}", path.display()));
    let bytes = crate::fsutil::read_at_most(path, MAX_MANIFEST_SIZE)
        .map_err(|e| input_failure("read", path, &e))?
        .ok_or_else(|| bad("larger than any manifest pfxgen writes (1 MiB)".to_owned()))?;
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8".to_owned()))?;
    let doc = jsonc::parse(&text).map_err(|e| bad(e.to_string()))?;
    if doc.get("format").and_then(jsonc::Node::as_str) != Some(MANIFEST_FORMAT) {
        return Err(bad("not a pfxgen rotation manifest".to_owned()));
    }
    let id = doc
        .get("id")
        .and_then(jsonc::Node::as_str)
        .ok_or_else(|| bad("no id".to_owned()))?
        .to_owned();
    let Some(jsonc::Node {
        value: jsonc::Value::Array(items),
        ..
    }) = doc.get("changes")
    else {
        return Err(bad("no changes".to_owned()));
    };
    let mut changes = Vec::new();
    for item in items {
        let path = item
            .get("path")
            .and_then(jsonc::Node::as_str)
            .ok_or_else(|| bad("a change without a path".to_owned()))?;
        let kind = item
            .get("kind")
            .and_then(jsonc::Node::as_str)
            .unwrap_or("certificate");
        let backup = item.get("before").and_then(|b| {
            Some((
                b.get("backup")?.as_str()?.to_owned(),
                b.get("sha256")?.as_str()?.to_owned(),
            ))
        });
        let after = item
            .get("after")
            .and_then(|a| a.get("sha256")?.as_str())
            .map(str::to_owned);
        changes.push(Recorded {
            path: path.to_owned(),
            kind: kind.to_owned(),
            backup,
            after,
        });
    }
    Ok((id, changes, doc))
}

/// The newest manifest in the backup folder.
fn latest_manifest(dir: &Path) -> Result<PathBuf, Failure> {
    let backup_dir = dir.join(BACKUP_DIR);
    let entries = fs::read_dir(&backup_dir).map_err(|e| {
        input_failure("read the backup folder", &backup_dir, &e)
            .with_hint("there is nothing to roll back")
    })?;
    let mut manifests: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("-manifest.json"))
        })
        .collect();
    manifests.sort_by_key(|p| {
        let name = file_name(p);
        // `<time>[-n]-manifest.json`: order by time, then by the counter.
        let stem = name.trim_end_matches("-manifest.json").to_owned();
        let (time, n) = match stem.split_once('-') {
            Some((t, n)) => (t.to_owned(), n.parse::<u32>().unwrap_or(0)),
            None => (stem.clone(), 0),
        };
        (time, n)
    });
    manifests.pop().ok_or_else(|| {
        Failure::new(
            Exit::Input,
            format!("no rotation manifest in {}", backup_dir.display()),
        )
        .with_hint("there is nothing to roll back")
    })
}

fn resolve_recorded(dir: &Path, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}

/// Runs `pfxgen rollback`.
///
/// # Errors
/// Exit 4 when there is nothing to roll back or a backup is damaged, 5 when
/// it cannot be written, 7 when locked. The folder is unchanged on error.
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
    locate(&dir)?; // a clear error for a wrong folder before locking it
    let _lock = if dry_run {
        None
    } else {
        Some(acquire_lock(&dir)?)
    };
    let service = locate(&dir)?;
    let manifest_path = latest_manifest(&dir)?;
    let (id, recorded, _doc) = read_manifest(&manifest_path)?;

    // Verify everything before restoring anything. A manifest lives in the
    // service folder and is not trusted further than that: it may only
    // restore appsettings.json and the service's certificate file, from
    // backups of its own in pfx-backups/, and only if the files are still
    // what it says it installed.
    let backup_dir = dir.join(BACKUP_DIR);
    let real_file = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file());
    if !fs::symlink_metadata(&backup_dir).is_ok_and(|m| m.file_type().is_dir())
        || !real_file(&manifest_path)
    {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "{} is not a plain folder of plain files; refusing to use it",
                backup_dir.display()
            ),
        ));
    }
    if file_name(&manifest_path) != format!("{id}-manifest.json") {
        return Err(Failure::new(
            Exit::Input,
            format!(
                "{}: its id {id:?} does not match its name",
                manifest_path.display()
            ),
        ));
    }
    let settings_path = dir.join(appsettings::FILE_NAME);
    let same = |a: &Path, b: &Path| {
        fs::canonicalize(a)
            .ok()
            .zip(fs::canonicalize(b).ok())
            .is_some_and(|(x, y)| x == y)
            || a == b
    };
    let mut allowed_certificates = vec![service.current.clone()];
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let limits = Limits::default();
    // Read the appsettings backup first: the certificate it names is a
    // legitimate target too.
    let mut ordered: Vec<&Recorded> = recorded.iter().collect();
    ordered.sort_by_key(|r| r.kind != "appsettings");
    for r in ordered {
        let target = resolve_recorded(&dir, &r.path);
        let Some((backup, sha)) = &r.backup else {
            skipped.push(format!(
                "{} did not exist before; it is left in place",
                target.display()
            ));
            continue;
        };
        let refuse = |why: String| {
            Failure::new(
                Exit::Input,
                format!("{}: {why}; refusing to roll back", manifest_path.display()),
            )
        };
        let backup_name = backup
            .strip_prefix(&format!("{BACKUP_DIR}/"))
            .unwrap_or_default();
        let well_named = backup_name
            .strip_prefix(&format!("{id}-"))
            .is_some_and(|rest| {
                rest.split_once('-').is_some_and(|(n, name)| {
                    !n.is_empty()
                        && n.bytes().all(|b| b.is_ascii_digit())
                        && !name.is_empty()
                        && !name.contains(['/', '\\'])
                        && name != ".."
                })
            });
        if !well_named {
            return Err(refuse(format!(
                "the backup {backup:?} is not one of its own backups"
            )));
        }
        let backup_path = backup_dir.join(backup_name);
        if !real_file(&backup_path) {
            return Err(refuse(format!(
                "the backup {} is missing or not a plain file",
                backup_path.display()
            )));
        }
        let is_settings = r.kind == "appsettings";
        let permitted = if is_settings {
            same(&target, &settings_path)
        } else {
            allowed_certificates.iter().any(|c| same(&target, c))
        };
        if !permitted {
            return Err(refuse(format!(
                "it names {}, which is neither appsettings.json nor the service's certificate",
                target.display()
            )));
        }
        if let Some(after) = &r.after {
            let now = read_managed(&target, "read")
                .map(|b| sha256_hex(&b))
                .unwrap_or_default();
            if now != *after {
                return Err(refuse(format!(
                    "{} has changed since that operation",
                    target.display()
                ))
                .with_hint("roll back by hand from pfx-backups/, or rotate again"));
            }
        }
        let bytes = read_managed(&backup_path, "read the backup")?;
        if sha256_hex(&bytes) != *sha {
            return Err(Failure::new(
                Exit::Input,
                format!(
                    "the backup {} does not match its manifest (SHA-256 differs); refusing to restore it",
                    backup_path.display()
                ),
            ));
        }
        if is_settings {
            let text = String::from_utf8(bytes.clone()).map_err(|_| {
                Failure::new(
                    Exit::Input,
                    format!("the backup {} is not UTF-8", backup_path.display()),
                )
            })?;
            let entry = appsettings::find(&text).map_err(|e| {
                Failure::new(
                    Exit::Input,
                    format!("the backup {}: {e}", backup_path.display()),
                )
            })?;
            let named = match entry {
                Some(e) => appsettings::resolve(&dir, &e.value)
                    .map_err(|e| Failure::new(Exit::Input, e))?,
                None => dir.join(appsettings::DEFAULT_CERTIFICATE),
            };
            allowed_certificates.push(named);
        } else {
            Pfx::parse(&bytes, &limits)
                .map_err(|e| from_pkcs12(&format!("the backup {}", backup_path.display()), &e))?;
        }
        changes.push(FileChange {
            path: target,
            kind: if is_settings {
                "appsettings"
            } else {
                "certificate"
            },
            contents: bytes,
            check: None,
            takes_over: None,
        });
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
    if dry_run {
        outln!(
            "Rollback plan for {} (dry run: nothing was changed)",
            dir.display()
        );
        outln!("  undoes: {} ({})", manifest_path.display(), id);
        for c in &changes {
            outln!("  restore: {}", c.path.display());
        }
        for s in &skipped {
            outln!("  note: {s}");
        }
        return Ok(());
    }
    let extra = Obj::new().field("rolls_back", relative(&dir, &manifest_path));
    let record = execute(&service, "rollback", changes, extra)?;
    let restored = locate(&dir).ok().map(|s| s.current);
    if json {
        let obj = Obj::new()
            .field("service_dir", dir.display().to_string())
            .field("rolled_back", id.as_str())
            .field("id", record.id.as_str())
            .field("manifest", record.manifest.display().to_string())
            .field("current", restored.map(|p| p.display().to_string()))
            .field("notes", skipped);
        outln!("{}", Json::from(obj).pretty());
    } else {
        outln!("Rolled back {} (undid {id})", dir.display());
        if let Some(p) = restored {
            outln!("  certificate in use: {}", p.display());
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
