//! The command table, the man page and the shell completions agree with
//! the parsers and the `--help` texts: every option in the table is accepted
//! by its command (with a value exactly when the table says so), every
//! option a help text names is in the table, the man page carries every
//! line of every help text, and the bash completion, run in a real bash,
//! completes commands, options, choices, folders and variables.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{TempDir, pfxgen, run};
use pfxgen::table::{self as commands, COMMANDS, Value};
use pfxgen::{docgen, help};

/// The commands that have options (not `help` and `version`).
fn real_commands() -> impl Iterator<Item = &'static commands::Command> {
    COMMANDS.iter().filter(|c| c.help != help::TOP)
}

fn names(command: &commands::Command) -> BTreeSet<&'static str> {
    command
        .all_options()
        .flat_map(|o| o.names.iter().copied())
        .collect()
}

/// Every `--option` a text names.
fn named_options(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices("--") {
        let rest = text.get(i + 2..).unwrap_or_default();
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.starts_with(|c: char| c.is_ascii_lowercase()) {
            found.insert(format!("--{name}"));
        }
    }
    found
}

#[test]
fn every_table_option_is_accepted_by_its_parser() {
    let dir = TempDir::new("docgen-parse");
    for command in real_commands() {
        for option in command.all_options() {
            for name in option.names {
                if option.value == Value::None {
                    // A flag is taken, and the next word is not its value.
                    pfxgen(dir.path(), &[command.name, name, "--zz-unknown"], None)
                        .fails_with(2)
                        .stderr_contains("unknown option --zz-unknown");
                } else {
                    pfxgen(dir.path(), &[command.name, name], None)
                        .fails_with(2)
                        .stderr_contains("needs a value");
                }
            }
        }
    }
    dir.assert_empty("usage errors");
}

#[test]
fn every_option_a_help_text_names_is_in_the_table_and_back() {
    // `pfxgen help` names the password options and, in passing, audit's.
    let everywhere: BTreeSet<&str> = COMMANDS.iter().flat_map(names).collect();
    for name in named_options(help::TOP) {
        assert!(
            everywhere.contains(name.as_str()),
            "TOP names {name}, not in the table"
        );
    }
    for command in real_commands() {
        let table = names(command);
        for name in named_options(command.help) {
            assert!(
                name == "--help" || table.contains(name.as_str()),
                "{} --help names {name}, which the table lacks",
                command.name
            );
        }
        // Shared groups are documented once: passwords in `pfxgen help`,
        // certificate options in `generate --help`.
        let documented = format!("{}{}{}", command.help, help::TOP, help::GENERATE);
        let documented = named_options(&documented);
        for name in table.iter().filter(|n| n.starts_with("--")) {
            assert!(
                documented.contains(*name),
                "{}: {name} is in the table but no help text names it",
                command.name
            );
        }
    }
}

#[test]
fn help_topics_and_aliases_come_from_the_table() {
    let dir = TempDir::new("docgen-help");
    for command in real_commands() {
        let own = pfxgen(dir.path(), &[command.name, "--help"], None)
            .success()
            .stdout();
        assert_eq!(own, format!("{}\n{}", command.help, help::EXIT_CODES));
        for alias in command.aliases {
            assert_eq!(commands::find(alias).map(|c| c.name), Some(command.name));
            let topic = pfxgen(dir.path(), &["help", alias], None)
                .success()
                .stdout();
            assert_eq!(topic, own, "help {alias}");
        }
    }
}

#[test]
fn man_page_carries_every_line_of_every_help_text() {
    let dir = TempDir::new("docgen-man");
    let page = pfxgen(dir.path(), &["__man"], None).success().stdout();
    assert_eq!(page, docgen::man_page());
    assert!(page.starts_with(".\\\""), "no roff comment first");
    assert!(page.contains(".TH PFXGEN 1 "));
    let lines: BTreeSet<&str> = page.lines().collect();
    let texts = COMMANDS.iter().map(|c| c.help).chain([help::EXIT_CODES]);
    for text in texts {
        for line in text.lines().filter(|l| !l.is_empty()) {
            let body = line.strip_prefix("    ").unwrap_or(line);
            let want = docgen::escape(body);
            let heading = format!(".B \"{want}\"");
            assert!(
                lines.contains(want.as_str())
                    || lines.contains(heading.as_str())
                    || want == "EXIT STATUS",
                "the man page lacks the help line {line:?}"
            );
        }
    }
    for command in real_commands() {
        assert!(lines.contains(format!(".SS {}", command.name).as_str()));
    }
    // Nothing the roff parser would take as a request by accident.
    for line in page.lines() {
        if line.starts_with('.') {
            let request = line.get(1..3).unwrap_or_default();
            assert!(
                [
                    "\\\"", "TH", "SH", "SS", "B ", "I ", "RI", "PP", "RS", "RE", "nf", "fi", "TP",
                    "nh"
                ]
                .contains(&request),
                "unexpected roff request: {line}"
            );
        }
    }
}

#[test]
fn completions_exist_for_every_shell_and_name_every_option() {
    let dir = TempDir::new("docgen-shells");
    for shell in docgen::SHELLS {
        let script = pfxgen(dir.path(), &["__completions", shell], None)
            .success()
            .stdout();
        for command in COMMANDS {
            assert!(
                script.contains(command.name),
                "{shell}: no {}",
                command.name
            );
            for name in names(command) {
                let spelled = if *shell == "fish" {
                    match name.strip_prefix("--") {
                        Some(long) => format!("-l {long}"),
                        None => format!("-s {}", name.trim_start_matches('-')),
                    }
                } else {
                    name.to_owned()
                };
                assert!(
                    script.contains(&spelled),
                    "{shell}: {} lacks {name}",
                    command.name
                );
            }
        }
    }
    pfxgen(dir.path(), &["__completions", "tcsh"], None)
        .fails_with(2)
        .stderr_contains("the shells are bash, zsh, fish, powershell");
    pfxgen(dir.path(), &["__completions"], None).fails_with(2);
    pfxgen(dir.path(), &["__man", "extra"], None).fails_with(2);
}

/// Runs the bash completion function on `words` (the last one is being
/// completed) in `dir`, and returns what it offers.
fn bash_complete(dir: &Path, words: &[&str]) -> Vec<String> {
    let script = docgen::completions("bash").unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "{script}\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_pfxgen\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        quoted.join(" "),
        words.len() - 1
    );
    let out = run(
        Path::new("bash"),
        &["--norc", "-c", &program],
        &[("PFXGEN_COMPLETION_TEST", "1")],
        dir,
    )
    .success()
    .stdout();
    out.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completion_completes_commands_options_and_values() {
    let dir = TempDir::new("docgen-bash");
    std::fs::create_dir(dir.join("service-a")).unwrap();
    std::fs::write(dir.join("service.pfx"), b"x").unwrap();
    assert_eq!(
        bash_complete(dir.path(), &["pfxgen", "ge"]),
        ["generate", "gen"]
    );
    assert_eq!(
        bash_complete(dir.path(), &["pfxgen", "gen", "--alg"]),
        ["--algorithm"]
    );
    assert_eq!(
        bash_complete(
            dir.path(),
            &["pfxgen", "generate", "--algorithm", "ecdsa-p3"]
        ),
        ["ecdsa-p384"]
    );
    assert_eq!(
        bash_complete(dir.path(), &["pfxgen", "rotate", "--service-dir", "serv"]),
        ["service-a"],
        "--service-dir offers folders only"
    );
    let mut files = bash_complete(dir.path(), &["pfxgen", "verify", "--json", "serv"]);
    files.sort();
    assert_eq!(files, ["service-a", "service.pfx"]);
    assert_eq!(
        bash_complete(
            dir.path(),
            &["pfxgen", "jwks", "--password-env", "PFXGEN_COMPLETION_T"]
        ),
        ["PFXGEN_COMPLETION_TEST"]
    );
    assert!(bash_complete(dir.path(), &["pfxgen", "generate", "--days", ""]).is_empty());
    for command in real_commands() {
        let offered: BTreeSet<String> = bash_complete(dir.path(), &["pfxgen", command.name, "-"])
            .into_iter()
            .collect();
        let mut want: BTreeSet<String> = names(command).iter().map(|n| (*n).to_owned()).collect();
        want.extend(["--help".to_owned(), "-h".to_owned()]);
        assert_eq!(offered, want, "{}", command.name);
    }
    // The completion never runs pfxgen: nothing was written.
    assert_eq!(dir.entries().len(), 2);
}
