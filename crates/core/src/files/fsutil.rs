//! Files that are never half-written and never silently replaced.
//!
//! Every file pfxgen writes goes through [`PreparedFile`]: the bytes are
//! written to a temporary file in the target folder, an open [`Dir`] (created exclusively,
//! mode 0600 on Unix), flushed to disk with `fsync`, optionally checked, and
//! only then moved into place with one atomic step: a hard link when the
//! target must not exist (so a file that appeared meanwhile is never
//! replaced), or `rename` when replacing is intended. The folder is synced
//! afterwards so the new name survives a power cut. A temporary file that
//! is not committed is removed when it is dropped.

use std::{
    ffi::OsString,
    fs::{self, File, Metadata},
    io::{self, Read as _, Seek as _, Write as _},
    path::{Path, PathBuf},
};

use std::ffi::OsStr;

use crate::{
    error::{Exit, Failure},
    fault,
    files::safefs::Dir,
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

/// Whether two paths name the same directory entry, whether or not it
/// exists yet: their folders are compared after resolving links and `..`,
/// their file names as given. Used to refuse, before any work, a password
/// file that would be written where the PFX is about to go.
#[must_use]
pub fn same_location(a: &Path, b: &Path) -> bool {
    fn folder_and_name(p: &Path) -> (PathBuf, Option<OsString>) {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let parent = fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
        (parent, p.file_name().map(OsStr::to_os_string))
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

/// Largest existing file pfxgen backs up or restores: above the PFX (8 MiB)
/// and appsettings.json (10 MiB) limits.
pub const MAX_MANAGED_FILE: u64 = 16 * 1024 * 1024;

/// A fully written, synced temporary file waiting to be installed.
///
/// The file is created exclusively in an open folder ([`Dir`]), mode 0600
/// from the start; it is read back, given its owner and mode and checked
/// through the same descriptor, and just before the rename its name is
/// checked to still be that file. Nothing is ever done to it by path.
#[derive(Debug)]
pub struct PreparedFile {
    dir: Dir,
    temp: OsString,
    name: OsString,
    file: File,
    committed: bool,
    label: String,
}

impl Drop for PreparedFile {
    fn drop(&mut self) {
        if !self.committed && self.dir.still_is(&self.temp, &self.file) {
            let _ = self.dir.remove_file(&self.temp);
        }
    }
}

fn random_suffix() -> String {
    pfxgen_keygen::random_bytes(6)
        .map(|b| pfxgen_x509::hex_lower(&b))
        .unwrap_or_else(|_| "0".to_owned())
}

impl PreparedFile {
    /// Writes `bytes` to a new temporary file in `dir`, next to `name`, and
    /// syncs it. `label` names the file in test-only fault injection
    /// (`<label>-write`, `<label>-fsync`, `<label>-written`,
    /// `<label>-install`).
    ///
    /// # Errors
    /// An exit-5 [`Failure`] naming the folder and the reason (read-only,
    /// full). Nothing is left behind.
    pub fn write(dir: &Dir, name: &OsStr, bytes: &[u8], label: &str) -> Result<Self, Failure> {
        let mut temp = OsString::from(".");
        temp.push(name);
        temp.push(format!(".{}.tmp", random_suffix()));
        let folder = dir
            .try_clone()
            .map_err(|e| io_failure("use the folder", dir.path(), &e))?;
        let file = dir
            .create_new(&temp)
            .map_err(|e| io_failure("create a file in", &shown_dir(dir), &e))?;
        // From here on the temporary file exists: Drop removes it on failure.
        let mut prepared = Self {
            dir: folder,
            temp,
            name: name.to_os_string(),
            file,
            committed: false,
            label: label.to_owned(),
        };
        let written = fault::inject(&format!("{label}-write"))
            .and_then(|()| prepared.file.write_all(bytes))
            .and_then(|()| fault::inject(&format!("{label}-fsync")))
            .and_then(|()| prepared.file.sync_all())
            .and_then(|()| fault::inject(&format!("{label}-written")));
        written.map_err(|e| io_failure("write", &prepared.dir.display(&prepared.temp), &e))?;
        Ok(prepared)
    }

    /// Reads the file back through its own descriptor (never by name, so
    /// what is checked is what will be installed).
    ///
    /// # Errors
    /// An exit-5 failure for an I/O error.
    pub fn read_back(&mut self) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        self.file
            .seek(io::SeekFrom::Start(0))
            .and_then(|_| (&self.file).read_to_end(&mut bytes))
            .map_err(|e| io_failure("read back", &self.dir.display(&self.temp), &e))?;
        Ok(bytes)
    }

    /// Gives the temporary file the mode and owner of `template` (the file
    /// it will replace, or the file a new one takes over from, as read from
    /// that file's own descriptor), so that a service account that could
    /// read the old file can read the new one. `mode_mask` limits the mode
    /// taken over (`0o777` keeps it whole). Both are set on the open
    /// descriptor (`fchmod`, `fchown`). Returns a warning when the owner
    /// cannot be kept (changing owners needs privileges).
    #[must_use]
    pub fn match_permissions(&self, template: &Metadata, mode_mask: u32) -> Option<String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
            let mode = template.permissions().mode() & 0o777 & mode_mask;
            let current = self.file.metadata().ok()?;
            if current.uid() != template.uid() || current.gid() != template.gid() {
                if let Err(e) = std::os::unix::fs::fchown(
                    &self.file,
                    Some(template.uid()),
                    Some(template.gid()),
                ) {
                    return Some(format!(
                        "could not keep the owner {}:{} of {} ({e}); the new file belongs to the current user",
                        template.uid(),
                        template.gid(),
                        self.target().display()
                    ));
                }
            }
            // After chown, which may clear set-id bits: the mode last.
            if let Err(e) = self.file.set_permissions(fs::Permissions::from_mode(mode)) {
                return Some(format!(
                    "could not keep mode {mode:o} on {}: {e}",
                    self.target().display()
                ));
            }
            None
        }
        #[cfg(not(unix))]
        {
            let _ = (template, mode_mask);
            None
        }
    }

    /// The folder the file is installed in.
    #[must_use]
    pub fn dir(&self) -> &Dir {
        &self.dir
    }

    /// The name the file is installed under.
    #[must_use]
    pub fn name(&self) -> &OsStr {
        &self.name
    }

    /// The final path (for messages).
    #[must_use]
    pub fn target(&self) -> PathBuf {
        self.dir.display(&self.name)
    }

    /// Moves the file into place and syncs the folder.
    ///
    /// # Errors
    /// An exit-5 [`Failure`]; exit 8 when the temporary name no longer
    /// refers to the file written (someone replaced it). The temporary file
    /// is removed and the target is untouched.
    pub fn commit(mut self, install: Install) -> Result<PathBuf, Failure> {
        let target = self.target();
        fault::inject(&format!("{}-install", self.label))
            .map_err(|e| io_failure("install", &target, &e))?;
        if !self.dir.still_is(&self.temp, &self.file) {
            return Err(crate::files::safefs::unsafe_failure(
                &self.dir.display(&self.temp),
                "the temporary file was replaced while pfxgen was checking it; nothing was installed",
            ));
        }
        match install {
            Install::NoClobber => match self.dir.hard_link(&self.temp, &self.name) {
                Ok(()) => {
                    let _ = self.dir.remove_file(&self.temp);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(io_failure("create", &target, &e).with_hint(
                        "use --force to replace it (the old file is kept as a backup)",
                    ));
                }
                // File systems without hard links (FAT, some network shares):
                // fall back to rename after a last existence check.
                Err(_)
                    if self
                        .dir
                        .entry_metadata(&self.name)
                        .is_err_and(|e| e.kind() == io::ErrorKind::NotFound) =>
                {
                    self.dir
                        .rename(&self.temp, &self.name)
                        .map_err(|e| io_failure("install", &target, &e))?;
                }
                Err(e) => return Err(io_failure("install", &target, &e)),
            },
            Install::Replace => {
                self.dir
                    .rename(&self.temp, &self.name)
                    .map_err(|e| io_failure("install", &target, &e))?;
            }
        }
        self.committed = true;
        self.dir.sync();
        Ok(target)
    }
}

/// A folder for messages: "." rather than nothing.
fn shown_dir(dir: &Dir) -> PathBuf {
    if dir.path().as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.path().to_path_buf()
    }
}

/// Writes `bytes` to the new file `name` in `dir` (which must not exist;
/// never through a link) with mode 0600, synced; a partial file is removed.
/// Fault-injection step: `backup-write`.
///
/// # Errors
/// The I/O error.
pub fn write_new_private(dir: &Dir, name: &OsStr, bytes: &[u8]) -> io::Result<()> {
    let mut file = dir.create_new(name)?;
    let result = fault::inject("backup-write")
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.sync_all());
    if result.is_err() && dir.still_is(name, &file) {
        let _ = dir.remove_file(name);
    }
    result
}

/// Opens the folder of a file the operator named on the command line and
/// returns it with the file's name. With `follow_link`, a trustworthy link
/// in the last component is followed (the file it points to is the one
/// used); an untrustworthy one is refused (exit 8).
///
/// # Errors
/// Exit 8 for an untrustworthy link on the way; exit 5 for a missing or
/// unusable folder.
pub fn open_parent(path: &Path, follow_link: bool) -> Result<(Dir, OsString), Failure> {
    let walk = crate::files::safefs::Walk {
        confine: None,
        follow_last: follow_link,
    };
    let output = |mut f: Failure| {
        if f.exit == Exit::Input {
            f.exit = Exit::Output;
        }
        f
    };
    match walk.resolve(None, path).map_err(output)? {
        (dir, Some(name)) => Ok((dir, name)),
        (_, None) => Err(Failure::new(
            Exit::Output,
            format!("{} is a folder, not a file name", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pfxgen-fsutil-{tag}-{}", random_suffix()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PreparedFile {
        let d = Dir::open(dir).unwrap();
        PreparedFile::write(&d, OsStr::new(name), bytes, "t").unwrap()
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
        let p = write(&dir, "f", b"new");
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
        let mut p = write(&dir, "f", b"new");
        assert_eq!(p.read_back().unwrap(), b"new");
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
        let err = open_parent(&dir.join("f"), false).unwrap_err();
        assert!(err.message.contains("does not exist"), "{}", err.message);
    }

    #[test]
    fn dropped_file_is_removed() {
        let dir = tempdir("drop");
        let p = write(&dir, "f", b"x");
        let temp = dir.join(&p.temp);
        assert!(temp.exists());
        drop(p);
        assert!(!temp.exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_swapped_temporary_file_is_not_installed() {
        let dir = tempdir("swap");
        let p = write(&dir, "f", b"x");
        let temp = dir.join(&p.temp);
        fs::remove_file(&temp).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &temp).unwrap();
        let err = p.commit(Install::Replace).unwrap_err();
        assert_eq!(err.exit, Exit::Unsafe, "{}", err.message);
        assert!(!dir.join("f").exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
