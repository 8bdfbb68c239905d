//! Where `generate` writes: the PFX (never over a file without `force`;
//! with it, the replaced file is first backed up as `NAME.<time>.bak`) and
//! the generated password file. The cheap checks ([`Target::prepare`]) run
//! before any key is made; [`Target::install`] writes, re-reads, checks and
//! installs, and undoes what it created when the install fails.

use std::{
    ffi::{OsStr, OsString},
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::Password;
use pfxgen_x509::UtcTime;

use crate::{
    error::{Exit, Failure},
    files::{
        fsutil::{
            Install, MAX_MANAGED_FILE, PreparedFile, io_failure, open_parent, write_new_private,
        },
        safefs::Dir,
    },
    lifecycle::output::write_password_file,
    make::{Built, check_password_file_target, verify_written},
};

/// The PFX file `generate` writes, checked before any key work.
#[derive(Debug)]
pub struct Target {
    dir: Dir,
    name: OsString,
    /// The path, for messages.
    pub path: PathBuf,
    /// Whether a file is there (replaced only with `force`).
    pub exists: bool,
    force: bool,
    password_file: Option<PathBuf>,
}

/// What `generate` wrote.
#[derive(Debug)]
pub struct Written {
    /// The PFX installed.
    pub path: PathBuf,
    /// The generated password file, if any (mode 0600).
    pub password_file: Option<PathBuf>,
    /// The backup of the file replaced (with `force`).
    pub backup: Option<PathBuf>,
    /// Owner or mode the new file could not take over from the old one.
    pub warnings: Vec<String>,
}

impl Target {
    /// Opens the folder of `path` once (every later step acts on the open
    /// folder, so nobody can redirect it meanwhile), refuses an existing
    /// file without `force`, and a `password_file` that would land on the
    /// PFX, on anything that exists or in a missing folder. A link at the
    /// target stays a link: with `force` the file it points to is
    /// replaced, but only a link that root or this user made, in a folder
    /// nobody else can write; any other link is refused (exit 8).
    ///
    /// # Errors
    /// Exit 2, 5 or 8.
    pub fn prepare(
        path: &Path,
        force: bool,
        password_file: Option<&Path>,
    ) -> Result<Self, Failure> {
        let (dir, name) = open_parent(path, force)?;
        let shown = dir.display(&name);
        let exists = match dir.entry_metadata(&name) {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(io_failure("use", &shown, &e)),
        };
        if exists && !force {
            return Err(
                Failure::new(Exit::Output, format!("{} already exists", shown.display()))
                    .with_hint(
                        "use --force to replace it (the old file is kept as a timestamped backup)",
                    ),
            );
        }
        if let Some(pw_file) = password_file {
            check_password_file_target(pw_file, &[(&shown, "the PFX itself")])?;
        }
        Ok(Self {
            dir,
            name,
            path: shown,
            exists,
            force,
            password_file: password_file.map(Path::to_path_buf),
        })
    }

    /// Writes `built` beside the target, reads it back and checks it opens
    /// with `password` to exactly the key and certificate made, backs up a
    /// file it replaces, writes the generated password (if any), then
    /// installs. On failure nothing this run created is left behind and
    /// the old file is untouched.
    ///
    /// # Errors
    /// Exit 5 (write), 4 (internal check failed).
    pub fn install(self, built: &Built, password: &Password) -> Result<Written, Failure> {
        let mut prepared = PreparedFile::write(&self.dir, &self.name, &built.pfx, "pfx")?;
        verify_written(&mut prepared, password, &built.key, &built.certificate)?;
        let mut warnings = Vec::new();
        let backup = if self.exists {
            Some(back_up_replaced(
                &self.dir,
                &self.name,
                &prepared,
                &mut warnings,
            )?)
        } else {
            None
        };
        let password_file = match &self.password_file {
            Some(path) => Some(write_password_file(path, password)?),
            None => None,
        };
        let install = if self.force {
            Install::Replace
        } else {
            Install::NoClobber
        };
        match prepared.commit(install) {
            Ok(path) => Ok(Written {
                path,
                password_file: password_file.map(|p| p.path),
                backup: backup.map(|(p, _)| p),
                warnings,
            }),
            Err(failure) => {
                // Undo everything this run created; the old file is untouched.
                if let Some(p) = &password_file {
                    p.undo();
                }
                if let Some((_, n)) = &backup {
                    let _ = self.dir.remove_file(n);
                }
                Err(failure)
            }
        }
    }
}

/// Backs up the file `name` in `dir` that `force` replaces, as
/// `NAME.<time>[-n].bak` (mode 0600, never over anything), and gives the
/// new file the old one's owner and group and at most its `rw-r-----`. The
/// old file is read through its own descriptor without following a link,
/// so what is backed up is the file being replaced.
fn back_up_replaced(
    dir: &Dir,
    name: &OsStr,
    prepared: &PreparedFile,
    warnings: &mut Vec<String>,
) -> Result<(PathBuf, OsString), Failure> {
    let shown = dir.display(name);
    let (old, meta) = dir
        .read_regular(name, MAX_MANAGED_FILE)
        .map_err(|e| io_failure("back up", &shown, &e))?
        .ok_or_else(|| {
            Failure::new(
                Exit::Output,
                format!(
                    "{} is larger than {MAX_MANAGED_FILE} bytes: not a PFX pfxgen will replace",
                    shown.display()
                ),
            )
        })?;
    warnings.extend(prepared.match_permissions(&meta, 0o640));
    let stamp =
        UtcTime::now().map_or_else(|| "unknown-time".to_owned(), UtcTime::to_compact_string);
    // Two runs in one second must not collide: a counter follows the time
    // when needed (write_new_private never replaces a file).
    for n in 0..100u32 {
        let mut bak = name.to_os_string();
        if n == 0 {
            bak.push(format!(".{stamp}.bak"));
        } else {
            bak.push(format!(".{stamp}-{n}.bak"));
        }
        match write_new_private(dir, &bak, &old) {
            Ok(()) => return Ok((dir.display(&bak), bak)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(io_failure(
                    "back up the existing file to",
                    &dir.display(&bak),
                    &e,
                ));
            }
        }
    }
    Err(Failure::new(
        Exit::Output,
        format!("no free backup name for {}", shown.display()),
    ))
}
