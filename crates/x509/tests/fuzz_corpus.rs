//! Replays the committed `x509_certificate` fuzz corpus on stable.

#[test]
fn replay_x509_certificate() {
    pfxgen_keygen::fuzzing::replay("x509_certificate", pfxgen_x509::fuzzing::certificate);
}
