//! Scratch folders and before/after comparisons of what is in them.

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// One file or folder in a [`snapshot`]: path relative to the snapshot's
/// root, bytes (empty for a folder) and Unix mode (0 elsewhere).
pub type FileState = (PathBuf, Vec<u8>, u32);

/// A fresh folder under the system temporary folder, removed when dropped
/// (its own mode reset first, so a test may take away write permission).
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty folder whose name carries `tag`, the process id, the
    /// time and a counter, so parallel tests never share one.
    #[must_use]
    pub fn new(tag: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let name = format!("pfxgen-test-{tag}-{}-{nanos}-{n}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        Self(path)
    }

    /// Its path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside it.
    #[must_use]
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Names of the entries in the folder, sorted.
    #[must_use]
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read the scratch folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Panics unless the folder is empty, naming `what` (the step that
    /// should have left nothing) and what it holds.
    #[track_caller]
    pub fn assert_empty(&self, what: &str) {
        let entries = self.entries();
        assert!(entries.is_empty(), "{what}: left {entries:?}");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The permission bits of `path` (`mode & 0o777`).
#[cfg(unix)]
#[must_use]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    let meta =
        std::fs::metadata(path).unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()));
    meta.permissions().mode() & 0o777
}

/// Whether the tests run as root (permission tests mean nothing then).
#[must_use]
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Every file and folder under `dir`, sorted by path, with bytes and mode.
#[must_use]
pub fn snapshot(dir: &Path) -> Vec<FileState> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<FileState>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
            #[cfg(not(unix))]
            let mode = 0;
            let rel = path.strip_prefix(base).expect("prefix").to_path_buf();
            if meta.is_dir() {
                out.push((rel, Vec::new(), mode));
                walk(base, &path, out);
            } else {
                out.push((rel, std::fs::read(&path).expect("read"), mode));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts two snapshots are identical, naming the first difference.
#[track_caller]
pub fn assert_same(before: &[FileState], after: &[FileState], context: &str) {
    let names = |s: &[FileState]| {
        s.iter()
            .map(|(p, _, _)| p.display().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(before),
        names(after),
        "{context}: the set of files changed"
    );
    for ((p, a, ma), (_, b, mb)) in before.iter().zip(after) {
        assert!(a == b, "{context}: {} changed", p.display());
        assert_eq!(ma, mb, "{context}: mode of {} changed", p.display());
    }
}
