//! `pfxgen help` and `pfxgen version`: the commands about pfxgen itself.

use std::ffi::OsString;

use crate::{Exit, Failure, help, table};

/// Runs `pfxgen help [COMMAND]` (also `--help`, `-h`).
///
/// # Errors
/// A usage failure for a topic that is not a command.
pub fn help(args: Vec<OsString>) -> Result<Exit, Failure> {
    let topic = args.first().and_then(|a| a.to_str()).unwrap_or_default();
    match table::find(topic) {
        Some(c) => out!("{}\n{}", c.help, help::EXIT_CODES),
        None if matches!(topic, "" | "-h" | "--help") => {
            out!("{}\n{}", help::TOP, help::EXIT_CODES);
        }
        None => {
            return Err(Failure::usage(format!(
                "no help on {topic:?}: the commands are {}",
                table::command_names()
            )));
        }
    }
    Ok(Exit::Success)
}

/// Runs `pfxgen version` (also `--version`, `-V`).
///
/// # Errors
/// A usage failure for an argument other than `--help`/`-h`.
pub fn version(args: Vec<OsString>) -> Result<Exit, Failure> {
    match args.first().and_then(|a| a.to_str()) {
        None => {}
        Some("-h" | "--help") => {
            out!("{}\n{}", help::TOP, help::EXIT_CODES);
            return Ok(Exit::Success);
        }
        Some(_) => return Err(Failure::usage("version takes no arguments")),
    }
    outln!("pfxgen {}", env!("CARGO_PKG_VERSION"));
    Ok(Exit::Success)
}
