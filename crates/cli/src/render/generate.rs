//! What `generate` made, as text and as JSON.

use pfxgen_core::{
    make::{Built, output::Written},
    secret::Origin,
};
use pfxgen_x509::hex_upper;

use crate::{
    generate::{certificate_json, protection_summary},
    json::{Json, Obj},
};

fn origin_name(origin: &Origin) -> &'static str {
    match origin {
        Origin::Prompt => "prompt",
        Origin::File(_) => "file",
        Origin::Env(_) => "environment",
        Origin::Stdin => "stdin",
        Origin::Argv => "argument",
        Origin::None => "none",
        Origin::Generated => "generated",
    }
}

fn json(written: &Written, built: &Built, origin: &Origin, alg_name: &str, days: i64) -> Json {
    let mut obj = Obj::new().field("path", written.path.display().to_string());
    for (k, v) in certificate_json(&built.certificate, alg_name).into_fields() {
        obj.push(&k, v);
    }
    let obj = obj
        .field("jws_alg", built.key.jws_algorithm().name())
        .field("validity_days", days)
        .field("profile", built.profile.name())
        .field(
            "protection",
            protection_summary(built.profile, built.iterations),
        )
        .field("iterations", built.iterations)
        .field("password_source", origin_name(origin))
        .field(
            "password_file",
            written
                .password_file
                .as_ref()
                .map(|p| p.display().to_string()),
        )
        .field(
            "backup",
            written.backup.as_ref().map(|p| p.display().to_string()),
        )
        .field("verified", true);
    Json::from(obj)
}

/// Prints what `generate` made and wrote.
pub fn print(written: &Written, built: &Built, origin: &Origin, as_json: bool) {
    let cert = &built.certificate;
    let kind = built.key.kind();
    let alg_name = kind
        .key_algorithm()
        .map_or_else(|| kind.to_string(), |a| a.name().to_owned());
    let days = cert.not_before().days_until(cert.not_after());
    if as_json {
        outln!("{}", json(written, built, origin, &alg_name, days).pretty());
        return;
    }
    outln!("Created {}", written.path.display());
    outln!("  Key algorithm:       {kind} ({alg_name})");
    outln!(
        "  Signature algorithm: {} (JWS {})",
        cert.signature_algorithm_name(),
        built.key.jws_algorithm()
    );
    outln!("  Subject:             {}", cert.subject());
    outln!("  Valid from:          {}", cert.not_before());
    outln!(
        "  Valid until:         {} ({})",
        cert.not_after(),
        crate::verdict::day_count(days.unsigned_abs())
    );
    outln!("  Serial:              {}", cert.serial_hex());
    outln!(
        "  SHA-1 thumbprint:    {}  (the kid the identity server will publish)",
        hex_upper(&cert.sha1_thumbprint())
    );
    outln!(
        "  SHA-256 fingerprint: {}",
        hex_upper(&cert.sha256_fingerprint())
    );
    outln!(
        "  Protection:          {}",
        protection_summary(built.profile, built.iterations)
    );
    if let Some(p) = &written.password_file {
        outln!(
            "  Password:            generated, written to {} (mode 0600); keep it in a password manager",
            p.display()
        );
    } else if matches!(origin, Origin::None) {
        outln!("  Password:            none (--no-password)");
    }
    if let Some(b) = &written.backup {
        outln!("  Previous file:       kept as {}", b.display());
    }
    outln!(
        "  Verified:            re-read from disk; MAC and decryption OK, key matches certificate"
    );
}
