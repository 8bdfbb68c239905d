//! Locating a service's certificate: the service folder, its
//! `appsettings.json` and `appsettings.{Environment}.json` files (layered as
//! ASP.NET Core layers them), and the file `X509CertificatePath` names,
//! resolved once to an open folder and a name so that nobody can redirect
//! it afterwards.

use std::{
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
};

use crate::{
    error::{Exit, Failure},
    files::{
        fsutil::{MAX_MANAGED_FILE, io_failure},
        safefs::{self, Confine, Dir, Walk},
    },
    service::appsettings,
};

/// [`io_failure`] with exit 4: a file pfxgen reads.
pub(crate) fn input_failure(action: &str, path: &Path, e: &std::io::Error) -> Failure {
    let mut f = io_failure(action, path, e);
    f.exit = Exit::Input;
    f
}

/// A second handle on an open folder.
pub(crate) fn clone_dir(dir: &Dir) -> Result<Dir, Failure> {
    dir.try_clone()
        .map_err(|e| io_failure("use the folder", dir.path(), &e))
}

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
    /// pfxgen and writable by nobody else (see [`crate::files::safefs`]).
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
    /// Resolves `rel` (relative to `root`, or absolute) with `walk`.
    ///
    /// # Errors
    /// Exit 4 when it names a folder; the walk's refusals.
    pub fn resolve(root: &Dir, rel: &Path, walk: Walk) -> Result<Self, Failure> {
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

    /// A second handle on the same file.
    ///
    /// # Errors
    /// Exit 5 when the folder cannot be duplicated.
    pub fn try_clone(&self) -> Result<Self, Failure> {
        Ok(Self {
            dir: clone_dir(&self.dir)?,
            name: self.name.clone(),
            path: self.path.clone(),
            recorded: self.recorded.clone(),
        })
    }

    /// Reads the file, at most [`MAX_MANAGED_FILE`] bytes, never through a
    /// link; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    /// Exit 4 when it cannot be read or is too large.
    pub fn read(&self) -> Result<Option<(Vec<u8>, fs::Metadata)>, Failure> {
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

impl Service {
    /// The settings file that decides the certificate path (for messages
    /// and password-file checks).
    #[must_use]
    pub fn settings_path(&self) -> PathBuf {
        self.settings
            .as_ref()
            .map_or_else(|| self.dir.join(appsettings::FILE_NAME), |s| s.path.clone())
    }
}

/// An unconfined walk that follows trustworthy links.
pub const UNCONFINED: Walk = Walk {
    confine: None,
    follow_last: true,
};

pub(crate) fn owner_ids(root: &Dir) -> Option<(u32, u32)> {
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
                safefs::unsafe_failure(configured, "it is outside the service folder"),
                settings,
            )
        })
}

/// `path` with `.` and `..` removed lexically.
pub(crate) fn normalise(path: &Path) -> PathBuf {
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
                "name the service's environment with --environment NAME (or set \
                 ASPNETCORE_ENVIRONMENT): appsettings.NAME.json then wins, as in ASP.NET Core",
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
        trusted: safefs::is_trusted_file(&meta),
        owner: safefs::why_untrusted(&meta),
    }))
}

/// `path` relative to `base` when inside it, for manifests and messages.
pub(crate) fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}
