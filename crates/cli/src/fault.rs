//! Test-only failure injection.
//!
//! Compiled in only with the `fault-injection` cargo feature, which the
//! test suites enable and release builds do not. With it, the environment
//! variable `PFXGEN_FAULT` names steps at which to fail, e.g.
//! `PFXGEN_FAULT=write-temp=enospc` or `PFXGEN_FAULT=install=crash`:
//!
//! * `enospc`, `eacces`, `erofs`, `eio`: the step fails with that OS error;
//! * `crash`: the process aborts at that step (an interruption: no clean-up
//!   code runs).
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
            _ => 5,
        };
        return Err(io::Error::from_raw_os_error(errno));
    }
    Ok(())
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
