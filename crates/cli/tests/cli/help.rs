//! Every command answers `--help` and `-h` with its own usage text and the
//! exit-status table, and changes nothing while doing so.

use crate::common::{TempDir, pfxgen};

const COMMANDS: [&str; 7] = [
    "generate", "inspect", "verify", "rotate", "rollback", "jwks", "audit",
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
    assert!(
        dir.entries().is_empty(),
        "help wrote files: {:?}",
        dir.entries()
    );
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
