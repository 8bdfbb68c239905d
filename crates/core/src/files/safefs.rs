//! File operations that cannot be turned against the user running pfxgen.
//!
//! pfxgen is often run as root on a service folder that the service account
//! can write. That account is then an adversary that can rearrange the
//! folder at any moment: replace a file or a folder with a symbolic link,
//! rename things, plant hard links. The rule (SECURITY.md, "Privileged
//! operation") is that pfxgen never does, on behalf of the folder's owner,
//! what that owner could not do itself. This module is how:
//!
//! * **Names are looked up in open folders.** A [`Dir`] holds an open
//!   descriptor of a folder. On Linux every name is used through
//!   `/proc/self/fd/N/NAME`, which the kernel resolves from the folder the
//!   descriptor holds, not from a path that could have been swapped since:
//!   it does what `openat(2)`, `renameat(2)` and `linkat(2)` do, without
//!   leaving safe Rust or adding a system-call crate. Where `/proc` is not mounted, and
//!   on other systems, the folder's path is used instead (each step is still
//!   checked, with a window between the check and the use; SECURITY.md says
//!   so).
//! * **The last component is never followed by accident.** Files are opened
//!   with `O_NOFOLLOW` (and `O_NONBLOCK`, so a FIFO cannot hang a read) and
//!   checked to be regular files on the open descriptor; new files are
//!   created exclusively (`O_CREAT | O_EXCL`, which never follows a link).
//! * **Links are followed only when trustworthy:** owned by root or by the
//!   effective user, in a folder that nobody else can write (or a sticky
//!   folder, where nobody else can replace them). A Kubernetes secret
//!   volume (root-owned links in a root-owned, read-only folder) passes; a
//!   link the service account planted does not.
//! * **Trust comes from ownership**, as sshd's `StrictModes` has it: a file
//!   that another user can write is data, never instructions
//!   ([`is_trusted_file`]).

use std::{
    ffi::{OsStr, OsString},
    fs::{self, File, Metadata, OpenOptions},
    io::{self, Read as _},
    path::{Component, Path, PathBuf},
};

use crate::error::{Exit, Failure};

/// Most symbolic links followed while resolving one path (Linux's limit).
const MAX_LINKS: u32 = 40;

#[cfg(unix)]
mod flags {
    pub const NOFOLLOW: i32 = libc::O_NOFOLLOW;
    pub const DIRECTORY: i32 = libc::O_DIRECTORY;
    pub const NONBLOCK: i32 = libc::O_NONBLOCK;
}

/// The effective user id of this process (Unix), read once.
///
/// From `/proc/self/status`; where that is missing, from the owner of a
/// file this process creates. If neither works, 0 (root) is assumed, which
/// makes every trust check as strict as it can be.
#[cfg(unix)]
#[must_use]
pub fn effective_uid() -> u32 {
    static EUID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *EUID.get_or_init(|| status_euid().or_else(probe_euid).unwrap_or(0))
}

#[cfg(unix)]
fn status_euid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(unix)]
fn probe_euid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    let name = format!(
        ".pfxgen-uid-{}-{}",
        std::process::id(),
        pfxgen_x509::hex_lower(&pfxgen_keygen::random_bytes(8).ok()?)
    );
    let path = std::env::temp_dir().join(name);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .ok()?;
    let uid = file.metadata().ok().map(|m| m.uid());
    let _ = fs::remove_file(&path);
    uid
}

/// Whether files owned by `uid` are trusted: root's and our own.
#[cfg(unix)]
#[must_use]
pub fn trusted_owner(uid: u32) -> bool {
    uid == 0 || uid == effective_uid()
}

/// Whether an entry owned by `entry_uid` in the folder described by `dir`
/// is safe from other users: the folder is owned by a trusted user and
/// nobody else can write it, or it is sticky (like `/tmp`) and the entry is
/// owned by a trusted user, so nobody else can replace it.
#[cfg(unix)]
#[must_use]
pub fn entry_protected(dir: &Metadata, entry_uid: u32) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    let others_write = dir.mode() & 0o022 != 0;
    let sticky = dir.mode() & 0o1000 != 0;
    trusted_owner(dir.uid()) && (!others_write || (sticky && trusted_owner(entry_uid)))
}

/// Whether a file (described by the metadata of its open descriptor) may be
/// taken as instructions: owned by root or the effective user, writable by
/// nobody else, and not a hard link that another name could have made.
#[cfg(unix)]
#[must_use]
pub fn is_trusted_file(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    trusted_owner(meta.uid()) && meta.mode() & 0o022 == 0 && meta.nlink() <= 1
}

/// Why a file is not trusted ([`is_trusted_file`]), for messages.
#[cfg(unix)]
#[must_use]
pub fn why_untrusted(meta: &Metadata) -> String {
    use std::os::unix::fs::MetadataExt as _;
    if !trusted_owner(meta.uid()) {
        format!("belongs to uid {}", meta.uid())
    } else if meta.mode() & 0o022 != 0 {
        format!("others can write (mode {:o})", meta.mode() & 0o7777)
    } else {
        format!("has {} names (hard links)", meta.nlink())
    }
}

/// Why a file is not trusted: never, where ownership cannot be checked.
#[cfg(not(unix))]
#[must_use]
pub fn why_untrusted(_meta: &Metadata) -> String {
    String::new()
}

/// Everything is trusted where ownership cannot be checked.
#[cfg(not(unix))]
#[must_use]
pub fn is_trusted_file(_meta: &Metadata) -> bool {
    true
}

/// Who owns a file, for messages: "uid 1001".
#[must_use]
pub fn owner_of(meta: &Metadata) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        format!("uid {}", meta.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        "another user".to_owned()
    }
}

/// A refusal to act on something another user controls (exit 8).
pub fn unsafe_failure(path: &Path, why: impl AsRef<str>) -> Failure {
    Failure::new(
        Exit::Unsafe,
        format!("refusing {}: {}", path.display(), why.as_ref()),
    )
}

/// Whether the kernel offers `/proc/self/fd` for descriptor-relative names.
fn proc_fd_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| cfg!(target_os = "linux") && Path::new("/proc/self/fd").is_dir())
}

/// An open folder; every name is used relative to it.
#[derive(Debug)]
pub struct Dir {
    /// The folder's path as walked, for messages (and the fallback).
    path: PathBuf,
    /// The open folder.
    file: File,
}

impl Dir {
    fn open_raw(path: &Path, display: PathBuf) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.custom_flags(flags::DIRECTORY | flags::NOFOLLOW);
        }
        let file = options.open(path)?;
        if !file.metadata()?.is_dir() {
            return Err(io::Error::from(io::ErrorKind::NotADirectory));
        }
        Ok(Self {
            path: display,
            file,
        })
    }

    /// The root folder.
    fn root() -> io::Result<Self> {
        Self::open_raw(Path::new("/"), PathBuf::from("/"))
    }

    /// The working folder.
    fn cwd() -> io::Result<Self> {
        let display = PathBuf::new();
        let file = File::open(".")?;
        Ok(Self {
            path: display,
            file,
        })
    }

    /// Opens the folder `path` named by the operator, following links only
    /// where trustworthy (see the module documentation).
    ///
    /// # Errors
    /// Exit 8 for an untrustworthy link on the way, else the I/O error as
    /// an exit-4 failure naming the path.
    pub fn open(path: &Path) -> Result<Self, Failure> {
        let walk = Walk {
            confine: None,
            follow_last: true,
        };
        let (parent, last) = walk.resolve(None, path)?;
        match last {
            None => Ok(parent),
            Some(name) => parent.open_subdir(&name).map_err(|e| {
                crate::files::fsutil::io_failure("open the folder", &parent.display(&name), &e)
            }),
        }
    }

    /// The folder's path as given and walked (for messages).
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `name` in this folder, for messages.
    #[must_use]
    pub fn display(&self, name: &OsStr) -> PathBuf {
        if self.path.as_os_str().is_empty() {
            PathBuf::from(name)
        } else {
            self.path.join(name)
        }
    }

    /// The path through which `name` in this folder is used: relative to
    /// the open descriptor on Linux, else the folder's path.
    fn at(&self, name: &OsStr) -> PathBuf {
        #[cfg(unix)]
        if proc_fd_available() {
            use std::os::fd::AsRawFd as _;
            return PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd())).join(name);
        }
        let base = if self.path.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.path
        };
        base.join(name)
    }

    /// Where the open folder really is, for comparing with a recorded path:
    /// the kernel's name for the descriptor, else the canonical path.
    ///
    /// # Errors
    /// The I/O error.
    pub fn real_path(&self) -> io::Result<PathBuf> {
        #[cfg(unix)]
        if proc_fd_available() {
            use std::os::fd::AsRawFd as _;
            return fs::read_link(format!("/proc/self/fd/{}", self.file.as_raw_fd()));
        }
        fs::canonicalize(if self.path.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.path
        })
    }

    /// Another handle on the same open folder.
    ///
    /// # Errors
    /// The I/O error of duplicating the descriptor.
    pub fn try_clone(&self) -> io::Result<Self> {
        Ok(Self {
            path: self.path.clone(),
            file: self.file.try_clone()?,
        })
    }

    /// The open folder's metadata.
    ///
    /// # Errors
    /// The I/O error.
    pub fn metadata(&self) -> io::Result<Metadata> {
        self.file.metadata()
    }

    /// The metadata of `name` itself (a link is not followed).
    ///
    /// # Errors
    /// The I/O error (`NotFound` when there is no such entry).
    pub fn entry_metadata(&self, name: &OsStr) -> io::Result<Metadata> {
        fs::symlink_metadata(self.at(name))
    }

    /// Opens the sub-folder `name`, which must not be a link.
    ///
    /// # Errors
    /// The I/O error; a link gives an error (`ELOOP` or `ENOTDIR`).
    pub fn open_subdir(&self, name: &OsStr) -> io::Result<Self> {
        Self::open_raw(&self.at(name), self.display(name))
    }

    /// Opens the regular file `name` for reading, without following a link
    /// and without blocking on a FIFO or device, and checks on the open
    /// descriptor that it is a regular file.
    ///
    /// # Errors
    /// The I/O error; `InvalidInput` for something that is not a regular
    /// file (its message says what it is).
    pub fn open_regular(&self, name: &OsStr) -> io::Result<(File, Metadata)> {
        let mut options = OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.custom_flags(flags::NOFOLLOW | flags::NONBLOCK);
        }
        let file = options.open(self.at(name))?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a regular file ({})", describe_type(&meta)),
            ));
        }
        Ok((file, meta))
    }

    /// Reads the regular file `name` (see [`Dir::open_regular`]), at most
    /// `max` bytes: `Ok(None)` when it holds more.
    ///
    /// # Errors
    /// The I/O error.
    pub fn read_regular(&self, name: &OsStr, max: u64) -> io::Result<Option<(Vec<u8>, Metadata)>> {
        let (file, meta) = self.open_regular(name)?;
        let mut bytes = Vec::new();
        file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
        let fits = u64::try_from(bytes.len()).unwrap_or(u64::MAX) <= max;
        Ok(fits.then_some((bytes, meta)))
    }

    /// Creates `name` exclusively (never through a link), for reading and
    /// writing, with mode 0600 from the start.
    ///
    /// # Errors
    /// The I/O error (`AlreadyExists` when the name is taken).
    pub fn create_new(&self, name: &OsStr) -> io::Result<File> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600).custom_flags(flags::NOFOLLOW);
        }
        options.open(self.at(name))
    }

    /// Creates the folder `name` with mode 0700 in one step (never a
    /// create-then-chmod window).
    ///
    /// # Errors
    /// The I/O error.
    pub fn create_dir_private(&self, name: &OsStr) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        builder.create(self.at(name))
    }

    /// Renames `from` to `to`, both in this folder (replacing `to`).
    ///
    /// # Errors
    /// The I/O error.
    pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        fs::rename(self.at(from), self.at(to))
    }

    /// Makes `to` a second name of `from`, both in this folder; fails if
    /// `to` exists.
    ///
    /// # Errors
    /// The I/O error.
    pub fn hard_link(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        fs::hard_link(self.at(from), self.at(to))
    }

    /// Removes the entry `name` (never what a link points to).
    ///
    /// # Errors
    /// The I/O error.
    pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
        fs::remove_file(self.at(name))
    }

    /// Removes the empty folder `name`.
    ///
    /// # Errors
    /// The I/O error.
    pub fn remove_dir(&self, name: &OsStr) -> io::Result<()> {
        fs::remove_dir(self.at(name))
    }

    /// The names in this folder.
    ///
    /// # Errors
    /// The I/O error.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        let listing = fs::read_dir(self.at(OsStr::new(".")))?;
        Ok(listing
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect())
    }

    /// Whether `name` in this folder still is the file `file` (same device
    /// and inode): checked just before a rename.
    #[must_use]
    pub fn still_is(&self, name: &OsStr, file: &File) -> bool {
        let (Ok(a), Ok(b)) = (self.entry_metadata(name), file.metadata()) else {
            return false;
        };
        same_file(&a, &b)
    }

    /// Syncs the folder so renames and new names in it are durable (best
    /// effort: not every system can sync a folder).
    pub fn sync(&self) {
        let _ = self.file.sync_all();
    }
}

/// Whether two metadata describe the same file.
#[must_use]
pub fn same_file(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// "a FIFO", "a folder", ... for messages.
#[must_use]
pub fn describe_type(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// A path confined to a folder: what an untrusted configuration names.
#[derive(Clone, Copy, Debug)]
pub struct Confine {
    /// The owner of the service folder, who must be able to write the
    /// folder that receives the file.
    pub owner_uid: u32,
    /// The group of the service folder.
    pub owner_gid: u32,
}

/// How to resolve a path.
#[derive(Clone, Copy, Debug)]
pub struct Walk {
    /// Stay inside the starting folder, and end in a folder its owner can
    /// write (for paths from a configuration another user can write).
    pub confine: Option<Confine>,
    /// Follow a (trustworthy) link in the last component.
    pub follow_last: bool,
}

impl Walk {
    /// Resolves `path` (relative to `start`, or the working folder when
    /// `start` is `None`; absolute paths from the root unless confined) to
    /// the open folder that holds its last component and that component's
    /// name (`None` when the path ends in `..` or names a root).
    ///
    /// # Errors
    /// Exit 8 when the path leaves the confinement or meets a link that is
    /// not trustworthy; else the I/O error (exit 4) naming the path.
    pub fn resolve(
        &self,
        start: Option<&Dir>,
        path: &Path,
    ) -> Result<(Dir, Option<OsString>), Failure> {
        let io = |e: io::Error, p: &Path| crate::files::fsutil::io_failure("use", p, &e).input();
        let mut dir = match start {
            Some(d) => d.try_clone().map_err(|e| io(e, d.path()))?,
            None if path.is_absolute() => Dir::root().map_err(|e| io(e, Path::new("/")))?,
            None => Dir::cwd().map_err(|e| io(e, Path::new(".")))?,
        };
        if self.confine.is_some() && path.is_absolute() {
            return Err(unsafe_failure(
                path,
                "an absolute path from a file another user can write",
            ));
        }
        // Components still to walk, the next one last.
        let mut todo: Vec<OsString> = Vec::new();
        push_components(&mut todo, path);
        let mut depth: usize = 0;
        let mut links = 0u32;
        while let Some(name) = todo.pop() {
            if name == "/" {
                // An absolute link target (confined walks refuse those).
                if self.confine.is_some() {
                    return Err(unsafe_failure(
                        path,
                        "a link on the way leaves the service folder",
                    ));
                }
                dir = Dir::root().map_err(|e| io(e, Path::new("/")))?;
                depth = 0;
                continue;
            }
            if name == ".." {
                if self.confine.is_some() && depth == 0 {
                    return Err(unsafe_failure(path, "it leads outside the service folder"));
                }
                depth = depth.saturating_sub(1);
                let up = dir
                    .open_subdir(OsStr::new(".."))
                    .map_err(|e| io(e, dir.path()))?;
                dir = up;
                continue;
            }
            let last = todo.is_empty();
            let meta = match dir.entry_metadata(&name) {
                Ok(m) => Some(m),
                Err(e) if last && e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(io(e, &dir.display(&name))),
            };
            if meta.as_ref().is_some_and(|m| m.file_type().is_symlink())
                && (!last || self.follow_last)
            {
                links += 1;
                if links > MAX_LINKS {
                    return Err(io(
                        io::Error::other("too many levels of symbolic links"),
                        path,
                    ));
                }
                let target = self.trusted_link(&dir, &name, meta.as_ref())?;
                push_components(&mut todo, &target);
                continue;
            }
            if last {
                self.check_confined_target(&dir, path)?;
                if links == 0 {
                    dir.path = as_given(start, path);
                }
                return Ok((dir, Some(name)));
            }
            dir = dir
                .open_subdir(&name)
                .map_err(|e| io(e, &dir.display(&name)))?;
            depth += 1;
        }
        Ok((dir, None))
    }

    /// Reads the link `name` in `dir` if it is trustworthy, else refuses.
    fn trusted_link(
        &self,
        dir: &Dir,
        name: &OsStr,
        meta: Option<&Metadata>,
    ) -> Result<PathBuf, Failure> {
        let shown = dir.display(name);
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            let dir_meta = dir
                .metadata()
                .map_err(|e| crate::files::fsutil::io_failure("use", dir.path(), &e).input())?;
            let link_uid = meta.map_or(u32::MAX, |m| m.uid());
            if !trusted_owner(link_uid) || !entry_protected(&dir_meta, link_uid) {
                return Err(unsafe_failure(
                    &shown,
                    format!(
                        "it is a symbolic link that another user could have made or changed (owned by {}, in a folder owned by {}{}); \
                         pfxgen follows links only when root or the user running it owns them, in folders nobody else can write",
                        meta.map_or_else(|| "?".to_owned(), owner_of),
                        owner_of(&dir_meta),
                        if dir_meta.mode() & 0o022 != 0 { " that others can write" } else { "" },
                    ),
                )
                .with_hint("name the file the link points to instead, if you trust it"));
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let target = fs::read_link(dir.at(name))
            .map_err(|e| crate::files::fsutil::io_failure("follow the link", &shown, &e).input())?;
        if self.confine.is_some() && target.is_absolute() {
            return Err(unsafe_failure(
                &shown,
                "a link to an absolute path, from a file another user can write",
            ));
        }
        Ok(target)
    }

    /// For a confined walk: the folder receiving the file must be one the
    /// service folder's owner can write (else the configuration would make
    /// pfxgen write where its author cannot).
    fn check_confined_target(&self, dir: &Dir, path: &Path) -> Result<(), Failure> {
        #[cfg(unix)]
        if let Some(c) = self.confine {
            use std::os::unix::fs::MetadataExt as _;
            let m = dir
                .metadata()
                .map_err(|e| crate::files::fsutil::io_failure("use", dir.path(), &e).input())?;
            let mode = m.mode();
            let can_write = (m.uid() == c.owner_uid && mode & 0o200 != 0)
                || (m.gid() == c.owner_gid && mode & 0o020 != 0)
                || mode & 0o002 != 0
                || c.owner_uid == 0;
            if !can_write {
                return Err(unsafe_failure(
                    path,
                    format!(
                        "it is in {}, which the owner of the service folder (uid {}) cannot write",
                        dir.path().display(),
                        c.owner_uid
                    ),
                ));
            }
        }
        #[cfg(not(unix))]
        let _ = (dir, path);
        Ok(())
    }
}

/// The folder of `path` as the caller spelled it (when no link was
/// followed, this is where the file is, and it reads best in messages).
fn as_given(start: Option<&Dir>, path: &Path) -> PathBuf {
    let parent = path.parent().unwrap_or_else(|| Path::new(""));
    match start {
        Some(s) if !path.is_absolute() && !parent.as_os_str().is_empty() => s.path.join(parent),
        Some(s) if !path.is_absolute() => s.path.clone(),
        _ => parent.to_path_buf(),
    }
}

/// Pushes the components of `path` onto `todo` so that the first is popped
/// first; a root becomes "/"; "." is dropped.
fn push_components(todo: &mut Vec<OsString>, path: &Path) {
    let mut parts: Vec<OsString> = Vec::new();
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) => {
                parts.clear();
                parts.push(OsString::from("/"));
            }
            Component::CurDir => {}
            Component::ParentDir => parts.push(OsString::from("..")),
            Component::Normal(n) => parts.push(n.to_os_string()),
        }
    }
    todo.extend(parts.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "pfxgen-safefs-{tag}-{}",
            pfxgen_x509::hex_lower(&pfxgen_keygen::random_bytes(6).unwrap())
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn resolves_through_own_links_and_dot_dot() {
        let base = tempdir("walk");
        fs::create_dir(base.join("a")).unwrap();
        fs::write(base.join("a/f"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("a", base.join("l")).unwrap();
        let walk = Walk {
            confine: None,
            follow_last: true,
        };
        let (dir, name) = walk.resolve(None, &base.join("a/../a/f")).unwrap();
        assert_eq!(name.as_deref(), Some(OsStr::new("f")));
        assert_eq!(
            dir.read_regular(OsStr::new("f"), 10).unwrap().unwrap().0,
            b"x"
        );
        #[cfg(unix)]
        {
            let (dir, name) = walk.resolve(None, &base.join("l/f")).unwrap();
            assert_eq!(
                dir.read_regular(&name.unwrap(), 10).unwrap().unwrap().0,
                b"x"
            );
        }
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn confined_walk_refuses_to_leave() {
        let base = tempdir("confine");
        fs::create_dir_all(base.join("svc/sub")).unwrap();
        let start = Dir::open(&base.join("svc")).unwrap();
        let walk = Walk {
            confine: Some(Confine {
                owner_uid: 0,
                owner_gid: 0,
            }),
            follow_last: true,
        };
        let e = walk
            .resolve(Some(&start), Path::new("../x.pfx"))
            .unwrap_err();
        assert_eq!(e.exit, Exit::Unsafe, "{}", e.message);
        let e = walk
            .resolve(Some(&start), Path::new("/etc/passwd"))
            .unwrap_err();
        assert_eq!(e.exit, Exit::Unsafe, "{}", e.message);
        assert!(
            walk.resolve(Some(&start), Path::new("sub/../x.pfx"))
                .is_ok()
        );
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let base = tempdir("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(base.join("p"))
            .status();
        if status.is_ok_and(|s| s.success()) {
            let dir = Dir::open(&base).unwrap();
            let e = dir.read_regular(OsStr::new("p"), 10).unwrap_err();
            assert!(e.to_string().contains("FIFO"), "{e}");
        }
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn create_new_never_follows_a_link() {
        let base = tempdir("create");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("victim"), base.join("l")).unwrap();
            let dir = Dir::open(&base).unwrap();
            assert!(dir.create_new(OsStr::new("l")).is_err());
            assert!(!base.join("victim").exists());
        }
        fs::remove_dir_all(base).unwrap();
    }
}
