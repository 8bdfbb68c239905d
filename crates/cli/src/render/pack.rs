//! `pfxgen pack`'s plan notes and report.

use pfxgen_core::lifecycle::pack::{PackNote, Packed};
use pfxgen_x509::hex_upper;

use crate::generate::protection_summary;

/// Prints what the plan found (standard error), before the password is
/// asked for.
pub fn notes(notes: &[PackNote]) {
    for note in notes {
        match note {
            PackNote::Ignored { file, what } => eprintln!("note: {file}: ignored {what}"),
            PackNote::Incomplete { subject, issuer } => eprintln!(
                "warning: the chain ends at {subject} whose issuer {issuer} was not given: an \
                 intermediate may be missing (a root the service trusts anyway can be left out)"
            ),
            PackNote::Expired { subject, not_after } => {
                eprintln!("warning: {subject} expired on {not_after}");
            }
            PackNote::LeftOut { subject, sha1 } => {
                eprintln!(
                    "note: left out {subject} (SHA-1 {sha1}): not in the chain of the certificate"
                );
            }
            _ => {}
        }
    }
}

/// Prints the result.
pub fn text(report: &Packed) {
    let leaf = &report.leaf;
    outln!("Created {}", report.path.display());
    outln!("  Subject:             {}", leaf.subject());
    outln!("  Issuer:              {}", leaf.issuer());
    outln!("  Valid until:         {}", leaf.not_after());
    outln!(
        "  SHA-1 thumbprint:    {}",
        hex_upper(&leaf.sha1_thumbprint())
    );
    outln!(
        "  Chain:               {} certificate(s){}",
        report.chain_len,
        if report.complete {
            ", up to a self-signed root"
        } else {
            ", incomplete"
        }
    );
    outln!(
        "  Protection:          {}",
        protection_summary(report.profile, report.iterations)
    );
    if let Some(p) = &report.password_file {
        outln!(
            "  Password:            generated, written to {} (mode 0600)",
            p.display()
        );
    }
    outln!(
        "  Verified:            re-read from disk; MAC and decryption OK, key, certificate and chain as intended"
    );
}
