//! Shared helpers for the CLI tests: run the real binary, show everything on
//! failure.

#![allow(dead_code, missing_docs)]

use std::{
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::atomic::{AtomicU64, Ordering},
};

pub const STRONG: &str = "Correct-Horse-Battery-9!";

pub struct Run {
    pub command: String,
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }
    #[track_caller]
    pub fn success(self) -> Self {
        assert!(
            self.output.status.success(),
            "command failed\n{}",
            self.describe()
        );
        self
    }
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
    #[track_caller]
    pub fn stderr_contains(self, needle: &str) -> Self {
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.describe()
        );
        self
    }
}

/// Runs pfxgen in `dir` with `envs` and optional stdin.
pub fn pfxgen_with(dir: &Path, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let bin = env!("CARGO_BIN_EXE_pfxgen");
    let command = format!("pfxgen {}", args.join(" "));
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(dir).env_remove("PFXGEN_FAULT");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn pfxgen");
    if let Some(input) = stdin {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().expect("wait");
    Run { command, output }
}

/// Runs pfxgen with the password in `PFXGEN_TEST_PW` (if any).
pub fn pfxgen(dir: &Path, args: &[&str], password: Option<&str>) -> Run {
    let envs: Vec<(&str, &str)> = password
        .map(|p| vec![("PFXGEN_TEST_PW", p)])
        .unwrap_or_default();
    pfxgen_with(dir, args, &envs, None)
}

pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p = std::env::temp_dir().join(format!(
            "pfxgen-cli-{tag}-{}-{nanos}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    /// Names of the entries in the folder, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
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

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Opens a PFX with the library and returns the opened contents.
pub fn open(path: &Path, password: &str) -> pfxgen_pkcs12::Opened {
    let bytes = std::fs::read(path).unwrap();
    let limits = pfxgen_pkcs12::Limits::default();
    pfxgen_pkcs12::Pfx::parse(&bytes, &limits)
        .unwrap()
        .open(&pfxgen_pkcs12::Password::from_str_copy(password), &limits)
        .unwrap()
}

/// Whether we run as root (permission tests are meaningless then).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Every file under `dir`: relative path, bytes and Unix mode, sorted.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, u32)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>, u32)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let meta = std::fs::symlink_metadata(&path).unwrap();
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
            #[cfg(not(unix))]
            let mode = 0;
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            if meta.is_dir() {
                out.push((rel, Vec::new(), mode));
                walk(base, &path, out);
            } else {
                out.push((rel, std::fs::read(&path).unwrap(), mode));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts two snapshots are identical, naming the first difference.
#[track_caller]
pub fn assert_same(
    before: &[(PathBuf, Vec<u8>, u32)],
    after: &[(PathBuf, Vec<u8>, u32)],
    context: &str,
) {
    let names = |s: &[(PathBuf, Vec<u8>, u32)]| {
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

/// Runs pfxgen under a pseudo-terminal (util-linux `script`) and types each
/// line of `typed` only once pfxgen waits for it: its prompt is on the
/// terminal and the terminal's echo is off (read with `stty` on the
/// pseudo-terminal). Typing earlier could be echoed or swallowed; waiting
/// for the state, not for a time, keeps the test exact on a loaded machine.
/// Returns the exit status and the transcript.
#[cfg(target_os = "linux")]
pub fn under_terminal(dir: &Path, command: &str, typed: &[&str]) -> (i32, String) {
    under_terminal_env(dir, command, &[], typed)
}

/// [`under_terminal`] with environment variables set for pfxgen.
#[cfg(target_os = "linux")]
pub fn under_terminal_env(
    dir: &Path,
    command: &str,
    envs: &[(&str, &str)],
    typed: &[&str],
) -> (i32, String) {
    use std::io::{Read as _, Write as _};
    use std::sync::{Arc, Mutex};
    let bin = env!("CARGO_BIN_EXE_pfxgen");
    let mut child = Command::new("script")
        .args(["-qfec", &format!("{bin} {command}"), "/dev/null"])
        .current_dir(dir)
        .env_remove("PFXGEN_FAULT")
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` is needed for the terminal tests");
    let transcript = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let transcript = Arc::clone(&transcript);
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                transcript.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let text = || String::from_utf8_lossy(&transcript.lock().unwrap()).into_owned();
    let mut stdin = child.stdin.take().unwrap();
    for (i, line) in typed.iter().enumerate() {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let t = text();
            let prompts =
                t.matches("Password for ").count() + t.matches("Repeat the password:").count();
            if prompts > i && terminal_echo_is_off(child.id()) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "pfxgen did not wait for input #{i} with echo off within 120 s:\n{t}"
            );
            // Polling interval, not a wait for the event itself.
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    (status.code().unwrap_or(-1), text())
}

/// Whether the pseudo-terminal that the processes under `script_pid` read
/// from has echo off (`stty -F /dev/pts/N` prints `-echo`).
#[cfg(target_os = "linux")]
pub fn terminal_echo_is_off(script_pid: u32) -> bool {
    // Descendants of `script`, from the parent ids in /proc/<pid>/stat.
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may hold spaces.
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    let descends = |mut pid: u32| {
        for _ in 0..16 {
            match parent_of(pid) {
                Some(p) if p == script_pid => return true,
                Some(p) if p > 1 => pid = p,
                _ => return false,
            }
        }
        false
    };
    let Some(pts) = pids.into_iter().filter(|p| descends(*p)).find_map(|p| {
        let target = std::fs::read_link(format!("/proc/{p}/fd/0")).ok()?;
        target.starts_with("/dev/pts/").then_some(target)
    }) else {
        return false;
    };
    let out = Command::new("stty")
        .arg("-F")
        .arg(&pts)
        .arg("-a")
        .output()
        .expect("stty (coreutils) is needed for the terminal tests");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .any(|setting| setting == "-echo")
}
