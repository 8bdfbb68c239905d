//! Replays the committed fuzz corpora of this crate's parsers on stable.

use pfxgen_keygen::fuzzing::replay;

#[test]
fn replay_manifest() {
    replay("manifest", pfxgen_core::fuzzing::manifest);
}
