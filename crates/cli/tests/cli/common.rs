//! The shared test support (crates/test-support, package
//! `pfxgen-test-support`), under the name these modules import it by.

#[cfg(target_os = "linux")]
pub use pfxgen_test_support::terminal::{under_terminal, under_terminal_env};
pub use pfxgen_test_support::{
    Run, STRONG, TempDir, argv, assert_same, fixtures, is_root, mode, open, pfxgen, pfxgen_bin,
    pfxgen_with, run, snapshot,
};

/// Runs `pfxgen rotate --service-dir svc OPTIONS --password-env
/// PFXGEN_TEST_PW --current-password-env CURRENT_PW EXTRA` in `work`, with
/// `envs` (which give those two variables their passwords).
pub fn rotate_svc(
    work: &std::path::Path,
    options: &str,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> Run {
    let line = format!(
        "rotate --service-dir svc {options} --password-env PFXGEN_TEST_PW \
        --current-password-env CURRENT_PW"
    );
    let mut args = argv(&line);
    args.extend_from_slice(extra);
    pfxgen_with(work, &args, envs, None)
}

/// Runs `pfxgen generate --algorithm ecdsa-p256 OPTIONS` in `dir`, which
/// must succeed; the password, if any, is in `PFXGEN_TEST_PW`.
pub fn generate_p256(dir: &std::path::Path, options: &str, password: Option<&str>) {
    let line = format!("generate --algorithm ecdsa-p256 {options}");
    pfxgen(dir, &argv(&line), password).success();
}

/// Runs `line` in `dir` under a terminal, answering its new-password
/// prompt with a mismatched confirmation, then a weak password twice, then
/// `password` twice: it must say why it asks again, on tries 2 and 3 of 3,
/// never echo, and succeed.
#[cfg(target_os = "linux")]
pub fn asks_again_at_the_prompt(dir: &std::path::Path, line: &str, password: &str) {
    let answers = [
        password,
        "Different-Pass-9!",
        "abc",
        "abc",
        password,
        password,
    ];
    let (code, transcript) = under_terminal(dir, line, &answers);
    assert_eq!(code, 0, "{transcript}");
    for said in [
        "the two passwords differ",
        "(try 2 of 3)",
        "the password is too weak",
        "(try 3 of 3)",
    ] {
        assert!(transcript.contains(said), "{said:?} missing:\n{transcript}");
    }
    assert!(!transcript.contains(password), "echoed:\n{transcript}");
}

/// The support crate finds the binary next to the test executable; cargo
/// tells the cli's own tests where it is: they must be the same file, or
/// the suite would drive a stale binary.
#[test]
fn the_support_crate_drives_the_binary_cargo_built() {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).expect("canonicalize");
    assert_eq!(
        canonical(&pfxgen_bin()),
        canonical(std::path::Path::new(env!("CARGO_BIN_EXE_pfxgen")))
    );
}

/// A running pfxgen that stays alive until dropped (it waits for a
/// password on standard input): the holder of a live lock.
pub struct LivePfxgen {
    child: std::process::Child,
    _dir: TempDir,
}

impl LivePfxgen {
    pub fn start() -> Self {
        let dir = TempDir::new("live-pfxgen");
        let child = std::process::Command::new(pfxgen_bin())
            .args(["generate", "--password-stdin", "--out", "."])
            .current_dir(dir.path())
            .env_remove("PFXGEN_FAULT")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn pfxgen");
        // The kernel names the process after the exec that `spawn` waits
        // for: wait until the name shows, so a lock check sees a pfxgen.
        let comm = format!("/proc/{}/comm", child.id());
        let named = (0..1_000_000).any(|_| {
            std::thread::yield_now();
            std::fs::read_to_string(&comm).is_ok_and(|c| c.trim() == "pfxgen")
        });
        assert!(named, "the pfxgen holding the lock never showed its name");
        Self { child, _dir: dir }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// A lock file naming this process on this machine.
    pub fn lock_text(&self) -> String {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap_or_default()
            .trim()
            .to_owned();
        format!("pid {}\nhost {host}\nsince now\n", self.id())
    }
}

impl Drop for LivePfxgen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
