//! Replays the committed `pkcs8` fuzz corpus on stable.

#[test]
fn replay_pkcs8() {
    pfxgen_keygen::fuzzing::replay("pkcs8", pfxgen_keygen::fuzzing::pkcs8);
}
