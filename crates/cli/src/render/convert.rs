//! `pfxgen convert`'s report.

use pfxgen_core::lifecycle::{convert::Converted, output::NewPassword};
use pfxgen_x509::hex_upper;

use crate::generate::protection_summary;

/// Prints what was dropped (standard error) and the result.
pub fn text(report: &Converted) {
    for d in &report.dropped {
        eprintln!("warning: dropped {d}");
    }
    outln!(
        "Converted {} to {}",
        report.input.display(),
        report.path.display()
    );
    outln!("  Subject:             {}", report.certificate.subject());
    outln!(
        "  SHA-1 thumbprint:    {}",
        hex_upper(&report.certificate.sha1_thumbprint())
    );
    outln!("  Chain certificates:  {}", report.chain_len);
    outln!(
        "  Protection:          {}",
        protection_summary(report.profile, report.iterations)
    );
    outln!("  Password:            {}", password(&report.password));
    outln!("  Dropped:             {}", report.dropped.len());
    outln!(
        "  Verified:            re-read from disk; MAC and decryption OK, key and chain as intended"
    );
}

fn password(password: &NewPassword) -> String {
    match password {
        NewPassword::Generated(p) => {
            format!("generated, written to {} (mode 0600)", p.display())
        }
        NewPassword::Kept { empty: true } => "none (as the input)".to_owned(),
        NewPassword::Kept { empty: false } => "the input's password".to_owned(),
        NewPassword::None => "none (--out-no-password)".to_owned(),
        _ => "the new password".to_owned(),
    }
}
