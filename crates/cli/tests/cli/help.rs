//! Every command answers `--help` and `-h` with its own usage text and the
//! exit-status table, and changes nothing while doing so.

use crate::common::{TempDir, pfxgen};

const COMMANDS: [&str; 11] = [
    "generate", "inspect", "verify", "rotate", "rollback", "jwks", "audit", "convert", "export",
    "csr", "pack",
];

#[test]
fn every_command_answers_both_help_flags() {
    let dir = TempDir::new("help");
    for command in COMMANDS {
        for flag in ["--help", "-h"] {
            let run = pfxgen(dir.path(), &[command, flag], None).success();
            let text = run.stdout();
            assert!(
                text.contains(&format!("pfxgen {command}")),
                "{command} {flag} does not show its own usage\n{}",
                run.describe()
            );
            for line in text.lines() {
                assert!(
                    line.chars().count() <= 90,
                    "{command} {flag}: a line too long for a terminal: {line}"
                );
            }
            assert!(
                text.contains("EXIT STATUS"),
                "{command} {flag} lacks the exit-status table\n{}",
                run.describe()
            );
        }
        let topic = pfxgen(dir.path(), &["help", command], None).success();
        assert!(topic.stdout().contains(&format!("pfxgen {command}")));
    }
    pfxgen(dir.path(), &["version", "extra"], None).fails_with(2);
    for args in [
        &["help", "-h"][..],
        &["help", "help"],
        &["help", "version"],
        &["version", "-h"],
    ] {
        pfxgen(dir.path(), args, None).success();
    }
    assert!(
        pfxgen(dir.path(), &["--version"], None)
            .success()
            .stdout()
            .starts_with("pfxgen ")
    );
    pfxgen(dir.path(), &["help", "bogus"], None)
        .fails_with(2)
        .stderr_contains("no help on");
    dir.assert_empty("help");
}

#[test]
fn an_unknown_option_is_a_usage_error() {
    let dir = TempDir::new("help-unknown");
    for command in COMMANDS {
        pfxgen(dir.path(), &[command, "--no-such-option"], None)
            .fails_with(2)
            .stderr_contains("unknown option --no-such-option");
    }
}

/// Whether the table gives `command` the shared password options.
fn takes_passwords(command: &pfxgen::table::Command) -> bool {
    let names = |group: &[pfxgen::table::Opt]| -> Vec<&str> {
        group.iter().flat_map(|o| o.names.iter().copied()).collect()
    };
    let shared = names(pfxgen::table::PASSWORD_OPTIONS);
    command.options.iter().any(|group| names(group) == shared)
}

#[test]
fn every_command_with_password_options_lists_them_in_its_help() {
    // Issue 13: "[password options]" alone sent the operator elsewhere.
    let dir = TempDir::new("help-passwords");
    let shared: Vec<&str> = pfxgen::table::PASSWORD_OPTIONS
        .iter()
        .flat_map(|o| o.names.iter().copied())
        .collect();
    let mut checked = 0;
    for command in pfxgen::table::COMMANDS {
        if !takes_passwords(command) {
            continue;
        }
        checked += 1;
        let text = pfxgen(dir.path(), &[command.name, "--help"], None)
            .success()
            .stdout();
        assert!(
            text.contains("PASSWORD OPTIONS"),
            "{} --help has no PASSWORD OPTIONS section",
            command.name
        );
        for name in &shared {
            assert!(
                text.contains(name),
                "{} --help does not name {name}",
                command.name
            );
        }
    }
    assert!(
        checked >= 9,
        "only {checked} commands take password options"
    );
}

#[test]
fn help_states_the_policys_own_minimum_length() {
    let dir = TempDir::new("help-policy");
    let stated = format!("at least {} characters", pfxgen::policy::MIN_LENGTH);
    let text = pfxgen(dir.path(), &["help", "generate"], None)
        .success()
        .stdout();
    assert!(text.contains(&stated), "{text}");
}

#[test]
fn the_global_help_says_which_commands_ask_for_a_password() {
    // Issue 13: it claimed every command prompts; jwks did not.
    let dir = TempDir::new("help-prompts");
    let text = pfxgen(dir.path(), &["help"], None).success().stdout();
    let start = text.find("PASSWORDS").expect("a PASSWORDS section");
    let section = &text[start..];
    let header = section.lines().take(2).collect::<Vec<_>>().join(" ");
    let paragraph: String = section
        .lines()
        .skip(2)
        .take_while(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!paragraph.contains("pfxgen asks at the terminal (without echo). Otherwise"));
    for command in pfxgen::table::COMMANDS {
        if takes_passwords(command) {
            assert!(header.contains(command.name), "{header}");
            assert!(
                paragraph.contains(command.name),
                "the PASSWORDS paragraph does not say whether {} asks: {paragraph}",
                command.name
            );
        }
    }
}

/// The workspace's root (two folders above this crate).
fn workspace_file(name: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(name)).unwrap()
}

#[test]
fn readme_states_requirements_the_policy_and_a_git_ignored_scratch_folder() {
    // Issue 13: the README's claims about what a new user needs and meets.
    let readme = workspace_file("README.md");
    let manifest = workspace_file("Cargo.toml");
    let rust = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = \""))
        .and_then(|rest| rest.split('"').next())
        .expect("the workspace declares rust-version");
    assert!(
        readme.contains(&format!("Rust {rust} or")),
        "the README does not state the workspace's rust-version {rust}"
    );
    assert!(readme.contains("### Requirements") && readme.contains("offline source bundle"));
    // "the policy below" is there, with its length and its override.
    assert!(readme.contains("the policy below") && readme.contains("## The password policy"));
    let policy = &readme[readme.find("## The password policy").unwrap()..];
    assert!(
        policy.contains(&format!("{}\ncharacters", pfxgen::policy::MIN_LENGTH))
            || policy.contains(&format!("{} characters", pfxgen::policy::MIN_LENGTH))
    );
    assert!(policy.contains("--allow-weak-password"));
    // The first command writes into a scratch folder git ignores.
    let first = readme
        .lines()
        .find(|l| l.contains("cargo run") && l.contains("generate"))
        .expect("a first generate command");
    assert!(
        first.contains("--out out ") && first.contains("out/pfx-password.txt"),
        "{first}"
    );
    let ignored = workspace_file(".gitignore");
    assert!(ignored.lines().any(|l| l.trim() == "/out/"), "{ignored}");
}
