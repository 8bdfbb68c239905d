//! `pfxgen csr`'s report.

use pfxgen_core::lifecycle::csr::CsrOutcome;

/// Prints the two files made and the next step.
pub fn text(report: &CsrOutcome) {
    outln!("Created {}", report.key_path.display());
    outln!(
        "  Private key:  {} ({}), encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)",
        report.key_kind,
        report.algorithm
    );
    outln!("Created {}", report.csr_path.display());
    outln!("  Subject:      {}", report.subject);
    outln!("  Signature:    {}", report.signature_algorithm);
    if let Some(p) = &report.password_file {
        outln!(
            "  Password:     generated, written to {} (mode 0600)",
            p.display()
        );
    }
    outln!(
        "Next: have your CA sign {}, then `pfxgen pack --key {} --cert ISSUED --out OUT.pfx`",
        report.csr_path.display(),
        report.key_path.display()
    );
}
