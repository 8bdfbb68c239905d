//! The command table: every command, its aliases, its help text (from
//! [`crate::help`]), the function that runs it, whether it changes files,
//! and the options its parser accepts.
//!
//! The dispatcher ([`crate::run`]), `pfxgen help COMMAND`, the man page and
//! the shell completions are all driven by this one table (see
//! [`crate::docgen`]), so they cannot disagree with each other. The tests
//! in `tests/cli/docgen.rs` hold the table
//! to the parsers (every option here is accepted by its command, with or
//! without a value as declared) and to the help texts (every option a help
//! text names is here, and every option here is named in a help text).

use std::ffi::OsString;

use crate::{
    Exit, Failure, args, audit, commands::builtin, convert, csr, export, generate, help, inspect,
    jwks, pack, rotate, verify,
};

/// Runs a command on its arguments (the command name removed) and returns
/// its exit status.
pub type Runner = fn(Vec<OsString>) -> Result<Exit, Failure>;

/// What an option's value (or a command's operands) can be completed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// No value: a flag, or a command without operands.
    None,
    /// A file name.
    File,
    /// A folder name.
    Dir,
    /// A file or a folder name.
    Path,
    /// The name of an environment variable.
    EnvVar,
    /// Free text (a number, a name, a list): nothing to complete.
    Text,
    /// One of these words.
    Choice(&'static [&'static str]),
}

/// One option, under all the names the help text gives it.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// Its spellings, as typed (`--out`, `--output-path`, `-o`); the first is
    /// the main one.
    pub names: &'static [&'static str],
    /// What it takes.
    pub value: Value,
}

/// One command of the table.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// The name the help text uses.
    pub name: &'static str,
    /// Other names the dispatcher accepts.
    pub aliases: &'static [&'static str],
    /// One line for lists of commands (as in `pfxgen help`).
    pub summary: &'static str,
    /// The text `pfxgen COMMAND --help` prints (before the exit-status table).
    pub help: &'static str,
    /// The groups of options the command accepts (`--help`/`-h` are implied).
    pub options: &'static [&'static [Opt]],
    /// What its operands are.
    pub operands: Value,
    /// Runs it.
    pub run: Runner,
    /// Whether it writes files. A command that only reports fails with
    /// exit 5 when its output cannot be written; one that changed files
    /// reports success (it warns), since the change was made.
    pub changes_files: bool,
}

impl Command {
    /// Every option of the command, group after group.
    pub fn all_options(&self) -> impl Iterator<Item = &'static Opt> + '_ {
        self.options.iter().flat_map(|group| group.iter())
    }
}

const fn opt(names: &'static [&'static str], value: Value) -> Opt {
    Opt { names, value }
}

/// The algorithms `--algorithm` accepts, as the help text lists them.
pub const ALGORITHMS: &[&str] = &[
    "rsa-2048",
    "rsa-3072",
    "rsa-4096",
    "ecdsa-p256",
    "ecdsa-p384",
    "ecdsa-p521",
];

/// The password options of `generate`, `inspect`, `verify`, `rotate` and
/// `jwks` (the PASSWORDS section of `pfxgen help`).
pub const PASSWORD_OPTIONS: &[Opt] = &[
    opt(&["--password-file"], Value::File),
    opt(&["--password-env"], Value::EnvVar),
    opt(&["--password-stdin"], Value::None),
    opt(&["--no-password"], Value::None),
    opt(&["--pem-password", "--password"], Value::Text),
];

/// The options that describe a new certificate (`generate`, and `rotate`
/// without `--from`).
pub const CERTIFICATE_OPTIONS: &[Opt] = &[
    opt(&["--algorithm"], Value::Choice(ALGORITHMS)),
    opt(&["--days", "--valid-days"], Value::Text),
    opt(&["--subject"], Value::Text),
    opt(&["--san"], Value::Text),
    opt(&["--eku"], Value::Text),
    PROFILE,
    opt(&["--iterations"], Value::Text),
    opt(&["--friendly-name"], Value::Text),
    opt(&["--generate-password"], Value::File),
    opt(&["--allow-weak-password"], Value::None),
];

const JSON: &[Opt] = &[opt(&["--json"], Value::None)];

const GENERATE_OPTIONS: &[Opt] = &[
    opt(&["--out", "--output-path", "-o"], Value::Dir),
    opt(&["--name"], Value::Text),
    opt(&["--force"], Value::None),
];

const VERIFY_OPTIONS: &[Opt] = &[opt(&["--min-days"], Value::Text)];

const ROTATE_OPTIONS: &[Opt] = &[
    opt(&["--service-dir"], Value::Dir),
    opt(&["--from"], Value::File),
    opt(&["--install-path"], Value::Text),
    opt(&["--certificate"], Value::File),
    opt(&["--current-password-file"], Value::File),
    opt(&["--current-password-env"], Value::EnvVar),
    opt(&["--current-no-password"], Value::None),
    opt(&["--allow-missing-current"], Value::None),
    opt(&["--allow-unreadable-current"], Value::None),
    opt(&["--environment"], Value::Text),
    opt(&["--min-days"], Value::Text),
    opt(&["--dry-run"], Value::None),
];

const ROLLBACK_OPTIONS: &[Opt] = &[
    opt(&["--service-dir"], Value::Dir),
    opt(&["--dry-run"], Value::None),
];

const AUDIT_OPTIONS: &[Opt] = &[
    opt(&["--passwords"], Value::File),
    opt(&["--warn-days"], Value::Text),
];

const JWKS_OPTIONS: &[Opt] = &[
    opt(&["--thumbprints"], Value::None),
    opt(&["--passwords"], Value::File),
];
/// The work budget of one file (`inspect`, `verify`, `audit`, `jwks`).
const WORK_OPTIONS: &[Opt] = &[opt(&["--max-work"], Value::Text)];
/// The work budget of a run over many files (`audit`, `jwks`).
const RUN_WORK_OPTIONS: &[Opt] = &[opt(&["--max-run-work"], Value::Text)];

/// The password of a file that `convert` and `export --key` write.
const OUT_PASSWORD_OPTIONS: &[Opt] = &[
    opt(&["--out-password-file"], Value::File),
    opt(&["--out-password-env"], Value::EnvVar),
    opt(&["--out-generate-password"], Value::File),
    opt(&["--out-no-password"], Value::None),
    opt(&["--allow-weak-password"], Value::None),
];

const PROFILE: Opt = opt(
    &["--profile"],
    Value::Choice(&["modern", "compat", "legacy"]),
);

const CONVERT_OPTIONS: &[Opt] = &[
    opt(&["--out", "-o"], Value::File),
    PROFILE,
    opt(&["--iterations"], Value::Text),
    opt(&["--force"], Value::None),
];

const EXPORT_OPTIONS: &[Opt] = &[
    opt(&["--out", "-o"], Value::File),
    opt(&["--cert"], Value::None),
    opt(&["--chain"], Value::None),
    opt(&["--public-key"], Value::None),
    opt(&["--key"], Value::None),
    opt(&["--unencrypted-key"], Value::None),
    opt(&["--der"], Value::None),
    opt(&["--force"], Value::None),
];

const CSR_OPTIONS: &[Opt] = &[
    opt(&["--out", "-o"], Value::Dir),
    opt(&["--name"], Value::Text),
    opt(&["--algorithm"], Value::Choice(ALGORITHMS)),
    opt(&["--subject"], Value::Text),
    opt(&["--san"], Value::Text),
    opt(&["--eku"], Value::Text),
    opt(&["--generate-password"], Value::File),
    opt(&["--allow-weak-password"], Value::None),
    opt(&["--force"], Value::None),
];

const PACK_OPTIONS: &[Opt] = &[
    opt(&["--key"], Value::File),
    opt(&["--cert"], Value::File),
    opt(&["--chain"], Value::File),
    opt(&["--out", "-o"], Value::File),
    opt(&["--key-password-file"], Value::File),
    opt(&["--key-password-env"], Value::EnvVar),
    opt(&["--key-no-password"], Value::None),
    opt(&["--generate-password"], Value::File),
    opt(&["--allow-weak-password"], Value::None),
    PROFILE,
    opt(&["--iterations"], Value::Text),
    opt(&["--friendly-name"], Value::Text),
    opt(&["--force"], Value::None),
];

/// The names `help` takes as its operand: the commands' names, in table
/// order (a constant, for the completions; the test below holds it to the
/// table).
const TOPICS: &[&str] = &[
    "generate", "inspect", "verify", "rotate", "rollback", "audit", "jwks", "convert", "export",
    "csr", "pack",
];

/// Every command, in the order `pfxgen help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "generate",
        aliases: &["gen"],
        summary: "make a key, a self-signed certificate and the PFX",
        help: help::GENERATE,
        options: &[
            GENERATE_OPTIONS,
            CERTIFICATE_OPTIONS,
            PASSWORD_OPTIONS,
            JSON,
        ],
        operands: Value::None,
        run: |a| done(generate::run(args::powershell_spellings(a))),
        changes_files: true,
    },
    Command {
        name: "inspect",
        aliases: &["info"],
        summary: "show everything about a PFX (any producer), with verdicts",
        help: help::INSPECT,
        options: &[JSON, WORK_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::File,
        run: |a| done(inspect::run(a)),
        changes_files: false,
    },
    Command {
        name: "verify",
        aliases: &["check"],
        summary: "pass/fail check that the identity server can sign with a PFX",
        help: help::VERIFY,
        options: &[VERIFY_OPTIONS, JSON, WORK_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::File,
        run: |a| done(verify::run(a)),
        changes_files: false,
    },
    Command {
        name: "rotate",
        aliases: &[],
        summary: "install a new certificate in a service folder, with backup",
        help: help::ROTATE,
        options: &[ROTATE_OPTIONS, JSON, CERTIFICATE_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::None,
        run: |a| done(rotate::run_rotate(a)),
        changes_files: true,
    },
    Command {
        name: "rollback",
        aliases: &[],
        summary: "restore the previous certificate of a service folder",
        help: help::ROLLBACK,
        options: &[ROLLBACK_OPTIONS, JSON],
        operands: Value::None,
        run: |a| done(crate::commands::rollback::run(a)),
        changes_files: true,
    },
    Command {
        name: "audit",
        aliases: &[],
        summary: "find shared or expiring certificates across environments",
        help: help::AUDIT,
        options: &[AUDIT_OPTIONS, JSON, WORK_OPTIONS, RUN_WORK_OPTIONS],
        operands: Value::Path,
        run: audit::run,
        changes_files: false,
    },
    Command {
        name: "jwks",
        aliases: &[],
        summary: "print the JWKS the identity server publishes for certificates",
        help: help::JWKS,
        options: &[
            JWKS_OPTIONS,
            WORK_OPTIONS,
            RUN_WORK_OPTIONS,
            PASSWORD_OPTIONS,
        ],
        operands: Value::File,
        run: |a| done(jwks::run(a)),
        changes_files: false,
    },
    Command {
        name: "convert",
        aliases: &[],
        summary: "re-protect a PFX: new profile or password, fresh salts",
        help: help::CONVERT,
        options: &[CONVERT_OPTIONS, OUT_PASSWORD_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::File,
        run: |a| done(convert::run(a)),
        changes_files: true,
    },
    Command {
        name: "export",
        aliases: &[],
        summary: "write a PFX's certificate, chain, public key or key",
        help: help::EXPORT,
        options: &[EXPORT_OPTIONS, OUT_PASSWORD_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::File,
        run: |a| done(export::run(a)),
        changes_files: true,
    },
    Command {
        name: "csr",
        aliases: &[],
        summary: "make a key and a PKCS#10 request for a CA to sign",
        help: help::CSR,
        options: &[CSR_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::None,
        run: |a| done(csr::run(a)),
        changes_files: true,
    },
    Command {
        name: "pack",
        aliases: &[],
        summary: "join a key, its certificate and the CA chain into a PFX",
        help: help::PACK,
        options: &[PACK_OPTIONS, PASSWORD_OPTIONS],
        operands: Value::None,
        run: |a| done(pack::run(a)),
        changes_files: true,
    },
    Command {
        name: "help",
        aliases: &[],
        summary: "this text, or `pfxgen help <COMMAND>`",
        help: help::TOP,
        options: &[],
        operands: Value::Choice(TOPICS),
        run: builtin::help,
        changes_files: false,
    },
    Command {
        name: "version",
        aliases: &[],
        summary: "print the version",
        help: help::TOP,
        options: &[],
        operands: Value::None,
        run: builtin::version,
        changes_files: false,
    },
];

/// The command called `name` or one of its aliases.
#[must_use]
pub fn find(name: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

/// The names of the commands (not `help` and `version`), for messages.
#[must_use]
pub fn command_names() -> String {
    let names: Vec<&str> = COMMANDS
        .iter()
        .filter(|c| c.help != help::TOP)
        .map(|c| c.name)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// Commands that report success as `()` (the table's `run` closures).
fn done(result: Result<(), Failure>) -> Result<Exit, Failure> {
    result.map(|()| Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_topics_are_the_commands_of_the_table() {
        let names: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.help != help::TOP)
            .map(|c| c.name)
            .collect();
        assert_eq!(TOPICS, names.as_slice());
    }

    #[test]
    fn only_the_commands_that_write_files_say_so() {
        let writers: Vec<&str> = COMMANDS
            .iter()
            .filter(|c| c.changes_files)
            .map(|c| c.name)
            .collect();
        assert_eq!(
            writers,
            [
                "generate", "rotate", "rollback", "convert", "export", "csr", "pack"
            ]
        );
        assert_eq!(
            command_names(),
            "generate, inspect, verify, rotate, rollback, audit, jwks, convert, export, csr and \
             pack"
        );
    }
}
