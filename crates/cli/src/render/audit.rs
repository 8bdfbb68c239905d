//! `audit`'s report as text (an INSTANCES table, then FINDINGS) or JSON.

use core::fmt::Write as _;

use pfxgen_core::{
    audit::{AuditReport, Facts, Finding, InstanceReport},
    policy::verdict,
};
use pfxgen_x509::{UtcTime, hex_upper};

use crate::json::{Json, Obj};

/// The hint printed when no instance could be read and no password map
/// was given.
pub const PASSWORDS_HINT: &str = "hint: no instance could be read: most PFX files need their \
     password to show their certificate; give a password map with --passwords MAP (one line \
     per environment: SELECTOR env:VARIABLE, SELECTOR file:PATH, * empty; see pfxgen audit --help)";

/// The hint printed when no instance could be read with the map given.
pub const MAP_HINT: &str = "hint: no instance could be read: check that the password map's \
     selectors name these instances (first match wins) and that its sources hold the right \
     passwords";

fn facts_json(o: Obj, f: &Facts, now: UtcTime) -> Obj {
    let support = verdict::certificate_support(&f.cert);
    o.field("kid", hex_upper(&f.cert.sha1_thumbprint()))
        .field(
            "sha256_fingerprint",
            hex_upper(&f.cert.sha256_fingerprint()),
        )
        .field("key", f.key.as_str())
        .field("subject", f.cert.subject())
        .field("serial", f.cert.serial_hex())
        .field("not_after", f.cert.not_after().to_string())
        .field("days_left", verdict::days_left(&f.cert, now))
        .field(
            "identity_server",
            Obj::new()
                .field("ok", support.ok)
                .field("reasons", support.reasons),
        )
        .field("error", Json::Null)
}

fn instance_json(i: &InstanceReport, now: UtcTime) -> Json {
    let inst = &i.instance;
    let o = Obj::new()
        .field("instance", inst.label.as_str())
        .field("path", inst.path.display().to_string())
        .field(
            "service_dir",
            inst.service_dir.as_ref().map(|d| d.display().to_string()),
        );
    match &i.read {
        Some(Ok(f)) => facts_json(o, f, now),
        Some(Err(e)) => o.field("error", e.message()),
        None => o.field("error", "not read"),
    }
    .into()
}

fn finding_json(f: &Finding) -> Json {
    let instances: Vec<String> = f.instances().iter().map(ToString::to_string).collect();
    Obj::new()
        .field("kind", f.kind())
        .field("message", f.message())
        .field("instances", instances)
        .into()
}

/// The documented JSON report.
#[must_use]
pub fn json(report: &AuditReport) -> Json {
    let rows = report
        .instances
        .iter()
        .map(|i| instance_json(i, report.now))
        .collect();
    let findings = report.findings.iter().map(finding_json).collect();
    Obj::new()
        .field("instances", Json::Array(rows))
        .field("findings", Json::Array(findings))
        .field("clean", report.is_clean())
        .into()
}

fn facts_text(o: &mut String, f: &Facts, now: UtcTime) {
    let support = verdict::certificate_support(&f.cert);
    let days = verdict::days_left_phrase(&f.cert, now);
    let _ = writeln!(o, "      kid      {}", hex_upper(&f.cert.sha1_thumbprint()));
    let _ = writeln!(
        o,
        "      sha256   {}",
        hex_upper(&f.cert.sha256_fingerprint())
    );
    let _ = writeln!(
        o,
        "      key      {}    subject {}",
        f.key,
        f.cert.subject()
    );
    let _ = writeln!(o, "      expires  {} ({days})", f.cert.not_after());
    let verdict = if support.ok {
        "supported".to_owned()
    } else {
        format!("NOT supported: {}", support.reasons.join("; "))
    };
    let _ = writeln!(o, "      identity server: {verdict}");
}

/// The text report for a terminal.
#[must_use]
pub fn text(report: &AuditReport) -> String {
    let mut o = String::from("INSTANCES\n");
    for i in &report.instances {
        let _ = writeln!(o, "  {}  ({})", i.instance.label, i.instance.path.display());
        match &i.read {
            Some(Ok(f)) => facts_text(&mut o, f, report.now),
            Some(Err(e)) => {
                let _ = writeln!(o, "      could not be read: {}", e.message());
            }
            None => o.push_str("      not read\n"),
        }
    }
    if report.is_clean() {
        o.push_str(
            "FINDINGS\n  none: every instance has its own certificate and key, none expires within the warning period\n",
        );
    } else {
        o.push_str("FINDINGS\n");
        for f in &report.findings {
            let _ = writeln!(o, "  {:<11} {}", f.kind(), f.message());
            for m in f.instances() {
                let _ = writeln!(o, "              - {m}");
            }
        }
    }
    let _ = writeln!(
        o,
        "{}, {}",
        verdict::count(report.instances.len() as u64, "instance"),
        verdict::count(report.findings.len() as u64, "finding")
    );
    o
}

/// Prints a report as text or JSON; the hint toward `--passwords` goes to
/// standard error, so the report itself stays as documented.
pub fn print(report: &AuditReport, as_json: bool, map_given: bool) {
    if as_json {
        outln!("{}", json(report).pretty());
    } else {
        out!("{}", text(report));
    }
    if report.none_readable() {
        eprintln!("{}", if map_given { MAP_HINT } else { PASSWORDS_HINT });
    }
}
