//! Helpers for the interop suite: run the built `pfxgen` binary and the
//! system's `openssl` command line as child processes, and report failures
//! with the full command, status, stdout and stderr.
//!
//! Secrets are handed to child processes through environment variables
//! (`-passin env:VAR`, `--password-env VAR`), never in their arguments.

#![forbid(unsafe_code)]

use std::{
    ffi::OsStr,
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::atomic::{AtomicU64, Ordering},
};

/// The `pfxgen` binary built by `cargo test --workspace` (next to this test
/// executable's `deps/` folder).
///
/// # Panics
/// If it has not been built, with the command that builds it.
#[must_use]
pub fn pfxgen_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile> folder");
    let bin = profile_dir.join(format!("pfxgen{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run the suite with `cargo test --workspace` (which builds it), or `cargo build -p pfxgen` first",
        bin.display()
    );
    bin
}

/// Panics with an explanation unless the `openssl` command line works: the
/// suite must never pass silently without it.
pub fn require_openssl() {
    let out = Command::new("openssl").arg("version").output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "`openssl version` failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!(
            "the interop suite needs the `openssl` command line ({e}); install it (e.g. `apt-get install -y openssl`). \
             .ci/run installs it automatically."
        ),
    }
}

/// The OpenSSL version line, e.g. `OpenSSL 3.0.19 27 Jan 2026`.
#[must_use]
pub fn openssl_version() -> String {
    let out = Command::new("openssl")
        .arg("version")
        .output()
        .expect("openssl version");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A command and its result, printable on failure.
#[derive(Debug)]
pub struct Run {
    /// The command line (arguments only; secrets are never in them).
    pub command: String,
    /// Its output.
    pub output: Output,
}

impl Run {
    /// Standard output as text.
    #[must_use]
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error as text.
    #[must_use]
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The exit status code (-1 if killed by a signal).
    #[must_use]
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// Everything, for assertion messages.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }

    /// Panics unless the command succeeded.
    #[track_caller]
    pub fn success(self) -> Self {
        assert!(
            self.output.status.success(),
            "command failed\n{}",
            self.describe()
        );
        self
    }

    /// Panics unless the command failed with `code`.
    #[track_caller]
    pub fn fails_with(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit status\n{}",
            self.describe()
        );
        self
    }
}

/// Runs `program` with `args` and `envs`, in `dir`.
#[must_use]
pub fn run<I, S>(program: &Path, args: I, envs: &[(&str, &str)], dir: &Path) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let command = format!(
        "{} {}",
        program.display(),
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut cmd = Command::new(program);
    cmd.args(&args).current_dir(dir);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    Run { command, output }
}

/// Runs `openssl` with `args`; the password (if any) is in `PFXGEN_TEST_PW`.
#[must_use]
pub fn openssl<I, S>(args: I, password: Option<&str>, dir: &Path) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let envs: Vec<(&str, &str)> = password
        .map(|p| vec![("PFXGEN_TEST_PW", p)])
        .unwrap_or_default();
    run(Path::new("openssl"), args, &envs, dir)
}

/// OpenSSL's SHA-1 fingerprint of the PEM certificate `cert` (in `dir`),
/// as upper-case hex without colons: the `kid` pfxgen must report.
#[must_use]
pub fn openssl_sha1_thumbprint(cert: &str, dir: &Path) -> String {
    let fp = openssl(
        ["x509", "-in", cert, "-noout", "-fingerprint", "-sha1"],
        None,
        dir,
    )
    .success()
    .stdout();
    fp.trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
}

/// Runs `pfxgen` with `args`; the password (if any) is in `PFXGEN_TEST_PW`.
#[must_use]
pub fn pfxgen<I, S>(args: I, password: Option<&str>, dir: &Path) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let envs: Vec<(&str, &str)> = password
        .map(|p| vec![("PFXGEN_TEST_PW", p)])
        .unwrap_or_default();
    run(&pfxgen_bin(), args, &envs, dir)
}

/// A temporary folder removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty folder under the system temporary folder.
    #[must_use]
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("pfxgen-{tag}-{}-{nanos}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create temp dir");
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
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A snapshot of every file under a folder (relative path, bytes, Unix
/// mode), for byte-for-byte before/after comparisons.
#[must_use]
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, u32)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>, u32)>) {
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
