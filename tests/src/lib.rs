//! What only the interop suite needs: the system's `openssl` command line,
//! run as a child process. Running `pfxgen`, scratch folders and snapshots
//! come from the shared test support (`pfxgen-test-support`), as in the
//! cli's own tests.
//!
//! Secrets are handed to child processes through environment variables
//! (`-passin env:VAR`, `--password-env VAR`), never in their arguments.

#![allow(clippy::expect_used, clippy::panic)]
#![forbid(unsafe_code)]

use std::{ffi::OsStr, path::Path, process::Command};

use pfxgen_test_support::{Run, TempDir, argv, run};

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

/// A scratch folder for a test that needs the `openssl` command line,
/// after [`require_openssl`] has checked that it works.
#[must_use]
pub fn openssl_scratch(tag: &str) -> TempDir {
    require_openssl();
    TempDir::new(tag)
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

/// Runs `openssl` in `dir` with `args`; the password (if any) is in
/// `PFXGEN_TEST_PW`.
pub fn openssl<S: AsRef<OsStr>>(dir: &Path, args: &[S], password: Option<&str>) -> Run {
    let envs: Vec<(&str, &str)> = password
        .map(|p| vec![("PFXGEN_TEST_PW", p)])
        .unwrap_or_default();
    run(Path::new("openssl"), args, &envs, dir)
}

/// Runs `openssl` in `dir` with the command line `line` (split as
/// [`argv`] splits it) and no password, and panics unless it succeeds.
#[track_caller]
pub fn openssl_ok(dir: &Path, line: &str) -> Run {
    openssl_ok_with(dir, line, None)
}

/// [`openssl_ok`] with the password (if any) in `PFXGEN_TEST_PW`, for
/// `-passin env:PFXGEN_TEST_PW` or `-passout env:PFXGEN_TEST_PW` in `line`.
#[track_caller]
pub fn openssl_ok_with(dir: &Path, line: &str, password: Option<&str>) -> Run {
    openssl(dir, &argv(line), password).success()
}

/// `openssl x509 -extfile` extensions of a CA certificate.
pub const CA_EXT: &str =
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";

/// `openssl x509 -extfile` extensions of an end-entity (signing) certificate.
pub const LEAF_EXT: &str =
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n";

/// Writes the files `parts` of `dir`, one after the other, to `out` in
/// `dir`: a PEM bundle of certificates, as `cat` makes it.
pub fn concat_files(dir: &Path, parts: &[&str], out: &str) {
    let mut all = Vec::new();
    for part in parts {
        let bytes = std::fs::read(dir.join(part)).unwrap_or_else(|e| panic!("reading {part}: {e}"));
        all.extend(bytes);
    }
    std::fs::write(dir.join(out), all).unwrap_or_else(|e| panic!("writing {out}: {e}"));
}

/// OpenSSL's SHA-1 fingerprint of the PEM certificate `cert` (in `dir`),
/// as upper-case hex without colons: the `kid` pfxgen must report.
#[must_use]
pub fn openssl_sha1_thumbprint(dir: &Path, cert: &str) -> String {
    let fp = openssl(
        dir,
        &["x509", "-in", cert, "-noout", "-fingerprint", "-sha1"],
        None,
    )
    .success()
    .stdout();
    fp.trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
}
