//! The rotation lock `DIR/.pfxgen.lock`: one operation per service folder.
//!
//! The lock file is created exclusively, never through a link, and holds
//! `pid N`, `host NAME` and `since TIME`. A lock nobody holds any more is
//! taken over: one left empty for over a minute (a run that crashed while
//! taking it), or one of this machine naming a process that no longer runs
//! or that is no longer a pfxgen (its process id was reused).

use std::{
    ffi::OsStr,
    fs,
    io::Write as _,
    path::{Path, PathBuf},
};

use pfxgen_x509::UtcTime;

use crate::{
    error::{Exit, Failure},
    fault,
    files::{
        fsutil::io_failure,
        safefs::{Dir, same_file},
    },
};

/// The lock file, inside the service folder.
pub const LOCK_FILE: &str = ".pfxgen.lock";

fn lock_name() -> &'static OsStr {
    OsStr::new(LOCK_FILE)
}

/// The rotation lock; removed when dropped (if it is still ours).
#[derive(Debug)]
pub struct Lock {
    dir: Dir,
    file: fs::File,
    taken_over: Option<String>,
}

impl Lock {
    /// When a stale lock was taken over to get this one: what was said
    /// about it ("taking over the lock DIR/.pfxgen.lock, of process 12,
    /// which no longer runs"), for a warning.
    #[must_use]
    pub fn taken_over(&self) -> Option<&str> {
        self.taken_over.as_deref()
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if self.dir.still_is(lock_name(), &self.file) {
            let _ = self.dir.remove_file(lock_name());
        }
    }
}

/// This machine's name, for lock files (best effort).
#[must_use]
pub fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// What runs under a process id, as far as this machine tells.
#[derive(Debug, PartialEq, Eq)]
enum Process {
    /// Nothing: the process ended.
    Gone,
    /// A pfxgen (or something that cannot be told apart from one).
    Pfxgen,
    /// Another program (the process id was reused): its name.
    Other(String),
    /// This system cannot tell.
    Unknown,
}

/// Looks `pid` up in `/proc`: its `comm` and the file name of its
/// `argv[0]` tell whether it is a pfxgen.
fn process(pid: u32) -> Process {
    if !cfg!(target_os = "linux") {
        return Process::Unknown;
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !proc_dir.exists() {
        return Process::Gone;
    }
    let Ok(comm) = fs::read_to_string(proc_dir.join("comm")) else {
        return Process::Unknown;
    };
    let comm = comm.trim().to_owned();
    let argv0 = fs::read(proc_dir.join("cmdline")).unwrap_or_default();
    let argv0 = argv0.split(|b| *b == 0).next().unwrap_or_default();
    let argv0 = Path::new(OsStr::new(&*String::from_utf8_lossy(argv0)))
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if comm.contains("pfxgen") || argv0.contains("pfxgen") {
        Process::Pfxgen
    } else if comm.is_empty() {
        Process::Unknown
    } else {
        Process::Other(comm)
    }
}

/// A lock file as read: its text and the file it was read from.
struct HeldLock {
    text: String,
    meta: fs::Metadata,
}

impl HeldLock {
    fn line(&self, key: &str) -> Option<&str> {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
    }
}

/// Reads the lock in `dir` (never through a link; a FIFO or anything but a
/// regular file reads as an empty lock that nobody can judge stale).
fn read_lock(dir: &Dir) -> Option<HeldLock> {
    let (bytes, meta) = dir.read_regular(lock_name(), 4096).ok()??;
    Some(HeldLock {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        meta,
    })
}

/// Why `held` is a lock nobody holds any more: empty and older than a
/// minute (a crash between creating and writing it), or naming a process
/// of this machine that no longer runs or is no longer a pfxgen. `None`:
/// it is held (or cannot be judged).
fn lock_is_stale(held: &HeldLock) -> Option<String> {
    let pid = held.line("pid ").and_then(|p| p.parse::<u32>().ok());
    // Only a lock of this machine can be judged stale: a pid from another
    // host (a shared folder) says nothing here.
    let same_host = held.line("host ").is_some_and(|h| h == host_name());
    match pid {
        None if held
            .meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60)) =>
        {
            Some("left empty by a run that crashed".to_owned())
        }
        Some(pid) if same_host => match process(pid) {
            Process::Gone => Some(format!("of process {pid}, which no longer runs")),
            Process::Other(name) => Some(format!(
                "of process {pid}, which is now {name:?}, not a pfxgen (its process id was \
                 reused after the run that held the lock ended)"
            )),
            Process::Pfxgen | Process::Unknown => None,
        },
        _ => None,
    }
}

/// The refusal for a lock another run holds (exit 7), naming what the lock
/// file says.
fn held_failure(dir: &Dir, text: &str) -> Failure {
    let who = text.replace('\n', ", ");
    let who = who.trim().trim_end_matches(',').trim();
    let message = if who.is_empty() {
        format!(
            "{} is being changed by another pfxgen (its lock file is empty)",
            dir.path().display()
        )
    } else {
        format!(
            "{} is being changed by another pfxgen ({who})",
            dir.path().display()
        )
    };
    Failure::new(Exit::Locked, message).with_hint(format!(
        "wait for it to finish; if no pfxgen is running, delete {}",
        dir.display(lock_name()).display()
    ))
}

/// Checks, without taking it, that the lock of `dir` is free (or stale):
/// what a dry run checks so that it exits as the real run would.
///
/// # Errors
/// Exit 7 when another run holds it.
pub fn check_free(dir: &Dir) -> Result<(), Failure> {
    match read_lock(dir) {
        Some(held) if lock_is_stale(&held).is_none() => Err(held_failure(dir, &held.text)),
        _ => Ok(()),
    }
}

/// Takes the lock on the open service folder `dir`, or explains who holds
/// it (exit 7). A stale lock is taken over ([`Lock::taken_over`] says so).
///
/// # Errors
/// Exit 7 when held by a running pfxgen; exit 5 when it cannot be created.
pub fn acquire(dir: &Dir) -> Result<Lock, Failure> {
    let name = lock_name();
    let path = dir.display(name);
    let mut taken_over = None;
    for _attempt in 0..2 {
        fault::inject("lock").map_err(|e| io_failure("create the lock file", &path, &e))?;
        match dir.create_new(name) {
            Ok(mut f) => {
                let now = UtcTime::now().map(|t| t.to_string()).unwrap_or_default();
                let _ = writeln!(
                    f,
                    "pid {}\nhost {}\nsince {now}",
                    std::process::id(),
                    host_name()
                );
                let _ = f.sync_all();
                return Ok(Lock {
                    dir: dir
                        .try_clone()
                        .map_err(|e| io_failure("use the folder", dir.path(), &e))?,
                    file: f,
                    taken_over,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let held = read_lock(dir);
                if let Some(why) = held.as_ref().and_then(lock_is_stale) {
                    // Re-check just before removing: a lock another process
                    // took over meanwhile (another file, or new text) stays.
                    let again = read_lock(dir);
                    let unchanged = held
                        .as_ref()
                        .zip(again.as_ref())
                        .is_some_and(|(a, b)| a.text == b.text && same_file(&a.meta, &b.meta));
                    if unchanged {
                        taken_over =
                            Some(format!("taking over the lock {}, {why}", path.display()));
                        let _ = dir.remove_file(name);
                        continue;
                    }
                }
                return Err(held_failure(dir, &held.map(|h| h.text).unwrap_or_default()));
            }
            Err(e) => return Err(io_failure("create the lock file", &path, &e)),
        }
    }
    Err(Failure::new(
        Exit::Locked,
        format!("cannot take the lock {}", path.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn a_live_process_of_another_program_and_a_dead_one_are_told_apart() {
        // `cat` waits on its open standard input: alive, and not a pfxgen.
        let mut cat = std::process::Command::new("cat")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The kernel names the process after the exec that `spawn` waits
        // for: wait until the name shows.
        let comm = format!("/proc/{}/comm", cat.id());
        let named = (0..1_000_000).any(|_| {
            std::thread::yield_now();
            fs::read_to_string(&comm).is_ok_and(|c| c.trim() == "cat")
        });
        assert!(named, "cat never showed its name");
        assert_eq!(process(cat.id()), Process::Other("cat".to_owned()));
        cat.kill().unwrap();
        cat.wait().unwrap();
        // Process ids wrap below 2^22 on Linux.
        assert_eq!(process(u32::MAX - 1), Process::Gone);
    }
}
