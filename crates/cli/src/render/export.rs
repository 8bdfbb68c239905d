//! `pfxgen export`'s report.

use pfxgen_core::lifecycle::export::{Exported, What};
use pfxgen_x509::hex_upper;

/// Prints the warning for an unencrypted key (standard error) and the
/// result.
pub fn text(report: &Exported) {
    if report.unencrypted {
        eprintln!(
            "warning: {} holds the private key UNENCRYPTED (mode 0600); anyone who can read it can \
             sign tokens as the identity server. Delete it as soon as it has served its purpose.",
            report.path.display()
        );
    }
    let label = match report.what {
        What::Cert => "certificate",
        What::Chain => "certificate chain",
        What::PublicKey => "public key",
        What::Key if report.unencrypted => "private key (unencrypted PKCS#8)",
        _ => "private key (encrypted PKCS#8: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)",
    };
    let format = if report.what == What::Chain && report.der {
        "DER PKCS#7"
    } else if report.der {
        "DER"
    } else {
        "PEM"
    };
    outln!(
        "Exported the {label} of {} to {} ({format})",
        report.input.display(),
        report.path.display()
    );
    let cert = &report.certificate;
    outln!("  Subject:             {}", cert.subject());
    outln!(
        "  SHA-1 thumbprint:    {}",
        hex_upper(&cert.sha1_thumbprint())
    );
    outln!(
        "  SHA-256 fingerprint: {}",
        hex_upper(&cert.sha256_fingerprint())
    );
    if let Some(p) = &report.password_file {
        outln!(
            "  Password:            generated, written to {} (mode 0600)",
            p.display()
        );
    }
}
