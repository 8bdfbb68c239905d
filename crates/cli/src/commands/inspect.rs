//! `pfxgen inspect FILE`: everything about a PFX, with verdicts.

use std::ffi::OsString;

use pfxgen_core::inspect;
use pfxgen_x509::UtcTime;

use crate::{
    args::{self, ReadOne},
    error::Failure,
    loader, render,
};

/// Runs `pfxgen inspect`.
///
/// A file whose contents cannot be decrypted (an unsupported cipher or
/// scheme) is still reported from what is readable without decrypting;
/// the command then ends with the failure that stopped the decryption.
///
/// # Errors
/// Exit 3 (wrong password), 4 (unreadable or damaged file), 6 (unsupported).
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let help = crate::help::INSPECT;
    let Some(a) = args::parse_into(args, help, ReadOne::default(), ReadOne::take)? else {
        return Ok(());
    };
    let file = a.file("inspect")?;
    let (loaded, unreadable) = loader::load_readable(&file, &a.password, &a.limits)?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(crate::Exit::Internal, "the system clock is unusable"))?;
    let shown = file.display().to_string();
    // The reason, without the file name the failure starts with.
    let why = unreadable.as_ref().map(|f| {
        f.message
            .strip_prefix(&format!("{shown}: "))
            .unwrap_or(&f.message)
            .to_owned()
    });
    let report = inspect::build(&shown, &loaded, why.as_deref(), now);
    if a.json {
        outln!("{}", render::inspect::json(&report).pretty());
    } else {
        out!("{}", render::inspect::text(&report));
    }
    unreadable.map_or(Ok(()), Err)
}
