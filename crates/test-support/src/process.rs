//! Running a program and keeping everything it said.

use std::{
    ffi::OsStr,
    io::Write as _,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

/// A finished command and its output, printable whole on failure.
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

    /// Panics unless the command exited with `code`.
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

    /// Panics unless standard error contains `needle` (consumes the run, for
    /// a chain after [`Run::success`] or [`Run::fails_with`]).
    #[track_caller]
    pub fn stderr_contains(self, needle: &str) -> Self {
        self.stderr_has(needle);
        self
    }

    /// Panics unless standard output contains `needle`.
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        self.expect(Stream::Stdout, needle, true)
    }

    /// Panics if standard output contains `needle`.
    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Self {
        self.expect(Stream::Stdout, needle, false)
    }

    /// Panics unless standard output contains `needle` exactly `times`
    /// times.
    #[track_caller]
    pub fn stdout_has_times(&self, needle: &str, times: usize) -> &Self {
        let found = self.stdout().matches(needle).count();
        assert_eq!(
            found,
            times,
            "stdout has {needle:?} {found} times, not {times}\n{}",
            self.describe()
        );
        self
    }

    /// Panics unless standard error contains `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        self.expect(Stream::Stderr, needle, true)
    }

    /// Panics if standard error contains `needle`.
    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Self {
        self.expect(Stream::Stderr, needle, false)
    }

    #[track_caller]
    fn expect(&self, stream: Stream, needle: &str, present: bool) -> &Self {
        let (name, text) = match stream {
            Stream::Stdout => ("stdout", self.stdout()),
            Stream::Stderr => ("stderr", self.stderr()),
        };
        let verb = if present { "lacks" } else { "has" };
        assert!(
            text.contains(needle) == present,
            "{name} {verb} {needle:?}\n{}",
            self.describe()
        );
        self
    }
}

/// Which output of a [`Run`] an expectation reads.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Runs `program` with `args` and `envs` in `dir`, stdin empty.
pub fn run<S: AsRef<OsStr>>(program: &Path, args: &[S], envs: &[(&str, &str)], dir: &Path) -> Run {
    run_with(program, args, envs, dir, None)
}

/// [`run`] with `stdin` written to the program's standard input. The
/// fault-injection variable `PFXGEN_FAULT` reaches the program only when
/// `envs` sets it, never from the test's own environment.
pub fn run_with<S: AsRef<OsStr>>(
    program: &Path,
    args: &[S],
    envs: &[(&str, &str)],
    dir: &Path,
    stdin: Option<&str>,
) -> Run {
    let args: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    let name = program.file_name().unwrap_or(program.as_os_str());
    let command = std::iter::once(name)
        .chain(args.iter().copied())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new(program);
    cmd.args(&args).current_dir(dir).env_remove("PFXGEN_FAULT");
    cmd.envs(envs.iter().copied());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("cannot write to the stdin of {command}: {e}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot wait for {command}: {e}"));
    Run { command, output }
}

/// The `pfxgen` binary that cargo built for this test run: in the
/// `target/<profile>` folder above this test executable's `deps/` folder
/// (where `CARGO_BIN_EXE_pfxgen` points in the cli's own tests).
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

/// Runs pfxgen in `dir` with `envs` and optional stdin.
pub fn pfxgen_with<S: AsRef<OsStr>>(
    dir: &Path,
    args: &[S],
    envs: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    run_with(&pfxgen_bin(), args, envs, dir, stdin)
}

/// Runs pfxgen in `dir`; the password (if any) is in `PFXGEN_TEST_PW`.
pub fn pfxgen<S: AsRef<OsStr>>(dir: &Path, args: &[S], password: Option<&str>) -> Run {
    let envs: Vec<(&str, &str)> = password
        .map(|p| vec![("PFXGEN_TEST_PW", p)])
        .unwrap_or_default();
    pfxgen_with(dir, args, &envs, None)
}
