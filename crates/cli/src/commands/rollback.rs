//! `pfxgen rollback`: parses the flags, plans the rollback in
//! `pfxgen_core::service::rollback`, and renders the plan (dry run) or
//! carries it out and renders the outcome (`render::rollback`).

use std::ffi::OsString;

use pfxgen_core::service::rollback;

use crate::{
    args::{self, Arg, value_path},
    error::Failure,
    render,
};

/// Runs `pfxgen rollback`.
///
/// # Errors
/// Exit 4 when there is nothing to roll back or a backup is damaged, 5 when
/// it cannot be written, 7 when locked, 8 when the backup folder, manifest
/// or a backup is not the running user's own. The folder is unchanged on
/// error.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let mut service_dir = None;
    let mut dry_run = false;
    let mut json = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        match &arg {
            Arg::Long(n) if n == "service-dir" => {
                service_dir = Some(value_path(&mut parser, "--service-dir")?);
            }
            Arg::Long(n) if n == "dry-run" => dry_run = true,
            Arg::Long(n) if n == "json" => json = true,
            a if a.is_help() => {
                out!("{}\n{}", crate::help::ROLLBACK, crate::help::EXIT_CODES);
                return Ok(());
            }
            _ => return Err(arg.unexpected()),
        }
    }
    let dir = service_dir.ok_or_else(|| Failure::usage("rollback needs --service-dir DIR"))?;
    let prepared = rollback::plan(&dir, dry_run)?;
    if let Some(w) = &prepared.plan.lock_taken_over {
        eprintln!("warning: {w}");
    }
    if dry_run {
        render::rollback::plan(&prepared.plan, json);
        return Ok(());
    }
    let outcome = rollback::apply(prepared)?;
    render::rollback::outcome(&outcome, json);
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}
