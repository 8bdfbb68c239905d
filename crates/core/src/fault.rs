//! Test-only failure injection.
//!
//! Compiled in only with the `fault-injection` cargo feature, which the
//! test suites enable and release builds do not. With it, the environment
//! variable `PFXGEN_FAULT` names steps at which to fail, e.g.
//! `PFXGEN_FAULT=write-temp=enospc` or `PFXGEN_FAULT=install=crash`:
//!
//! * `enospc`, `eacces`, `erofs`, `eio`: the step fails with that OS error;
//! * `crash`: the process aborts at that step (an interruption: no clean-up
//!   code runs);
//! * `pause`: the process creates `$PFXGEN_PAUSE_DIR/<step>.paused` and
//!   waits (at most a minute) until `$PFXGEN_PAUSE_DIR/<step>.resume`
//!   exists, then goes on. Attack tests use it to change the folder at
//!   an exact moment, deterministically, without sleeps.
//!
//! Without the feature, [`inject`] is an empty inline function.

use std::io;

/// Fails (or aborts) if `PFXGEN_FAULT` names `step`.
///
/// # Errors
/// The injected error.
#[cfg(feature = "fault-injection")]
pub fn inject(step: &str) -> io::Result<()> {
    let Ok(spec) = std::env::var("PFXGEN_FAULT") else {
        return Ok(());
    };
    for item in spec.split(',') {
        let (name, kind) = item.split_once('=').unwrap_or((item, "eio"));
        if name != step {
            continue;
        }
        let errno = match kind {
            "enospc" => 28,
            "eacces" => 13,
            "erofs" => 30,
            "crash" => std::process::abort(),
            "pause" => {
                pause(step);
                return Ok(());
            }
            _ => 5,
        };
        return Err(io::Error::from_raw_os_error(errno));
    }
    Ok(())
}

/// Waits at `step` until the test says to go on (see the module docs).
#[cfg(feature = "fault-injection")]
fn pause(step: &str) {
    let Some(dir) = std::env::var_os("PFXGEN_PAUSE_DIR").map(std::path::PathBuf::from) else {
        return;
    };
    let _ = std::fs::write(dir.join(format!("{step}.paused")), b"");
    let resume = dir.join(format!("{step}.resume"));
    for _ in 0..6000 {
        if resume.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Does nothing: failure injection is not compiled in.
///
/// # Errors
/// Never.
#[cfg(not(feature = "fault-injection"))]
#[inline]
pub fn inject(_step: &str) -> io::Result<()> {
    Ok(())
}
