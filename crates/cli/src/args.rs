//! Argument parsing shared by every command: the `lexopt` loop with
//! `--help`/`-h` and the error for anything no option took ([`parse`]),
//! option values, and the value parsers several commands use.

use std::{ffi::OsString, path::PathBuf, str::FromStr};

use zeroize::Zeroizing;

use pfxgen_pkcs12::Profile;

use pfxgen_core::lifecycle::output::Files;

use crate::{
    error::Failure,
    password::{OutPasswordArgs, PasswordArgs},
};

/// Parses a command's arguments: `--help` or `-h` prints `help` and the
/// exit-status table and returns `Ok(false)` (the command does nothing
/// else); every other item is offered to `take`, which handles it (reading
/// its value from the parser) and returns whether it did; an item `take`
/// refuses is a usage error ("unknown option", with a suggestion).
///
/// # Errors
/// The first usage failure.
pub fn parse(
    args: Vec<OsString>,
    help: &str,
    mut take: impl FnMut(&Arg, &mut lexopt::Parser) -> Result<bool, Failure>,
) -> Result<bool, Failure> {
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = next(&mut parser)? {
        if arg.is_help() {
            out!("{help}\n{}", crate::help::EXIT_CODES);
            return Ok(false);
        }
        if !take(&arg, &mut parser)? {
            return Err(arg.unexpected());
        }
    }
    Ok(true)
}

/// [`parse`] into a command's option struct: `take` handles one item.
/// `Ok(None)` when `--help` was printed.
///
/// # Errors
/// The first usage failure.
pub fn parse_into<T>(
    args: Vec<OsString>,
    help: &str,
    mut options: T,
    mut take: impl FnMut(&mut T, &Arg, &mut lexopt::Parser) -> Result<bool, Failure>,
) -> Result<Option<T>, Failure> {
    let go_on = parse(args, help, |arg, parser| take(&mut options, arg, parser))?;
    Ok(go_on.then_some(options))
}

/// The options of a command that reads a PFX and writes a file from it
/// (`convert`, `export`): `IN`, its password options, `--out`, `--force`
/// and the output password options.
#[derive(Debug, Default)]
pub struct InOut {
    /// The input PFX.
    pub input: Option<PathBuf>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--force`.
    pub force: bool,
    /// The input's password options.
    pub password: PasswordArgs,
    /// The output's password options.
    pub out_password: OutPasswordArgs,
}

impl InOut {
    /// Handles one of these options; returns whether `arg` was one.
    ///
    /// # Errors
    /// A usage failure for a missing or bad value.
    pub fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.password.parse(arg, parser)?
            || self.out_password.parse(arg, parser)?
            || take_out(arg, parser, &mut self.out)?
        {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "force" => self.force = true,
            Arg::Value(v) if self.input.is_none() => self.input = Some(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The input and the output, or a usage failure: `no_input` or
    /// `no_out`.
    ///
    /// # Errors
    /// A usage failure.
    pub fn paths(&self, no_input: &str, no_out: &str) -> Result<(PathBuf, PathBuf), Failure> {
        let input = self.input.clone().ok_or_else(|| Failure::usage(no_input))?;
        let out = self.out.clone().ok_or_else(|| Failure::usage(no_out))?;
        Ok((input, out))
    }

    /// The request's files.
    #[must_use]
    pub fn files<'a>(&'a self, input: &'a std::path::Path, out: &'a std::path::Path) -> Files<'a> {
        Files {
            input,
            password: &self.password,
            out,
            force: self.force,
            out_password: &self.out_password,
            generated_password_file: self.out_password.generate.as_deref(),
        }
    }
}

/// The options of a command that reports on one PFX (`inspect`,
/// `verify`): `FILE`, `--json`, `--max-work N` and the password options.
#[derive(Debug, Default)]
pub struct ReadOne {
    /// The file.
    pub file: Option<PathBuf>,
    /// `--json`.
    pub json: bool,
    /// The limits, with `--max-work`.
    pub limits: pfxgen_pkcs12::Limits,
    /// The password options.
    pub password: PasswordArgs,
}

impl ReadOne {
    /// Handles one of these options; returns whether `arg` was one.
    ///
    /// # Errors
    /// A usage failure for a missing or bad value.
    pub fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.password.parse(arg, parser)? || take_max_work(arg, parser, &mut self.limits)? {
            return Ok(true);
        }
        match arg {
            Arg::Long(n) if n == "json" => self.json = true,
            Arg::Value(v) if self.file.is_none() => self.file = Some(PathBuf::from(v)),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The file, or the usage failure "`command` needs a FILE".
    ///
    /// # Errors
    /// A usage failure.
    pub fn file(&self, command: &str) -> Result<PathBuf, Failure> {
        self.file
            .clone()
            .ok_or_else(|| Failure::usage(format!("{command} needs a FILE")))
    }
}

/// Handles `--out FILE` / `-o FILE`, refusing it twice; returns whether
/// `arg` was it.
///
/// # Errors
/// A usage failure for a missing value or a second `--out`.
pub fn take_out(
    arg: &Arg,
    parser: &mut lexopt::Parser,
    slot: &mut Option<PathBuf>,
) -> Result<bool, Failure> {
    match arg {
        Arg::Long(n) if n == "out" => {}
        Arg::Short('o') => {}
        _ => return Ok(false),
    }
    set_once(slot, value_path(parser, "--out")?, "--out")?;
    Ok(true)
}

/// Handles `--max-work N` (the work budget of one file: `inspect`,
/// `verify`, `audit`, `jwks`); returns whether `arg` was it.
///
/// # Errors
/// A usage failure for a missing or bad value.
pub fn take_max_work(
    arg: &Arg,
    parser: &mut lexopt::Parser,
    limits: &mut pfxgen_pkcs12::Limits,
) -> Result<bool, Failure> {
    if !matches!(arg, Arg::Long(n) if n == "max-work") {
        return Ok(false);
    }
    let text = value_string(parser, "--max-work")?;
    limits.max_work = parse_work(&text, "--max-work")?;
    Ok(true)
}

/// Handles `--max-run-work N` (the work budget of a run over many files:
/// `audit`, `jwks`); returns whether `arg` was it.
///
/// # Errors
/// A usage failure for a missing or bad value.
pub fn take_max_run_work(
    arg: &Arg,
    parser: &mut lexopt::Parser,
    budget: &mut u64,
) -> Result<bool, Failure> {
    if !matches!(arg, Arg::Long(n) if n == "max-run-work") {
        return Ok(false);
    }
    let text = value_string(parser, "--max-run-work")?;
    *budget = parse_work(&text, "--max-run-work")?;
    Ok(true)
}

/// Sets `slot` to `value`, refusing a second one.
///
/// # Errors
/// A usage failure.
pub fn set_once(slot: &mut Option<PathBuf>, value: PathBuf, what: &str) -> Result<(), Failure> {
    if slot.replace(value).is_some() {
        return Err(Failure::usage(format!("{what} is given twice")));
    }
    Ok(())
}

/// Parses `--profile`.
///
/// # Errors
/// A usage failure.
pub fn parse_profile(parser: &mut lexopt::Parser) -> Result<Profile, Failure> {
    let text = value_string(parser, "--profile")?;
    Profile::from_name(text.trim()).ok_or_else(|| {
        Failure::usage(format!(
            "unknown profile {:?} (expected modern or compat)",
            text.as_str()
        ))
    })
}

/// Parses `--iterations`.
///
/// # Errors
/// A usage failure for a number outside the accepted range.
pub fn parse_iterations(parser: &mut lexopt::Parser) -> Result<u32, Failure> {
    let text = value_string(parser, "--iterations")?;
    let n: u32 = text.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "--iterations must be a whole number, not {:?}",
            text.as_str()
        ))
    })?;
    if !(pfxgen_pkcs12::MIN_ITERATIONS..=pfxgen_pkcs12::MAX_ITERATIONS).contains(&n) {
        return Err(Failure::usage(format!(
            "--iterations {n} is outside {}..={} (the upper bound is .NET's default per-derivation limit)",
            pfxgen_pkcs12::MIN_ITERATIONS,
            pfxgen_pkcs12::MAX_ITERATIONS
        )));
    }
    Ok(n)
}

/// Turns a lexopt error into a usage failure. lexopt's own messages quote
/// the value (`--password-stdin=S3cret` gives "unexpected argument for
/// option '--password-stdin': \"S3cret\""), and any value may be a
/// password: this names the option at most, never a value.
pub fn lexopt_failure(e: lexopt::Error) -> Failure {
    use lexopt::Error as E;
    const HIDDEN: &str = "not shown, in case it is a secret";
    Failure::usage(match e {
        E::MissingValue { option: Some(o) } => format!("{o} needs a value"),
        E::MissingValue { option: None } => "a value is missing".to_owned(),
        E::UnexpectedOption(o) => format!("unknown option {o}"),
        E::UnexpectedValue { option, .. } => {
            format!("{option} takes no value, but one was given with '=' ({HIDDEN})")
        }
        E::UnexpectedArgument(_) => format!("unexpected extra argument ({HIDDEN})"),
        E::NonUnicodeValue(_) => format!("an argument is not valid UTF-8 ({HIDDEN})"),
        E::ParsingFailed { .. } | E::Custom(_) => format!("invalid argument ({HIDDEN})"),
    })
}

/// The value of option `name` as UTF-8 (held in a zeroizing buffer, since
/// some values are passwords).
///
/// # Errors
/// A usage failure if the value is missing or not UTF-8.
pub fn value_string(parser: &mut lexopt::Parser, name: &str) -> Result<Zeroizing<String>, Failure> {
    let raw = parser
        .value()
        .map_err(|_| Failure::usage(format!("{name} needs a value")))?;
    os_string(raw, name)
}

/// An OS string argument as UTF-8.
///
/// # Errors
/// A usage failure if it is not UTF-8.
pub fn os_string(raw: OsString, name: &str) -> Result<Zeroizing<String>, Failure> {
    raw.into_string()
        .map(Zeroizing::new)
        .map_err(|_| Failure::usage(format!("the value of {name} is not valid UTF-8")))
}

/// The value of option `name` as a path.
///
/// # Errors
/// A usage failure if the value is missing or empty.
pub fn value_path(parser: &mut lexopt::Parser, name: &str) -> Result<PathBuf, Failure> {
    let raw = parser
        .value()
        .map_err(|_| Failure::usage(format!("{name} needs a value")))?;
    if raw.is_empty() {
        return Err(Failure::usage(format!("{name} needs a non-empty path")));
    }
    Ok(PathBuf::from(raw))
}

/// The value of option `name`, parsed.
///
/// # Errors
/// A usage failure naming the option and the problem.
pub fn value_parsed<T>(parser: &mut lexopt::Parser, name: &str) -> Result<T, Failure>
where
    T: FromStr,
    T::Err: core::fmt::Display,
{
    let text = value_string(parser, name)?;
    text.trim()
        .parse()
        .map_err(|e| Failure::usage(format!("invalid value {:?} for {name}: {e}", text.as_str())))
}

/// Parses a number of days: a positive integer within `max`.
///
/// # Errors
/// A usage failure for 0, negatives, non-numbers and values above `max`.
pub fn parse_days(text: &str, name: &str, max: u32) -> Result<u32, Failure> {
    let t = text.trim();
    let value: i64 = t
        .parse()
        .map_err(|_| Failure::usage(format!("{name} must be a whole number of days, not {t:?}")))?;
    if value < 1 {
        return Err(Failure::usage(format!(
            "{name} must be at least 1 day, not {value}"
        )));
    }
    if value > i64::from(max) {
        return Err(Failure::usage(format!(
            "{name} of {value} days is more than the {max}-day ({} years) maximum; rotate the certificate instead",
            max / 365
        )));
    }
    u32::try_from(value).map_err(|_| Failure::usage(format!("{name} is out of range")))
}

/// Default of `--max-run-work` (`audit`, `jwks`): 256 files at the
/// per-file default, a few CPU-minutes.
pub const DEFAULT_MAX_RUN_WORK: u64 = 256 * pfxgen_pkcs12::DEFAULT_MAX_WORK;

/// Parses a work budget (`--max-work`, `--max-run-work`): a whole number of
/// units (SHA-256 compressions), at least 1; `_` may group digits.
///
/// # Errors
/// A usage failure naming the option.
pub fn parse_work(text: &str, name: &str) -> Result<u64, Failure> {
    let digits: String = text.trim().chars().filter(|&c| c != '_').collect();
    match digits.parse::<u64>() {
        Ok(n) if n >= 1 && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(Failure::usage(format!(
            "{name} must be a whole number of work units (SHA-256 compressions) from 1 up, \
             not {:?}",
            text.trim()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work() {
        assert_eq!(parse_work("16_000_000", "--max-work").unwrap(), 16_000_000);
        assert_eq!(parse_work(" 1 ", "--max-work").unwrap(), 1);
        for bad in ["0", "-1", "+5", "1e9", "abc", "", "99999999999999999999999"] {
            assert!(parse_work(bad, "--max-work").is_err(), "{bad}");
        }
    }

    #[test]
    fn days() {
        assert_eq!(parse_days("365", "--days", 7305).unwrap(), 365);
        assert_eq!(parse_days(" 1 ", "--days", 7305).unwrap(), 1);
        for bad in ["0", "-1", "abc", "1.5", "7306", "99999999999999999999", ""] {
            assert!(parse_days(bad, "--days", 7305).is_err(), "{bad}");
        }
    }
}

/// A command-line item, detached from the parser so option handlers can
/// read values while matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// `--name` (or `--name=value`, whose value the parser then yields).
    Long(String),
    /// `-c`.
    Short(char),
    /// A positional value.
    Value(OsString),
}

impl Arg {
    /// Whether this is `--help` or `-h`.
    #[must_use]
    pub fn is_help(&self) -> bool {
        match self {
            Self::Long(name) => name == "help",
            Self::Short(c) => *c == 'h',
            Self::Value(_) => false,
        }
    }

    /// A usage failure saying this item was not expected here.
    #[must_use]
    pub fn unexpected(&self) -> Failure {
        match self {
            Self::Long(name) => match suggestion(name) {
                Some(known) => Failure::usage(format!("unknown option --{name}"))
                    .with_hint(format!("did you mean {known}?")),
                None => Failure::usage(format!("unknown option --{name}")),
            },
            Self::Short(c) => Failure::usage(format!("unknown option -{c}")),
            // Not echoed: a stray argument is often a password.
            Self::Value(_) => {
                Failure::usage("unexpected extra argument (not shown, in case it is a secret)")
            }
        }
    }
}

/// The option of the command table closest to `--name`: the same when
/// case and dashes are ignored (`--pemPassword`), or one or two typing
/// mistakes away (`--pasword-file`).
#[must_use]
pub fn suggestion(name: &str) -> Option<&'static str> {
    let squash = |s: &str| -> String {
        s.trim_start_matches('-')
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = squash(name);
    let mut best: Option<(usize, &'static str)> = None;
    for command in crate::table::COMMANDS {
        for opt in command.all_options() {
            for known in opt.names.iter().filter(|n| n.starts_with("--")) {
                let d = edit_distance(&wanted, &squash(known));
                if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, known));
                }
            }
        }
    }
    best.map(|(_, known)| known)
}

/// Levenshtein distance (short option names only: quadratic is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let value = (prev + usize::from(ca != *cb)).min(above + 1).min(left + 1);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The vendor's PowerShell parameter names, in PowerShell's spellings (one
/// dash, any case: `-pemPassword P -outputPath d -validDays 365`),
/// rewritten to pfxgen's options before parsing. Only whole arguments
/// before a `--` are rewritten.
#[must_use]
pub fn powershell_spellings(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut done = false;
    for arg in args {
        if done || arg == "--" {
            done = true;
            out.push(arg);
            continue;
        }
        let mapped = arg.to_str().and_then(|a| {
            let name = a.strip_prefix('-').filter(|n| !n.starts_with('-'))?;
            match name.to_ascii_lowercase().as_str() {
                "pempassword" => Some("--pem-password"),
                "outputpath" => Some("--output-path"),
                "validdays" => Some("--valid-days"),
                _ => None,
            }
        });
        out.push(mapped.map_or(arg, OsString::from));
    }
    out
}

/// The next item.
///
/// # Errors
/// A usage failure (e.g. a value given to a flag with `--flag=value`).
pub fn next(parser: &mut lexopt::Parser) -> Result<Option<Arg>, Failure> {
    Ok(match parser.next().map_err(lexopt_failure)? {
        None => None,
        Some(lexopt::Arg::Long(name)) => Some(Arg::Long(name.to_owned())),
        Some(lexopt::Arg::Short(c)) => Some(Arg::Short(c)),
        Some(lexopt::Arg::Value(v)) => Some(Arg::Value(v)),
    })
}
