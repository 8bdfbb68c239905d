//! Replays the committed fuzz corpora of the CLI's parsers on stable.

use pfxgen_keygen::fuzzing::replay;

#[test]
fn replay_password_policy() {
    replay("password_policy", pfxgen::fuzzing::password_policy);
}

#[test]
fn replay_appsettings_edit() {
    replay("appsettings_edit", pfxgen::fuzzing::appsettings_edit);
}

#[test]
fn replay_password_map() {
    replay("password_map", pfxgen::fuzzing::password_map);
}
