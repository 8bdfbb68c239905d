//! Running pfxgen under a pseudo-terminal (util-linux `script`), to test
//! its prompts: what it asks, that echo is off while it reads, and what it
//! does with what is typed. Linux only (it reads /proc).

use std::{
    io::{Read as _, Write as _},
    path::Path,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
};

use crate::pfxgen_bin;

/// Runs pfxgen under a pseudo-terminal (util-linux `script`) and types each
/// line of `typed` only once pfxgen waits for it: its prompt is on the
/// terminal and the terminal's echo is off (read with `stty` on the
/// pseudo-terminal). Typing earlier could be echoed or swallowed; waiting
/// for the state, not for a time, keeps the test exact on a loaded machine.
/// Returns the exit status and the transcript.
pub fn under_terminal(dir: &Path, command: &str, typed: &[&str]) -> (i32, String) {
    under_terminal_env(dir, command, &[], typed)
}

/// [`under_terminal`] with environment variables set for pfxgen.
pub fn under_terminal_env(
    dir: &Path,
    command: &str,
    envs: &[(&str, &str)],
    typed: &[&str],
) -> (i32, String) {
    let bin = pfxgen_bin();
    let mut child = Command::new("script")
        .args([
            "-qfec",
            &format!("{} {command}", bin.display()),
            "/dev/null",
        ])
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
