//! The `pfxgen` command. All logic lives in the library (`pfxgen::run`);
//! this file only turns its result into an exit status.

use std::process::ExitCode;

fn main() -> ExitCode {
    pfxgen::main_with_args(std::env::args_os().skip(1).collect())
}
