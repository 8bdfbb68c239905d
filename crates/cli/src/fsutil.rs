//! Files that are never half-written and never silently replaced.
//!
//! Every file pfxgen writes goes through [`PreparedFile`]: the bytes are
//! written to a temporary file in the target folder (created exclusively,
//! mode 0600 on Unix), flushed to disk with `fsync`, optionally checked, and
//! only then moved into place with one atomic step: a hard link when the
//! target must not exist (so a file that appeared meanwhile is never
//! replaced), or `rename` when replacing is intended. The folder is synced
//! afterwards so the new name survives a power cut. A temporary file that
//! is not committed is removed when it is dropped.

use std::{
    fs::{self, File, OpenOptions},
    io::{self, Write as _},
    path::{Path, PathBuf},
};

use crate::{
    error::{Exit, Failure},
    fault,
};

/// How [`PreparedFile::commit`] installs the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Install {
    /// Fail if the target exists.
    NoClobber,
    /// Atomically replace the target if it exists.
    Replace,
}

/// Describes an I/O failure for an operator: what we were doing, where, and
/// the OS's reason in plain words.
pub fn io_failure(action: &str, path: &Path, e: &io::Error) -> Failure {
    let reason = match e.kind() {
        io::ErrorKind::NotFound => "it does not exist".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::AlreadyExists => "it already exists".to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_owned(),
        io::ErrorKind::StorageFull => "no space left on the device".to_owned(),
        io::ErrorKind::NotADirectory => "a path component is not a folder".to_owned(),
        io::ErrorKind::IsADirectory => "it is a folder".to_owned(),
        _ => e.to_string(),
    };
    Failure::new(
        Exit::Output,
        format!("cannot {action} {}: {reason}", path.display()),
    )
}

/// A fully written, synced temporary file waiting to be installed.
#[derive(Debug)]
pub struct PreparedFile {
    temp: PathBuf,
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
    label: String,
}

impl Drop for PreparedFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

fn random_suffix() -> String {
    pfxgen_keygen::random_bytes(6)
        .map(|b| pfxgen_x509::hex_lower(&b))
        .unwrap_or_else(|_| "0".to_owned())
}

/// Whether two paths name the same directory entry, whether or not it
/// exists yet: their folders are compared after resolving links and `..`,
/// their file names as given. Used to refuse, before any work, a password
/// file that would be written where the PFX is about to go.
#[must_use]
pub fn same_location(a: &Path, b: &Path) -> bool {
    fn folder_and_name(p: &Path) -> (PathBuf, Option<std::ffi::OsString>) {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let parent = fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
        (parent, p.file_name().map(std::ffi::OsStr::to_os_string))
    }
    // A link, even one whose target does not exist yet, stands for the
    // path it names.
    let resolved = |p: &Path| match fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(p).unwrap_or_else(|_| {
            fs::read_link(p).map_or_else(
                |_| p.to_path_buf(),
                |to| p.parent().map_or_else(|| to.clone(), |dir| dir.join(&to)),
            )
        }),
        _ => p.to_path_buf(),
    };
    a == b || folder_and_name(&resolved(a)) == folder_and_name(&resolved(b))
}

/// Reads `path`, but never more than `max` bytes: `Ok(None)` when it holds
/// more. Unlike a size check on the metadata, this also bounds a pipe or a
/// device (`/dev/zero`, `<(...)`), whose reported size is 0.
///
/// # Errors
/// The I/O error of opening or reading.
pub fn read_at_most(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((u64::try_from(bytes.len()).unwrap_or(u64::MAX) <= max).then_some(bytes))
}

/// Creates `path` exclusively with owner-only permissions.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

impl PreparedFile {
    /// Writes `bytes` to a new temporary file next to `dir/name` and syncs it.
    /// `label` names the file in test-only fault injection (`<label>-write`,
    /// `<label>-fsync`, `<label>-install`).
    ///
    /// # Errors
    /// An exit-5 [`Failure`] naming the folder and the reason (missing,
    /// read-only, full). Nothing is left behind.
    pub fn write(dir: &Path, name: &str, bytes: &[u8], label: &str) -> Result<Self, Failure> {
        match fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(Failure::new(
                    Exit::Output,
                    format!("{} is not a folder", dir.display()),
                ));
            }
            Ok(_) => {}
            Err(e) => return Err(io_failure("use the output folder", dir, &e)),
        }
        let temp = dir.join(format!(".{name}.{}.tmp", random_suffix()));
        let mut prepared = Self {
            temp: temp.clone(),
            target: dir.join(name),
            dir: dir.to_path_buf(),
            committed: true,
            label: label.to_owned(),
        };
        let mut file =
            create_private(&temp).map_err(|e| io_failure("create a file in", dir, &e))?;
        // From here on the temporary file exists: remove it on any failure.
        prepared.committed = false;
        let written = fault::inject(&format!("{label}-write"))
            .and_then(|()| file.write_all(bytes))
            .and_then(|()| fault::inject(&format!("{label}-fsync")))
            .and_then(|()| file.sync_all());
        written.map_err(|e| io_failure("write", &temp, &e))?;
        Ok(prepared)
    }

    /// The temporary file (to read back and check before committing).
    #[must_use]
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Gives the temporary file the mode and owner of `template` (the file
    /// it will replace, or the file a new one takes over from), so that a
    /// service account that could read the old file can read the new one.
    /// `mode_mask` limits the mode taken over (`0o777` keeps it whole).
    /// Returns a warning when the owner cannot be kept (changing owners
    /// needs privileges).
    #[must_use]
    pub fn match_permissions(&self, template: &fs::Metadata, mode_mask: u32) -> Option<String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
            let mode = template.permissions().mode() & 0o777 & mode_mask;
            if let Err(e) = fs::set_permissions(&self.temp, fs::Permissions::from_mode(mode)) {
                return Some(format!(
                    "could not keep mode {mode:o} on {}: {e}",
                    self.target.display()
                ));
            }
            let current = fs::metadata(&self.temp).ok()?;
            if current.uid() != template.uid() || current.gid() != template.gid() {
                if let Err(e) =
                    std::os::unix::fs::chown(&self.temp, Some(template.uid()), Some(template.gid()))
                {
                    return Some(format!(
                        "could not keep the owner {}:{} of {} ({e}); the new file belongs to the current user",
                        template.uid(),
                        template.gid(),
                        self.target.display()
                    ));
                }
            }
            None
        }
        #[cfg(not(unix))]
        {
            let _ = (template, mode_mask);
            None
        }
    }

    /// The final path.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the file into place and syncs the folder.
    ///
    /// # Errors
    /// An exit-5 [`Failure`]; the temporary file is removed and the target is
    /// untouched.
    pub fn commit(mut self, install: Install) -> Result<PathBuf, Failure> {
        fault::inject(&format!("{}-install", self.label))
            .map_err(|e| io_failure("install", &self.target, &e))?;
        match install {
            Install::NoClobber => match fs::hard_link(&self.temp, &self.target) {
                Ok(()) => {
                    let _ = fs::remove_file(&self.temp);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(io_failure("create", &self.target, &e).with_hint(
                        "use --force to replace it (the old file is kept as a backup)",
                    ));
                }
                // File systems without hard links (FAT, some network shares):
                // fall back to rename after a last existence check.
                Err(_) if !self.target.exists() => {
                    fs::rename(&self.temp, &self.target)
                        .map_err(|e| io_failure("install", &self.target, &e))?;
                }
                Err(e) => return Err(io_failure("install", &self.target, &e)),
            },
            Install::Replace => {
                fs::rename(&self.temp, &self.target)
                    .map_err(|e| io_failure("install", &self.target, &e))?;
            }
        }
        self.committed = true;
        sync_dir(&self.dir);
        Ok(self.target.clone())
    }
}

/// Syncs a folder so that renames and new names in it are durable. Best
/// effort: not every platform can open a folder for syncing.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `dest` (which must not exist) with mode 0600, synced; a
/// partial `dest` is removed.
///
/// # Errors
/// The I/O error.
pub fn write_private(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = create_private(dest)?;
    let result = fault::inject("backup-write")
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.sync_all());
    if result.is_err() {
        let _ = fs::remove_file(dest);
    }
    result
}

/// Copies `source` to `dest` (which must not exist) with mode 0600, synced.
///
/// # Errors
/// The I/O error; a partial `dest` is removed.
pub fn copy_private(source: &Path, dest: &Path) -> io::Result<()> {
    let bytes = fs::read(source)?;
    let mut file = create_private(dest)?;
    let result = fault::inject("backup-write")
        .and_then(|()| file.write_all(&bytes))
        .and_then(|()| file.sync_all());
    if result.is_err() {
        let _ = fs::remove_file(dest);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pfxgen-fsutil-{tag}-{}", random_suffix()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn same_location_sees_through_dot_dot_and_links() {
        let dir = tempdir("same");
        fs::create_dir(dir.join("sub")).unwrap();
        let a = dir.join("openssl.pfx");
        assert!(same_location(&a, &dir.join("sub/../openssl.pfx")));
        assert!(!same_location(&a, &dir.join("sub/openssl.pfx")));
        assert!(!same_location(&a, &dir.join("pw.txt")));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("sub"), dir.join("link")).unwrap();
            assert!(same_location(&dir.join("link/x"), &dir.join("sub/x")));
            fs::write(dir.join("sub/target"), b"").unwrap();
            std::os::unix::fs::symlink(dir.join("sub/target"), dir.join("alias")).unwrap();
            assert!(same_location(&dir.join("alias"), &dir.join("sub/target")));
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn no_clobber_refuses_and_leaves_nothing() {
        let dir = tempdir("noclobber");
        fs::write(dir.join("f"), b"old").unwrap();
        let p = PreparedFile::write(&dir, "f", b"new", "t").unwrap();
        let err = p.commit(Install::NoClobber).unwrap_err();
        assert_eq!(err.exit, Exit::Output);
        assert_eq!(fs::read(dir.join("f")).unwrap(), b"old");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary file left behind"
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn replace_and_private_mode() {
        let dir = tempdir("replace");
        fs::write(dir.join("f"), b"old").unwrap();
        let p = PreparedFile::write(&dir, "f", b"new", "t").unwrap();
        p.commit(Install::Replace).unwrap();
        assert_eq!(fs::read(dir.join("f")).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                fs::metadata(dir.join("f")).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_folder_is_a_clear_error() {
        let dir = std::env::temp_dir().join("pfxgen-does-not-exist-7f3a");
        let err = PreparedFile::write(&dir, "f", b"x", "t").unwrap_err();
        assert!(err.message.contains("does not exist"), "{}", err.message);
    }

    #[test]
    fn dropped_file_is_removed() {
        let dir = tempdir("drop");
        let p = PreparedFile::write(&dir, "f", b"x", "t").unwrap();
        let temp = p.temp_path().to_path_buf();
        assert!(temp.exists());
        drop(p);
        assert!(!temp.exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
